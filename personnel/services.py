"""Write actions on the org master. Each is one durable transaction that checks access and writes its audit entry.

Bad input raises django.core.exceptions.ValidationError with a message for the user; a refusal raises
personnel.access.AccessDenied. Either way nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant

from personnel import access
from personnel.audit import audit_record
from personnel.models import Assignment, Delegation, OrgUnit, Position, Staff, UnitKind
from personnel.org import assignments_current, period_overlaps

User = get_user_model()


def _day(value: date) -> str:
    """A date as the user's language writes it (2026年11月23日), for messages."""
    return date_format(value)


# --------------------------------------------------------------------------------------------------------
# Org units
# --------------------------------------------------------------------------------------------------------


def _check_kind(kind: int, parent: OrgUnit | None) -> None:
    if kind not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind: %(kind)s") % {"kind": kind})
    if parent is not None and kind <= parent.kind:
        raise ValidationError(
            _("A %(kind)s cannot be placed under a %(parent_kind)s.")
            % {"kind": UnitKind(kind).label, "parent_kind": UnitKind(parent.kind).label}
        )


@transaction.atomic(durable=True)
def orgunit_create(
    *,
    actor: Any,
    ctx: access.AccessContext,
    parent: OrgUnit | None,
    code: str,
    name: str,
    kind: int,
    name_kana: str = "",
    abbreviation: str = "",
    extension: str = "",
) -> OrgUnit:
    access.require(actor, "add", OrgUnit, ctx)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError(_("A unit needs a code and a name."))
    _check_kind(kind, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError(_("The unit code %(code)s is already used.") % {"code": code})
    fields = {
        "code": code,
        "name": name,
        "kind": kind,
        "name_kana": name_kana.strip(),
        "abbreviation": abbreviation.strip(),
        "extension": extension.strip(),
    }
    if parent is None:
        unit = OrgUnit.add_root(**fields)
    else:
        # Re-read the parent under a lock: treebeard derives the child's path from the parent's row.
        parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
        unit = parent.add_child(**fields)
    audit_record(
        actor=actor,
        ctx=ctx,
        action="orgunit_create",
        target=unit,
        detail={"code": code, "parent": parent and parent.code},
    )
    return unit


@transaction.atomic(durable=True)
def orgunit_update(
    *,
    actor: Any,
    ctx: access.AccessContext,
    unit: OrgUnit,
    name: str,
    name_kana: str = "",
    abbreviation: str = "",
    extension: str = "",
) -> OrgUnit:
    return _orgunit_update(
        actor=actor, ctx=ctx, unit=unit, name=name, name_kana=name_kana, abbreviation=abbreviation, extension=extension
    )


@transaction.atomic(durable=True)
def orgunit_edit(
    *,
    actor: Any,
    ctx: access.AccessContext,
    unit: OrgUnit,
    parent: OrgUnit,
    name: str,
    name_kana: str = "",
    abbreviation: str = "",
    extension: str = "",
) -> OrgUnit:
    """Rename and, when `parent` differs from the current one, move a unit: all of it or nothing."""
    current = OrgUnit.objects.get(pk=unit.pk).get_parent()
    if current is None or current.pk != parent.pk:
        unit = _orgunit_move(actor=actor, ctx=ctx, unit=unit, parent=parent)
    return _orgunit_update(
        actor=actor, ctx=ctx, unit=unit, name=name, name_kana=name_kana, abbreviation=abbreviation, extension=extension
    )


def _orgunit_update(
    *,
    actor: Any,
    ctx: access.AccessContext,
    unit: OrgUnit,
    name: str,
    name_kana: str,
    abbreviation: str,
    extension: str,
) -> OrgUnit:
    access.require(actor, "change", unit, ctx)
    name = name.strip()
    if not name:
        raise ValidationError(_("A unit needs a name."))
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = {"name": unit.name, "abbreviation": unit.abbreviation, "extension": unit.extension}
    unit.name, unit.name_kana = name, name_kana.strip()
    unit.abbreviation, unit.extension = abbreviation.strip(), extension.strip()
    unit.save(update_fields=["name", "name_kana", "abbreviation", "extension"])
    audit_record(actor=actor, ctx=ctx, action="orgunit_update", target=unit, detail={"before": before})
    return unit


@transaction.atomic(durable=True)
def orgunit_move(*, actor: Any, ctx: access.AccessContext, unit: OrgUnit, parent: OrgUnit) -> OrgUnit:
    """Move `unit` (with everything under it) to sit under `parent`."""
    return _orgunit_move(actor=actor, ctx=ctx, unit=unit, parent=parent)


def _orgunit_move(*, actor: Any, ctx: access.AccessContext, unit: OrgUnit, parent: OrgUnit) -> OrgUnit:
    access.require(actor, "change", unit, ctx)
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    if parent.pk == unit.pk or parent.path.startswith(unit.path):
        raise ValidationError(
            _("%(unit)s cannot be moved under itself or one of its own sub-units (%(parent)s).")
            % {"unit": unit.name, "parent": parent.name}
        )
    _check_kind(unit.kind, parent)
    old_parent = unit.get_parent()
    try:
        unit.move(parent, pos="sorted-child")
    except InvalidMoveToDescendant:  # the check above should have caught it; keep the message the same
        raise ValidationError(_("A unit cannot be moved under one of its own sub-units.")) from None
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        ctx=ctx,
        action="orgunit_move",
        target=unit,
        detail={"old_parent": old_parent and old_parent.code, "new_parent": parent.code},
    )
    return unit


