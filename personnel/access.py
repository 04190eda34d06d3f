"""The one permission model. Every app asks here; no view decides access by itself.

    can(user, action, obj, ctx) -> bool              one object (or, for "add", a model class / unsaved object)
    check(user, action, obj, ctx) -> Decision        the same, with the reason for a refusal and whom the
                                                     user acts for (themselves or a delegator)
    visible(user, action, queryset, ctx) -> queryset a SQL filter; never a Python loop over rows

Each model declares a `Policy` (register(Model, Policy(...))) naming, per action, which of the grounds below
allow it. An action a policy does not name is refused, and a model with no policy is a programming error.

How a request is decided, in this order:

0. Context (refusals that no grant overrides)
   - anonymous or inactive users, and staff with no current assignment, are refused everything;
   - a request from the remote zone without OTP assurance is refused everything;
   - an action marked office-only (`Rule(office_only=True)`, e.g. org administration, payroll exports) is
     refused in the remote zone, and so are rows whose `Policy.office_only_field` is true (個人情報).
1. Superusers are allowed (after the context rules above).
2. Functional roles — Django groups 人事担当, 財務担当, 庶務センター, 文書管理者, 情報政策: a role named in
   the rule allows the action on every row.
3. `everyone`: any staff member with a current assignment (the staff directory, the org tree).
4. Organisation:
   - `owner`: the row's owner (`Policy.owner`, a Staff lookup) is the user;
   - `supervisors`: the user holds a current assignment of rank >= SUPERVISOR_MIN_RANK (係長 by default) in
     the row's unit (`Policy.unit`) or in any unit above it: a 課長 sees what his 課 and its 係 file, a 部長
     what his 部 files. 兼務 posts count as much as the primary post.
5. Participants (`Policy.participants`): the user takes part in the row, e.g. has a stamp box on a document's
   route — the approvers, 合議 parties and 回覧 readers, for as long as they hold that place.
   Object grants (django-guardian): a user or group object permission `<action>_<model>` on the row, for the
   exceptions (a document shared with a reviewer).
6. Delegation (代理): during an active, unrevoked delegation the delegate also holds the delegator's owner,
   supervisor, participant and object-grant grounds (not the delegator's functional roles: roles are jobs, not personal
   authority). `check()` reports which delegator the user acts for, so actions can record both names.
7. Separation of duties (`Rule(not_by=...)`): whatever the ground, the user may not do this to a row that names
   them there — nobody approves or decides a document they filed, in person or as a delegate.

Everything a decision needs about the user (staff row, today's assignments, delegations, groups) is loaded
once per context in four queries and cached on the context; `visible()` then adds one filtered query,
whatever the number of rows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from personnel.models import OrgUnit, Staff
from personnel.org import assignments_current, delegations_active

OFFICE = "office"
REMOTE = "remote"
PASSWORD = "password"  # noqa: S105 - an assurance level, not a secret
OTP = "otp"


class Role(enum.StrEnum):
    """Functional roles. The group names are the Japanese ones used in Django and Wagtail alike."""

    HR = "人事担当"
    FINANCE = "財務担当"
    GENERAL_AFFAIRS = "庶務センター"
    RECORDS = "文書管理者"
    IT = "情報政策"


class AccessDenied(PermissionDenied):
    """Raised by services; the message is meant for the user."""


# --------------------------------------------------------------------------------------------------------
# Context and principal
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """One capacity the user acts in: themselves, or a delegator during a delegation."""

    staff_id: int
    user_id: int
    delegation_id: int | None
    supervised_paths: tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    is_active: bool
    is_superuser: bool
    staff_id: int | None
    on_duty: bool  # has at least one current assignment
    roles: frozenset[str]
    own: Identity | None
    delegated: tuple[Identity, ...]


@dataclass
class AccessContext:
    """Where a request comes from and how strongly it was authenticated, plus the date rules apply on.

    `system` is only for management commands (seeding, imports): it allows every action with no user.
    """

    zone: str = OFFICE
    assurance: str = PASSWORD
    today: date = field(default_factory=timezone.localdate)
    system: bool = False
    _principals: dict[int, Principal] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.zone not in (OFFICE, REMOTE):
            raise ValueError(f"unknown zone {self.zone!r}")
        if self.assurance not in (PASSWORD, OTP):
            raise ValueError(f"unknown assurance {self.assurance!r}")

    @classmethod
    def office(cls, *, assurance: str = PASSWORD, today: date | None = None) -> AccessContext:
        return cls(zone=OFFICE, assurance=assurance, today=today or timezone.localdate())

    @classmethod
    def remote(cls, *, assurance: str = OTP, today: date | None = None) -> AccessContext:
        return cls(zone=REMOTE, assurance=assurance, today=today or timezone.localdate())

    @classmethod
    def for_system(cls, *, today: date | None = None) -> AccessContext:
        return cls(zone=OFFICE, assurance=OTP, today=today or timezone.localdate(), system=True)


def principal(user: Any, ctx: AccessContext) -> Principal:
    """What the permission model knows about `user` on `ctx.today`, loaded in four queries, then cached."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Principal(None, False, False, None, False, frozenset(), None, ())
    cached = ctx._principals.get(user.pk)
    if cached is not None:
        return cached

    today = ctx.today
    staff_id = Staff.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    delegations = []
    if staff_id is not None:
        delegations = list(
            delegations_active(on=today)
            .filter(delegate_id=staff_id, delegator__user__is_active=True)
            .values_list("pk", "delegator_id", "delegator__user_id")
        )
    staff_ids = [staff_id, *(d[1] for d in delegations)] if staff_id is not None else []
    current: dict[int, list[tuple[str, int]]] = {sid: [] for sid in staff_ids}
    for sid, path, rank in (
        assignments_current(on=today)
        .filter(staff_id__in=staff_ids)
        .values_list("staff_id", "unit__path", "position__rank")
    ):
        current[sid].append((path, rank))

    def identity(sid: int, uid: int, delegation_id: int | None) -> Identity:
        paths = sorted({p for p, rank in current.get(sid, ()) if rank >= settings.SUPERVISOR_MIN_RANK})
        return Identity(sid, uid, delegation_id, _outermost(paths))

    own = identity(staff_id, user.pk, None) if staff_id is not None else None
    delegated = tuple(identity(d[1], d[2], d[0]) for d in delegations if current.get(d[1]))
    result = Principal(
        user_id=user.pk,
        is_active=user.is_active,
        is_superuser=user.is_superuser,
        staff_id=staff_id,
        on_duty=bool(staff_id is not None and current.get(staff_id)),
        roles=frozenset(user.groups.values_list("name", flat=True)),
        own=own,
        delegated=delegated,
    )
    ctx._principals[user.pk] = result
    return result


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths inside another path of the set: the outer one already covers its subtree."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


