"""The org master's plain queries: who holds which post, and which delegations run, on a given day.

No permission filtering here (that is personnel/access.py, which reads these to know the user); one query each.
Day arguments come from the caller's access context (`ctx.today`), never from the machine's clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from personnel.models import Assignment, Delegation, OrgUnit, Staff, UnitKind


def period_overlaps(start: date, end: date | None) -> Q:
    """Rows whose [start_date, end_date] (inclusive; no end date = open-ended) meets [start, end]."""
    q = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        q &= Q(start_date__lte=end)
    return q


def assignments_current(*, on: date) -> QuerySet[Assignment]:
    """Assignments held on `on` (start and end dates inclusive)."""
    return Assignment.objects.filter(period_overlaps(on, on))


def staff_current_assignments(*, staff: Staff, on: date) -> QuerySet[Assignment]:
    """A staff member's posts on `on`, primary post first, with unit and position loaded."""
    return (
        assignments_current(on=on)
        .filter(staff=staff)
        .select_related("unit", "position")
        .order_by("-is_primary", "-position__rank", "unit__path")
    )


def unit_ancestor_paths(unit: OrgUnit) -> list[str]:
    """The paths of `unit` and every unit above it, nearest first (materialised path prefixes, no queries)."""
    step = OrgUnit.steplen
    return [unit.path[:end] for end in range(len(unit.path), 0, -step)]


def unit_superiors(*, unit: OrgUnit, rank: int, on: date) -> QuerySet[Assignment]:
    """Who holds a post of `rank` over `unit` on `on`: the nearest unit at or above `unit` that has one.

    "Who is the 課長 of this 係 today" is unit_superiors(unit=係, rank=5, on=today). Several holders are
    returned when the nearest unit has several (e.g. an acting 兼務 beside the holder). One query.
    """
    paths = unit_ancestor_paths(unit)
    holders = (
        assignments_current(on=on)
        .filter(unit__path__in=paths, position__rank=rank, staff__user__is_active=True)
        .select_related("staff", "unit", "position")
    )
    nearest = holders.order_by("-unit__depth").values_list("unit__depth", flat=True)[:1]
    return holders.filter(unit__depth__in=nearest).order_by("-is_primary", "staff__employee_number")


def unit_superior_chain(*, unit: OrgUnit, on: date, min_rank: int = 1) -> QuerySet[Assignment]:
    """Every post of rank >= min_rank held on `on` in `unit` and the units above it, nearest unit first.

    The head of each level sorts before others in the same unit (higher rank first). One query.
    """
    return (
        assignments_current(on=on)
        .filter(
            unit__path__in=unit_ancestor_paths(unit),
            position__rank__gte=min_rank,
            staff__user__is_active=True,
        )
        .select_related("staff", "unit", "position")
        .order_by("-unit__depth", "-position__rank", "-is_primary", "staff__employee_number")
    )


def delegations_active(*, on: date) -> QuerySet[Delegation]:
    return Delegation.objects.filter(period_overlaps(on, on), revoked_at__isnull=True)


def staff_for_user(*, user: Any) -> Staff | None:
    """The staff row of a login account, or None (a bare superuser, the system account)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.filter(user_id=user.pk).first()


def unit_label(unit: OrgUnit, parent: OrgUnit | None) -> str:
    """A unit named with the unit above it (市民部 市民課), as staff read it; the city and its 局 stand alone."""
    if parent is None or parent.kind == UnitKind.CITY:
        return unit.name
    return f"{parent.name} {unit.name}"


def unit_labels(units: Iterable[OrgUnit]) -> dict[int, str]:
    """Each unit's label (unit_label) by pk: one query for the parents of all of them."""
    units = list(units)
    parent_paths = {u.path[: -OrgUnit.steplen] for u in units if u.depth > 1}
    parents = {p.path: p for p in OrgUnit.objects.filter(path__in=parent_paths)} if parent_paths else {}
    return {u.pk: unit_label(u, parents.get(u.path[: -OrgUnit.steplen])) for u in units}


def unit_choices() -> list[tuple[int, str]]:
    """Every unit as a choice, in tree order, labelled with its parent (one query)."""
    units = list(OrgUnit.objects.order_by("path"))
    by_path = {u.path: u for u in units}
    return [(u.pk, unit_label(u, by_path.get(u.path[: -OrgUnit.steplen]))) for u in units]


def staff_superiors(*, staff: Staff, on: date) -> list[Staff]:
    """Who is above `staff` on `on`: the nearest holder of a higher post over their primary post's unit (the 係長's
    課長, the 課長's 部長), or several when that unit has several. Empty for the top of the tree."""
    post = staff_current_assignments(staff=staff, on=on).first()
    if post is None:
        return []
    chain = unit_superior_chain(unit=post.unit, on=on, min_rank=post.position.rank + 1).exclude(staff=staff)
    first = chain.first()
    if first is None:
        return []
    return [a.staff for a in chain.filter(unit=first.unit, position__rank=first.position.rank)]