# --------------------------------------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One staff member as the personnel system hands it over (a CSV line, or demo data)."""

    employee_number: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    extension: str = ""
    email: str = ""
    username: str = ""  # defaults to the employee number

    def cleaned(self) -> StaffRow:
        values = {k: (v or "").strip() for k, v in self.__dict__.items()}
        row = StaffRow(**values)
        missing = [
            label
            for label, value in (
                (_("employee number"), row.employee_number),
                (_("family name"), row.family_name),
                (_("given name"), row.given_name),
                (_("family name (kana)"), row.family_name_kana),
                (_("given name (kana)"), row.given_name_kana),
            )
            if not value
        ]
        if missing:
            raise ValidationError(
                _("Staff %(number)s is missing: %(fields)s")
                % {"number": row.employee_number or "?", "fields": "、".join(str(m) for m in missing)}
            )
        return row


@transaction.atomic(durable=True)
def staff_create(*, actor: Any, ctx: access.AccessContext, row: StaffRow, password: str | None = None) -> Staff:
    access.require(actor, "add", Staff, ctx)
    row = row.cleaned()
    username = row.username or row.employee_number
    if Staff.objects.filter(employee_number=row.employee_number).exists():
        raise ValidationError(_("Employee number %(number)s is already registered.") % {"number": row.employee_number})
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The login name %(name)s is already taken.") % {"name": username})
    user = User.objects.create_user(username=username, email=row.email, password=password)
    staff = Staff.objects.create(user=user, **_staff_fields(row))
    audit_record(
        actor=actor, ctx=ctx, action="staff_create", target=staff, detail={"employee_number": row.employee_number}
    )
    return staff


def _staff_fields(row: StaffRow) -> dict[str, str]:
    return {
        "employee_number": row.employee_number,
        "family_name": row.family_name,
        "given_name": row.given_name,
        "family_name_kana": row.family_name_kana,
        "given_name_kana": row.given_name_kana,
        "extension": row.extension,
        "email": row.email,
    }


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int


@transaction.atomic(durable=True)
def staff_import(
    *, actor: Any, ctx: access.AccessContext, rows: Iterable[StaffRow], password: str | None = None
) -> ImportResult:
    """Register many staff at once (the personnel system's hand-over). Existing employee numbers are left as
    they are, so importing the same file twice changes nothing. All rows are checked before anything is
    written: one bad row refuses the whole import with its employee number in the message."""
    access.require(actor, "add", Staff, ctx)
    cleaned = [row.cleaned() for row in rows]
    seen: set[str] = set()
    for row in cleaned:
        if row.employee_number in seen:
            raise ValidationError(
                _("Employee number %(number)s appears twice in the import.") % {"number": row.employee_number}
            )
        seen.add(row.employee_number)
    existing = set(Staff.objects.filter(employee_number__in=seen).values_list("employee_number", flat=True))
    new_rows = [row for row in cleaned if row.employee_number not in existing]
    usernames = [row.username or row.employee_number for row in new_rows]
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise ValidationError(_("These login names are already taken: %(names)s") % {"names": ", ".join(sorted(taken))})
    # One hash for the whole batch: hashing is deliberately slow, and demo accounts share one password.
    password_hash = make_password(password)
    users = User.objects.bulk_create(
        [
            User(username=name, email=row.email, password=password_hash)
            for name, row in zip(usernames, new_rows, strict=True)
        ],
        batch_size=1000,
    )
    if any(u.pk is None for u in users):  # backends that do not return ids from bulk inserts
        ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        for user in users:
            user.pk = ids[user.username]
    Staff.objects.bulk_create(
        [Staff(user_id=user.pk, **_staff_fields(row)) for user, row in zip(users, new_rows, strict=True)],
        batch_size=1000,
    )
    audit_record(
        actor=actor, ctx=ctx, action="staff_import", target=f"{len(new_rows)} staff", detail={"created": len(new_rows)}
    )
    return ImportResult(created=len(new_rows), unchanged=len(cleaned) - len(new_rows))