# --------------------------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """The grounds on which one action on one model is allowed (see the module docstring)."""

    roles: frozenset[str] = frozenset()
    everyone: bool = False
    owner: bool | tuple[str, ...] = False  # True: every Policy.owner lookup; a tuple: only those
    supervisors: bool = False
    participants: bool = False
    grants: bool = False
    delegable: bool = True
    office_only: bool = False
    # Separation of duties: lookups to Staff naming who may never do this to the row, whatever the ground (e.g.
    # ("document__applicant",): nobody approves what they filed, in person or as a delegate).
    not_by: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        roles: Iterable[str] = (),
        everyone: bool = False,
        owner: bool | tuple[str, ...] = False,
        supervisors: bool = False,
        participants: bool = False,
        grants: bool = False,
        delegable: bool = True,
        office_only: bool = False,
        not_by: tuple[str, ...] = (),
    ) -> None:
        object.__setattr__(self, "roles", frozenset(str(r) for r in roles))
        for name, value in (
            ("everyone", everyone),
            ("owner", owner),
            ("supervisors", supervisors),
            ("participants", participants),
            ("grants", grants),
            ("delegable", delegable),
            ("office_only", office_only),
            ("not_by", tuple(not_by)),
        ):
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Policy:
    rules: Mapping[str, Rule]
    owner: tuple[str, ...] = ()  # lookups to Staff foreign keys, e.g. ("applicant",)
    unit: str | None = None  # lookup to the OrgUnit foreign key, e.g. "drafting_unit"
    office_only_field: str | None = None  # boolean field marking rows that must stay in the office
    # Lookup to Staff across a many-valued relation naming who takes part in a row (e.g. "slots__staff": everyone
    # with a stamp box on a document's route). A rule with `participants=True` lets them reach the row.
    participants: str | None = None
    # When a participant still reaches the row, as a condition on the same related row (a stamp box that was acted
    # on or is live; one whose holder left it, or that the row closed before reaching, gives nothing).
    participants_while: Q | None = None


