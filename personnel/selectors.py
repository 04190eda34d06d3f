"""Reads of the org master. Querysets out; permission-filtered reads go through personnel.access."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from personnel import access
from personnel.models import Assignment, Delegation, OrgUnit, Position, Staff


def _current(on: date) -> Q:
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def assignments_current(*, on: date) -> QuerySet[Assignment]:
    """Assignments held on `on` (start and end dates inclusive)."""
    return Assignment.objects.filter(_current(on))


def staff_current_assignments(*, staff: Staff, on: date) -> QuerySet[Assignment]:
    """A staff member's posts on `on`, primary post first, with unit and position loaded."""
    return (
        assignments_current(on=on)
        .filter(staff=staff)
        .select_related("unit", "position")
        .order_by("-is_primary", "-position__rank", "unit__path")
    )


def staff_primary_assignment(*, staff: Staff, on: date) -> Assignment | None:
    return staff_current_assignments(staff=staff, on=on).filter(is_primary=True).first()


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
    return Delegation.objects.filter(start_date__lte=on, end_date__gte=on, revoked_at__isnull=True)


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
    """The staff directory: name, kana, unit, extension. Searches kanji, kana, number and extension."""
    qs = Staff.objects.filter(user__is_active=True)
    query = query.strip()
    if query:
        terms = Q()
        for word in query.split():
            terms &= (
                Q(family_name__contains=word)
                | Q(given_name__contains=word)
                | Q(family_name_kana__contains=word)
                | Q(given_name_kana__contains=word)
                | Q(employee_number=word)
                | Q(extension=word)
                | Q(assignments__unit__name__contains=word)
            )
        qs = qs.filter(terms).distinct()
    return access.visible(user, "view", qs, ctx).order_by("family_name_kana", "given_name_kana", "pk")


def orgunit_tree(*, user: Any, ctx: access.AccessContext) -> QuerySet[OrgUnit]:
    """Every unit in tree order (materialised path order is depth-first)."""
    return access.visible(user, "view", OrgUnit.objects.all(), ctx).order_by("path")


def positions() -> QuerySet[Position]:
    return Position.objects.order_by("rank")