# Django's admin only opens for is_staff accounts; these roles administer the portal there.
ADMIN_SITE_ROLES = frozenset({access.Role.HR, access.Role.IT})


@transaction.atomic(durable=True)
def staff_grant_role(*, actor: Any, ctx: access.AccessContext, staff: Staff, role: str) -> bool:
    """Put `staff` into a functional role (the Django group of that name). Members of the roles in
    ADMIN_SITE_ROLES also get is_staff, which Django's admin requires on top of the permission model.
    Returns False, and writes nothing, when the staff member already holds the role."""
    access.require(actor, "change", staff, ctx)
    try:
        role = access.Role(role)
    except ValueError:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role}) from None
    user = User.objects.select_for_update().get(pk=staff.user_id)
    if not user.is_active:
        raise ValidationError(_("%(staff)s's account is not active.") % {"staff": staff})
    group, _created = Group.objects.get_or_create(name=role.value)
    changed = False
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed = True
    if role in ADMIN_SITE_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        changed = True
    if changed:
        audit_record(
            actor=actor,
            ctx=ctx,
            action="staff_grant_role",
            target=staff,
            detail={"role": role.value, "is_staff": user.is_staff},
        )
    return changed


# --------------------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------------------


def _validate_assignment(
    *,
    staff: Staff,
    unit: OrgUnit,
    position: Position,
    start_date: date,
    end_date: date | None,
    is_primary: bool,
    exclude_pk: int | None = None,
) -> None:
    if end_date is not None and end_date < start_date:
        raise ValidationError(_("An assignment cannot end before it starts."))
    if not staff.user.is_active:
        raise ValidationError(_("%(staff)s's account is not active.") % {"staff": staff})
    others = Assignment.objects.filter(staff=staff).filter(period_overlaps(start_date, end_date))
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    same = others.filter(unit=unit, position=position).first()
    if same is not None:
        raise ValidationError(
            _("%(staff)s already holds %(position)s in %(unit)s from %(start)s.")
            % {"staff": staff, "position": position, "unit": unit, "start": _day(same.start_date)}
        )
    if is_primary:
        clash = others.filter(is_primary=True).select_related("unit", "position").first()
        if clash is not None:
            raise ValidationError(
                _(
                    "%(staff)s already has a primary post in that period (%(unit)s %(position)s from %(start)s). "
                    "End it first, or record the new post as 兼務."
                )
                % {"staff": staff, "unit": clash.unit, "position": clash.position, "start": _day(clash.start_date)}
            )


def _lock_staff(staff: Staff) -> Staff:
    """Serialise writers per staff member so that overlap checks cannot race."""
    return Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)


@transaction.atomic(durable=True)
def assignment_create(
    *,
    actor: Any,
    ctx: access.AccessContext,
    staff: Staff,
    unit: OrgUnit,
    position: Position,
    start_date: date,
    end_date: date | None = None,
    is_primary: bool = True,
) -> Assignment:
    candidate = Assignment(staff=staff, unit=unit, position=position, start_date=start_date, end_date=end_date)
    access.require(actor, "add", candidate, ctx)
    staff = _lock_staff(staff)
    _validate_assignment(
        staff=staff,
        unit=unit,
        position=position,
        start_date=start_date,
        end_date=end_date,
        is_primary=is_primary,
    )
    assignment = Assignment.objects.create(
        staff=staff,
        unit=unit,
        position=position,
        start_date=start_date,
        end_date=end_date,
        is_primary=is_primary,
    )
    audit_record(
        actor=actor,
        ctx=ctx,
        action="assignment_create",
        target=assignment,
        detail={
            "unit": unit.code,
            "position": position.code,
            "start_date": start_date,
            "end_date": end_date,
            "is_primary": is_primary,
        },
    )
    return assignment


