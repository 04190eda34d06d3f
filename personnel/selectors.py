"""Reads of the org master. Querysets out; permission-filtered reads go through personnel.access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Concat

from personnel import absence, access, calendar, org, text
from personnel.models import Assignment, Delegation, OrgUnit, Staff
from personnel.org import assignments_current, staff_current_assignments, staff_for_user, unit_ancestor_paths


def staff_delegations(*, staff: Staff, on: date) -> dict[str, QuerySet[Delegation]]:
    """Delegations given and received that are active or still to come on `on`."""
    base = Delegation.objects.filter(end_date__gte=on, revoked_at__isnull=True).select_related("delegator", "delegate")
    return {
        "given": base.filter(delegator=staff).order_by("start_date"),
        "received": base.filter(delegate=staff).order_by("start_date"),
    }


def staff_get_by_employee_number(*, employee_number: str) -> Staff | None:
    return Staff.objects.select_related("user").filter(employee_number=employee_number.strip()).first()


def staff_directory(*, user: Any, ctx: access.AccessContext, query: str = "") -> QuerySet[Staff]:
    """The staff directory: name, kana, unit, extension. Searches kanji, kana, number and extension; a full name
    typed without the space (山田太郎, ヤマダタロウ) finds it too."""
    qs = Staff.objects.filter(user__is_active=True)
    query = query.strip()
    if query:
        qs = qs.annotate(
            whole_name=Concat("family_name", "given_name"), whole_kana=Concat("family_name_kana", "given_name_kana")
        )
        terms = Q()
        for word in query.split():
            matches = Q()
            for variant in text.variants(word):
                matches |= (
                    Q(whole_name__contains=variant)
                    | Q(whole_kana__contains=variant)
                    | Q(employee_number=variant)
                    | Q(extension=variant)
                    | Q(assignments__unit__name__contains=variant)
                )
            terms &= matches
        qs = qs.filter(terms).distinct()
    return access.visible(user, "view", qs, ctx).order_by("family_name_kana", "given_name_kana", "pk")


def orgunit_tree(*, user: Any, ctx: access.AccessContext) -> QuerySet[OrgUnit]:
    """Every unit in tree order (materialised path order is depth-first)."""
    return access.visible(user, "view", OrgUnit.objects.all(), ctx).order_by("path")


# --------------------------------------------------------------------------------------------------------
# Pages of the portal shell (my page, directory, org tree). Each returns everything its page shows in a
# fixed number of queries, whatever the number of rows.
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyPage:
    staff: Staff | None
    assignments: list[Assignment]
    delegations_given: list[Delegation]
    delegations_received: list[Delegation]
    revocable_ids: frozenset[int]


def my_page(*, user: Any, ctx: access.AccessContext) -> MyPage:
    """Who I am, my posts today, and my active or upcoming delegations (with the ones I may revoke)."""
    staff = staff_for_user(user=user)
    if staff is None:
        return MyPage(None, [], [], [], frozenset())
    delegations = staff_delegations(staff=staff, on=ctx.today)
    given = list(delegations["given"])
    revocable = access.visible(user, "revoke", Delegation.objects.filter(pk__in=[d.pk for d in given]), ctx)
    return MyPage(
        staff=staff,
        assignments=list(staff_current_assignments(staff=staff, on=ctx.today)),
        delegations_given=given,
        delegations_received=list(delegations["received"]),
        revocable_ids=frozenset(revocable.values_list("pk", flat=True)) if given else frozenset(),
    )


def delegation_get_for_user(*, user: Any, ctx: access.AccessContext, pk: int) -> Delegation | None:
    """A delegation the user may see, or None."""
    return (
        access.visible(user, "view", Delegation.objects.select_related("delegator", "delegate"), ctx)
        .filter(pk=pk)
        .first()
    )


def staff_directory_rows(*, user: Any, ctx: access.AccessContext, query: str = "") -> QuerySet[Staff]:
    """The directory with each person's current posts prefetched as `current_posts` (primary post first):
    two queries per page, however many rows it shows."""
    posts = (
        assignments_current(on=ctx.today)
        .select_related("unit", "position")
        .order_by("-is_primary", "-position__rank", "unit__path")
    )
    return staff_directory(user=user, ctx=ctx, query=query).prefetch_related(
        Prefetch("assignments", queryset=posts, to_attr="current_posts")
    )


def _heads(on: date) -> Prefetch:
    """Each unit's head: its highest-ranked current post (a sliced prefetch, one window-function query)."""
    holders = (
        assignments_current(on=on)
        .filter(staff__user__is_active=True)
        .select_related("staff", "position")
        .order_by("-position__rank", "-is_primary", "staff__employee_number")
    )
    return Prefetch("assignments", queryset=holders[:1], to_attr="heads")