_POLICIES: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model], policy: Policy) -> None:
    for action, rule in policy.rules.items():
        if rule.owner and not policy.owner:
            raise ImproperlyConfigured(f"{model.__name__}.{action}: owner rule without Policy.owner")
        if rule.supervisors and not policy.unit:
            raise ImproperlyConfigured(f"{model.__name__}.{action}: supervisors rule without Policy.unit")
        if rule.participants and not policy.participants:
            raise ImproperlyConfigured(f"{model.__name__}.{action}: participants rule without Policy.participants")
        if isinstance(rule.owner, tuple) and not set(rule.owner) <= set(policy.owner):
            raise ImproperlyConfigured(f"{model.__name__}.{action}: owner lookups not in Policy.owner")
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _POLICIES[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model.__name__} has no access policy; register one in its app") from None


# --------------------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------------------

REASON_NOT_LOGGED_IN = _("Please log in.")
REASON_INACTIVE = _("This account is not active.")
REASON_NO_ASSIGNMENT = _("You have no current assignment, so the portal cannot grant you anything.")
REASON_OTP_REQUIRED = _("Remote access needs a one-time password (OTP). Log in again with your authenticator.")
REASON_OFFICE_ONLY = _("This information may only be used from the office network, not remotely.")
REASON_NOT_ALLOWED = _("You are not allowed to do this.")
REASON_OWN_DOCUMENT = _("You cannot approve or decide a document you filed yourself, also not for someone else.")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | Promise = ""
    # The staff member the user acts as: themselves, or the delegator whose delegation allowed it.
    acting_for_staff_id: int | None = None
    delegation_id: int | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> Decision:
        if not self.allowed:
            raise AccessDenied(str(self.reason))
        return self


def _denied(reason: str | Promise) -> Decision:
    return Decision(False, reason)


def _context_refusal(p: Principal, rule: Rule | None, ctx: AccessContext) -> str | Promise | None:
    if p.user_id is None:
        return REASON_NOT_LOGGED_IN
    if not p.is_active:
        return REASON_INACTIVE
    if ctx.zone == REMOTE and ctx.assurance != OTP:
        return REASON_OTP_REQUIRED
    if rule is not None and rule.office_only and ctx.zone == REMOTE:
        return REASON_OFFICE_ONLY
    if not p.is_superuser and not p.on_duty:
        return REASON_NO_ASSIGNMENT
    return None


def _blanket(p: Principal, rule: Rule) -> bool:
    """Grounds that allow the action on every row."""
    return p.is_superuser or bool(rule.roles & p.roles) or (rule.everyone and p.on_duty)


def _identities(p: Principal, rule: Rule) -> list[Identity]:
    ids = [p.own] if p.own is not None else []
    if rule.delegable:
        ids.extend(p.delegated)
    return ids


def _direct_owner(lookup: str) -> bool:
    """An owner lookup that is a foreign key of the row itself (no join): `applicant`, `staff`."""
    return "__" not in lookup


def _grounds(
    base: QuerySet, policy: Policy, action: str, rule: Rule, identities: list[Identity]
) -> tuple[Q | None, list[QuerySet]]:
    """The rows the identities reach, as (direct, branches).

    `direct` is a predicate on the row's own foreign-key columns (`applicant_id IN (…)`), which the database can
    answer from an index and OR with the caller's own filter at no cost. Every other ground (a join: a unit subtree,
    the participants, a grant table) is a branch — a primary-key subquery of `base`, the caller's own queryset, so
    each branch is narrowed by the caller's filter before it is combined — and the branches are combined with UNION
    rather than OR: an OR across joins makes PostgreSQL read the whole table for every reader (bench/access.py)."""
    staff_ids = sorted({i.staff_id for i in identities})
    direct: Q | None = None
    branches: list[QuerySet] = []
    for lookup in _owner_lookups(policy, rule):
        if _direct_owner(lookup):
            predicate = Q(**{f"{lookup}_id__in": staff_ids})
            direct = predicate if direct is None else direct | predicate
        else:
            branches.append(base.filter(**{f"{lookup}__id__in": staff_ids}).values("pk"))
    if rule.participants:
        taking_part = Q(**{f"{policy.participants}__id__in": staff_ids})
        if policy.participants_while is not None:
            taking_part &= policy.participants_while  # one filter(): the same related row, not any of them
        branches.append(base.filter(taking_part).values("pk"))
    if rule.supervisors:
        paths = sorted({path for i in identities for path in i.supervised_paths})
        branches.extend(base.filter(**{f"{policy.unit}__path__startswith": path}).values("pk") for path in paths)
    if rule.grants:
        model = base.model
        for ident in identities:
            branches.extend(
                base.filter(pk__in=grant).values("pk")
                for grant in _granted(model, ident.user_id, f"{action}_{model._meta.model_name}")
            )
    return direct, branches