@transaction.atomic(durable=True)
def assignment_update(
    *,
    actor: Any,
    ctx: access.AccessContext,
    assignment: Assignment,
    unit: OrgUnit,
    position: Position,
    start_date: date,
    end_date: date | None,
    is_primary: bool,
) -> Assignment:
    access.require(actor, "change", assignment, ctx)
    staff = _lock_staff(assignment.staff)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _validate_assignment(
        staff=staff,
        unit=unit,
        position=position,
        start_date=start_date,
        end_date=end_date,
        is_primary=is_primary,
        exclude_pk=assignment.pk,
    )
    before = {
        "unit": assignment.unit.code,
        "position": assignment.position.code,
        "start_date": assignment.start_date.isoformat(),
        "end_date": assignment.end_date and assignment.end_date.isoformat(),
        "is_primary": assignment.is_primary,
    }
    assignment.unit, assignment.position = unit, position
    assignment.start_date, assignment.end_date, assignment.is_primary = start_date, end_date, is_primary
    assignment.save()
    audit_record(actor=actor, ctx=ctx, action="assignment_update", target=assignment, detail={"before": before})
    return assignment


def assignment_end(*, actor: Any, ctx: access.AccessContext, assignment: Assignment, end_date: date) -> Assignment:
    """End a post on `end_date` (inclusive)."""
    return assignment_update(
        actor=actor,
        ctx=ctx,
        assignment=assignment,
        unit=assignment.unit,
        position=assignment.position,
        start_date=assignment.start_date,
        end_date=end_date,
        is_primary=assignment.is_primary,
    )


@dataclass(frozen=True)
class AssignmentRow:
    employee_number: str
    unit_code: str
    position_code: str
    start_date: date
    end_date: date | None = None
    is_primary: bool = True


@transaction.atomic(durable=True)
def assignment_import(*, actor: Any, ctx: access.AccessContext, rows: Iterable[AssignmentRow]) -> ImportResult:
    """Record many posts at once. A row identical to an existing assignment is left alone; every other row
    is checked by the same rules as assignment_create (primary posts never overlap) before anything is saved."""
    access.require(actor, "add", Assignment, ctx)
    rows = list(rows)
    staff_by_number = {
        s.employee_number: s
        for s in Staff.objects.select_related("user").filter(employee_number__in={r.employee_number for r in rows})
    }
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.unit_code for r in rows})}
    positions = {p.code: p for p in Position.objects.filter(code__in={r.position_code for r in rows})}
    existing: dict[int, list[Assignment]] = {}
    for a in Assignment.objects.filter(staff__in=list(staff_by_number.values())):
        existing.setdefault(a.staff_id, []).append(a)

    to_create: list[Assignment] = []
    unchanged = 0
    for row in rows:
        staff = staff_by_number.get(row.employee_number)
        unit = units.get(row.unit_code)
        position = positions.get(row.position_code)
        if staff is None:
            raise ValidationError(_("Unknown employee number %(number)s.") % {"number": row.employee_number})
        if unit is None:
            raise ValidationError(_("Unknown unit code %(code)s.") % {"code": row.unit_code})
        if position is None:
            raise ValidationError(_("Unknown position code %(code)s.") % {"code": row.position_code})
        if row.end_date is not None and row.end_date < row.start_date:
            raise ValidationError(
                _("%(number)s: an assignment cannot end before it starts.") % {"number": row.employee_number}
            )
        held = existing.setdefault(staff.pk, [])
        if any(
            (a.unit_id, a.position_id, a.start_date, a.end_date, a.is_primary)
            == (unit.pk, position.pk, row.start_date, row.end_date, row.is_primary)
            for a in held
        ):
            unchanged += 1
            continue

        def meets(a: Assignment, row: AssignmentRow = row) -> bool:
            return (a.end_date is None or a.end_date >= row.start_date) and (
                row.end_date is None or a.start_date <= row.end_date
            )

        if row.is_primary and any(a.is_primary and meets(a) for a in held):
            raise ValidationError(
                _("%(number)s already has a primary post in that period.") % {"number": row.employee_number}
            )
        new = Assignment(
            staff=staff,
            unit=unit,
            position=position,
            start_date=row.start_date,
            end_date=row.end_date,
            is_primary=row.is_primary,
        )
        held.append(new)
        to_create.append(new)
    Assignment.objects.bulk_create(to_create, batch_size=1000)
    audit_record(actor=actor, ctx=ctx, action="assignment_import", target=f"{len(to_create)} assignments")
    return ImportResult(created=len(to_create), unchanged=unchanged)