def orgunit_tree_with_heads(*, user: Any, ctx: access.AccessContext) -> QuerySet[OrgUnit]:
    """The org tree in depth-first order, each unit with `heads` (a list of at most one assignment)."""
    return orgunit_tree(user=user, ctx=ctx).prefetch_related(_heads(ctx.today))


@dataclass(frozen=True)
class UnitPage:
    unit: OrgUnit
    ancestors: list[OrgUnit]
    children: list[OrgUnit]
    members: list[Assignment]


def orgunit_page(*, user: Any, ctx: access.AccessContext, pk: int) -> UnitPage | None:
    """One unit as its page shows it: the units above it, the units under it with their heads, and who
    holds a post in it today (highest rank first). None when the user may not see the unit."""
    units = access.visible(user, "view", OrgUnit.objects.all(), ctx)
    unit = units.filter(pk=pk).first()
    if unit is None:
        return None
    above = [path for path in unit_ancestor_paths(unit) if path != unit.path]
    members = (
        assignments_current(on=ctx.today)
        .filter(unit=unit, staff__user__is_active=True)
        .select_related("staff", "position")
        .order_by("-position__rank", "-is_primary", "staff__family_name_kana", "staff__given_name_kana")
    )
    return UnitPage(
        unit=unit,
        ancestors=list(units.filter(path__in=above).order_by("path")),
        children=list(
            units.filter(path__startswith=unit.path, depth=unit.depth + 1)
            .order_by("path")
            .prefetch_related(_heads(ctx.today))
        ),
        members=list(members),
    )


TEAM_CALENDAR_DAYS = 10  # working days shown (two weeks)


@dataclass(frozen=True)
class TeamCalendar:
    units: list[tuple[int, str]]  # the units whose calendar the user may open (label with parent)
    unit_id: int | None
    days: list[date]
    rows: list[tuple[Staff, list[list[str]]]]  # per member: per day, what they filed (kinds)


def team_calendar(*, user: Any, ctx: access.AccessContext, unit_id: int | None, start: date) -> TeamCalendar | None:
    """Who in a unit (and the units below it) has leave or telework on each of TEAM_CALENDAR_DAYS working days from
    `start`; None when the user may open no team's calendar. The kinds only (a colleague's leave type is theirs).
    A fixed number of queries: the units, the members, one per kind of plan."""
    posts = access.visible(user, "see_plans", assignments_current(on=ctx.today), ctx)
    unit_ids = set(posts.values_list("unit_id", flat=True))
    if not unit_ids:
        return None
    units = list(OrgUnit.objects.filter(pk__in=unit_ids).order_by("path"))
    labels_by_pk = org.unit_labels(units)
    chosen = next((u for u in units if u.pk == unit_id), units[0])
    days: list[date] = []
    day = start
    while len(days) < TEAM_CALENDAR_DAYS:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    members = list(
        Staff.objects.filter(
            pk__in=posts.filter(unit__path__startswith=chosen.path).values("staff_id"), user__is_active=True
        ).order_by("family_name_kana", "given_name_kana", "pk")
    )
    plans = absence.team_plans(staff_ids=[m.pk for m in members], start=days[0], end=days[-1])
    rows = []
    for member in members:
        by_day: dict[date, list[str]] = {}
        for plan_day, kind, _label in plans.get(member.pk, []):
            by_day.setdefault(plan_day, []).append(absence.day_plan_label(kind))
        rows.append((member, [by_day.get(d, []) for d in days]))
    return TeamCalendar(units=[(u.pk, labels_by_pk[u.pk]) for u in units], unit_id=chosen.pk, days=days, rows=rows)