def _restrict(queryset: QuerySet, policy: Policy, action: str, rule: Rule, identities: list[Identity]) -> QuerySet:
    """`queryset` narrowed to the rows the identities reach (one SQL statement; see `_grounds`)."""
    base = queryset.order_by().select_related(None)
    direct, branches = _grounds(base, policy, action, rule, identities)
    if not branches:
        return queryset.filter(direct) if direct is not None else queryset.none()
    if direct is not None:
        branches.append(base.filter(direct).values("pk"))
    return queryset.filter(pk__in=branches[0] if len(branches) == 1 else branches[0].union(*branches[1:]))


def _granted(model: type[models.Model], user_id: int, codename: str) -> list[QuerySet]:
    """Primary keys of rows on which the user, directly or through a group, holds a guardian grant.

    This is the only place guardian is asked. Direct-FK permission tables are read as they are; a model on
    guardian's generic tables goes through get_objects_for_user (which casts object_pk)."""

    user_model, group_model = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    if user_model.objects.is_generic() or group_model.objects.is_generic():
        user = get_user_model()(pk=user_id, is_active=True)
        return [
            get_objects_for_user(
                user,
                f"{model._meta.app_label}.{codename}",
                klass=model._default_manager.order_by(),
                with_superuser=False,
                accept_global_perms=False,
            ).values("pk")
        ]
    permission = {
        "permission__codename": codename,
        "permission__content_type": ContentType.objects.get_for_model(model),
    }
    return [
        user_model.objects.filter(user_id=user_id, **permission).order_by().values("content_object_id"),
        group_model.objects.filter(group__user=user_id, **permission).order_by().values("content_object_id"),
    ]


def _grant_table(table_of: Any, obj: models.Model, actions: Iterable[str]) -> tuple[Any, list[Permission]]:
    """The direct-FK guardian table (`table_of`: guardian's user or group table getter) of `obj`'s model and the
    permissions `<action>_<model>` to grant on it; ImproperlyConfigured for generic tables or an unknown action."""
    model = type(obj)
    table = table_of(model)
    if table.objects.is_generic():
        raise ImproperlyConfigured(f"{model.__name__}: object grants need direct-FK guardian tables")
    codenames = {f"{action}_{model._meta.model_name}" for action in actions}
    permissions = list(
        Permission.objects.filter(content_type=ContentType.objects.get_for_model(model), codename__in=codenames)
    )
    if len(permissions) != len(codenames):
        raise ImproperlyConfigured(f"{model.__name__}: unknown permission among {sorted(codenames)}")
    return table, permissions