# --------------------------------------------------------------------------------------------------------
# Delegations (代理)
# --------------------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def delegation_create(
    *,
    actor: Any,
    ctx: access.AccessContext,
    delegator: Staff,
    delegate: Staff,
    start_date: date,
    end_date: date,
    reason: str,
) -> Delegation:
    """The delegate acts as the delegator from start_date to end_date inclusive."""
    reason = reason.strip()
    access.require(actor, "add", Delegation(delegator=delegator, delegate=delegate), ctx)
    if delegator.pk == delegate.pk:
        raise ValidationError(_("You cannot delegate to yourself."))
    if end_date < start_date:
        raise ValidationError(_("A delegation cannot end before it starts."))
    if start_date < ctx.today:
        raise ValidationError(_("A delegation cannot start in the past."))
    if not reason:
        raise ValidationError(_("Please give a reason for the delegation."))
    # Lock both people in a fixed order so that two delegations set up at once cannot both pass the checks.
    first, second = sorted([delegator.pk, delegate.pk])
    locked = {s.pk: s for s in Staff.objects.select_for_update().select_related("user").filter(pk__in=[first, second])}
    delegator, delegate = locked[delegator.pk], locked[delegate.pk]
    if not delegate.user.is_active or not assignments_current(on=start_date).filter(staff=delegate).exists():
        raise ValidationError(
            _("%(delegate)s has no assignment on %(date)s and cannot act for anyone.")
            % {"delegate": delegate, "date": _day(start_date)}
        )
    if not assignments_current(on=start_date).filter(staff=delegator).exists():
        raise ValidationError(
            _("%(delegator)s has no assignment on %(date)s, so there is nothing to delegate.")
            % {"delegator": delegator, "date": _day(start_date)}
        )
    active = Delegation.objects.filter(period_overlaps(start_date, end_date), revoked_at__isnull=True).select_related(
        "delegate", "delegator"
    )
    clash = active.filter(delegator=delegator).first()
    if clash is not None:
        raise ValidationError(
            _("%(delegator)s has already delegated to %(other)s from %(start)s to %(end)s; revoke that first.")
            % {
                "delegator": delegator,
                "other": clash.delegate,
                "start": _day(clash.start_date),
                "end": _day(clash.end_date),
            }
        )
    away = active.filter(delegator=delegate).first()
    if away is not None:
        raise ValidationError(
            _("%(delegate)s is away in that period (delegated to %(other)s from %(start)s to %(end)s).")
            % {"delegate": delegate, "other": away.delegate, "start": _day(away.start_date), "end": _day(away.end_date)}
        )
    try:
        delegation = Delegation.objects.create(
            delegator=delegator,
            delegate=delegate,
            start_date=start_date,
            end_date=end_date,
            reason=reason,
            created_by=actor if actor is not None and actor.pk else _system_user(),
        )
    except IntegrityError:  # the check constraints; the checks above normally answer first
        raise ValidationError(_("This delegation is not valid.")) from None
    audit_record(
        actor=actor,
        ctx=ctx,
        action="delegation_create",
        target=delegation,
        detail={
            "delegator": delegator.employee_number,
            "delegate": delegate.employee_number,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    return delegation


@transaction.atomic(durable=True)
def delegation_revoke(*, actor: Any, ctx: access.AccessContext, delegation: Delegation) -> Delegation:
    access.require(actor, "revoke", delegation, ctx)
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.revoked_at is not None:
        raise ValidationError(_("This delegation has already been revoked."))
    if delegation.end_date < ctx.today:
        raise ValidationError(_("This delegation has already ended."))
    delegation.revoked_at = timezone.now()
    delegation.revoked_by = actor if actor is not None and actor.pk else None
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, ctx=ctx, action="delegation_revoke", target=delegation)
    return delegation


def _system_user() -> Any:
    """The account that system actions (seeding, imports) are recorded under."""
    user, _created = User.objects.get_or_create(
        username="system", defaults={"is_active": False, "first_name": "システム"}
    )
    return user


# --------------------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def export_record(
    *,
    actor: Any,
    ctx: access.AccessContext,
    what: str,
    fmt: str,
    rows: int,
    criteria: dict[str, Any],
    file: dict[str, Any] | None = None,
) -> None:
    """Log one export (who, what, how many rows, with which criteria, from where; for a file written in the
    background its digest and the 持ち出し permission it was downloaded under) before it is handed over: every table
    that leaves the portal as a file is logged this one way (the municipal rule on taking data out)."""
    audit_record(
        actor=actor,
        ctx=ctx,
        action="export",
        target=what,
        detail={"format": fmt, "rows": rows, "criteria": criteria, **({"file": file} if file else {})},
    )