def grant(action: str, obj: models.Model, user_ids: Iterable[int]) -> None:
    """Give users a guardian object grant `<action>_<model>` on `obj` (a 合議 party, a reviewer). Existing
    grants are kept; the model must use direct-FK permission tables (one bulk insert, no per-user query)."""

    table, (permission,) = _grant_table(get_user_obj_perms_model, obj, [action])
    wanted = set(user_ids)
    have = set(
        table.objects.filter(content_object=obj, permission=permission, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    table.objects.bulk_create(
        [table(content_object=obj, permission=permission, user_id=uid) for uid in sorted(wanted - have)]
    )


def grant_role(actions: Iterable[str], obj: models.Model, role: str) -> None:
    """Give the group of a functional role guardian object grants `<action>_<model>` on `obj` (e.g. the
    庶務センター reads and processes each payroll input). Direct-FK permission tables only; one insert."""
    table, permissions = _grant_table(get_group_obj_perms_model, obj, actions)
    group, _created = Group.objects.get_or_create(name=str(role))
    table.objects.bulk_create(
        [table(content_object=obj, permission=permission, group=group) for permission in permissions],
        ignore_conflicts=True,
    )


def _is_root(path: str) -> bool:

    return len(path) == OrgUnit.steplen


def visible(user: Any, action: str, queryset: QuerySet, ctx: AccessContext) -> QuerySet:
    """The rows of `queryset` on which `user` may perform `action`: one SQL filter, never a loop over rows."""
    model = queryset.model
    policy = policy_for(model)
    if ctx.system:
        return queryset
    rule = policy.rules.get(action)
    p = principal(user, ctx)
    if rule is None or _context_refusal(p, rule, ctx) is not None:
        return queryset.none()
    if not _blanket(p, rule):
        identities = _identities(p, rule)
        if not identities:
            return queryset.none()
        if rule.supervisors and any(_is_root(path) for i in identities for path in i.supervised_paths):
            # A post in the root unit (市長, 副市長) supervises every unit: no subquery of every key.
            queryset = queryset.filter(**{f"{policy.unit}__isnull": False})
        else:
            queryset = _restrict(queryset, policy, action, rule, identities)
    if rule.not_by and p.staff_id is not None:
        for lookup in rule.not_by:
            queryset = queryset.exclude(**{f"{lookup}__id": p.staff_id})
    if policy.office_only_field and ctx.zone == REMOTE:
        queryset = queryset.filter(**{policy.office_only_field: False})
    return queryset


def hidden_only_remotely(user: Any, action: str, queryset: QuerySet, ctx: AccessContext) -> bool:
    """Whether rows of `queryset` the user may not `action` here would be allowed from the office: a remote, OTP-
    assured request for rows kept in the office (個人情報). Pages that answer 404 for hidden rows (so nobody learns
    which exist) answer the office-only refusal instead, with its reason; a row the office would not show either
    stays a 404."""
    if ctx.zone != REMOTE or ctx.assurance != OTP or ctx.system:
        return False
    return visible(user, action, queryset, replace(ctx, zone=OFFICE)).exists()


def check(user: Any, action: str, obj: models.Model | type[models.Model], ctx: AccessContext) -> Decision:
    """May `user` perform `action` on `obj`? With the reason when not, and whom the user acts for."""
    model = obj if isinstance(obj, type) else type(obj)
    policy = policy_for(model)
    if ctx.system:
        return Decision(True)
    rule = policy.rules.get(action)
    p = principal(user, ctx)
    refusal = _context_refusal(p, rule, ctx)
    if refusal is not None:
        return _denied(refusal)
    if rule is None:
        return _denied(REASON_NOT_ALLOWED)
    instance = None if isinstance(obj, type) else obj
    if instance is not None and policy.office_only_field and ctx.zone == REMOTE:
        if _follow_value(instance, policy.office_only_field):
            return _denied(REASON_OFFICE_ONLY)
    if instance is not None and p.staff_id is not None:
        if any(_follow(instance, lookup, "id") == p.staff_id for lookup in rule.not_by):
            return _denied(REASON_OWN_DOCUMENT)
    if _blanket(p, rule):
        return Decision(True, acting_for_staff_id=p.staff_id)
    for ident in _identities(p, rule):
        if instance is None:
            allowed = _class_level(rule, ident)
        elif instance.pk is None or instance._state.adding:
            allowed = _unsaved_matches(policy, rule, ident, instance)
        else:
            allowed = _restrict(model._default_manager.filter(pk=instance.pk), policy, action, rule, [ident]).exists()
        if allowed:
            return Decision(True, acting_for_staff_id=ident.staff_id, delegation_id=ident.delegation_id)
    return _denied(REASON_NOT_ALLOWED)


def can(user: Any, action: str, obj: models.Model | type[models.Model], ctx: AccessContext) -> bool:
    return check(user, action, obj, ctx).allowed


def require(user: Any, action: str, obj: models.Model | type[models.Model], ctx: AccessContext) -> Decision:
    """`check`, raising AccessDenied with the user-facing reason when refused."""
    return check(user, action, obj, ctx).raise_if_denied()


def _owner_lookups(policy: Policy, rule: Rule) -> tuple[str, ...]:
    if rule.owner is True:
        return policy.owner
    return rule.owner or ()


def _class_level(rule: Rule, ident: Identity) -> bool:
    """For a model class ("may I add one at all?"): true when some row could be reached."""
    return bool(rule.owner) or (rule.supervisors and bool(ident.supervised_paths))


def _unsaved_matches(policy: Policy, rule: Rule, ident: Identity, instance: models.Model) -> bool:
    """The organisation rules of `_grounds`, applied to an object not yet in the database."""
    if any(_follow(instance, lookup, "id") == ident.staff_id for lookup in _owner_lookups(policy, rule)):
        return True
    if rule.supervisors and policy.unit:
        path = _follow(instance, policy.unit, "path")
        return path is not None and any(path.startswith(p) for p in ident.supervised_paths)
    return False


def _follow_value(instance: models.Model, lookup: str) -> Any:
    """The value at `lookup`, a field name or a path such as "document__contains_personal_info"."""
    value: Any = instance
    for part in lookup.split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def _follow(instance: models.Model, lookup: str, attribute: str) -> Any:
    value: Any = instance
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return getattr(value, attribute, None)
