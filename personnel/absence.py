"""Who is absent on a day, and why (不在) — what 後閲 asks before it passes an approver over.

    absences(staff_ids, day) -> {staff_id: reason}   marked absences, then every registered source
    absence_on(*, staff, day)                        the absence marked for that day, if any
    absence_mark(*, staff, day, reason, actor, ctx)  the person themselves or HR; audited
    absence_clear(*, staff, day, actor, ctx)         taken back; audited
    register_source(source)                          a document type that knows of absences (decided leave; a
                                                     travel order when it exists) adds them here
    day_plans(*, staff_id, start, end, kinds)        what a person has filed for those days (full days of leave,
    register_day_plans(kind, source)                 telework) by the types that know, so one type can refuse a
                                                     day another has taken without importing it
    team_plans(*, staff_ids, start, end, kinds=None) the same for many people at once (the team calendar, the facts
                                                     an approver sees beside a leave request)

The ground layer knows no document type: sources are plugged in by the apps that own them (leave/apps.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from personnel import access
from personnel.audit import audit_record
from personnel.calendar import working_days
from personnel.models import Absence, Staff

MAX_REASON_LENGTH = 100

AbsenceSource = Callable[[list[int], date], dict[int, str]]
_sources: list[AbsenceSource] = []


def register_source(source: AbsenceSource) -> None:
    if source not in _sources:
        _sources.append(source)


def absences(staff_ids: Iterable[int], day: date) -> dict[int, str]:
    """Why each of `staff_ids` who is absent on `day` is absent; the others are not in the answer."""
    ids = sorted(set(staff_ids))
    found: dict[int, str] = {}
    for source in _sources:
        for staff_id, reason in source(ids, day).items():
            found.setdefault(staff_id, reason)
    marked = Absence.objects.filter(staff_id__in=ids, day=day).values_list("staff_id", "reason")
    with translation.override(settings.LANGUAGE_CODE):  # kept in the record in the city's language
        for staff_id, reason in marked:
            found[staff_id] = _("Absent: %(reason)s") % {"reason": reason}
    return found


def absence_on(*, staff: Staff, day: date) -> Absence | None:
    """The absence marked for `staff` on `day`, if any (my page shows it with the way back)."""
    return Absence.objects.filter(staff=staff, day=day).first()


def absence_mark(*, staff: Staff, day: date, reason: str, actor: Any, ctx: access.AccessContext) -> Absence:
    """Mark `staff` absent on `day` (themselves, or HR for anyone); marking again replaces the reason."""
    access.require(actor, "mark", Absence(staff=staff), ctx)
    reason = " ".join(reason.split())
    if not reason:
        raise ValueError(_("Please say why (a business trip, training, …)."))
    if len(reason) > MAX_REASON_LENGTH:
        raise ValueError(_("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON_LENGTH})
    with transaction.atomic():
        absence, _created = Absence.objects.update_or_create(
            staff=staff, day=day, defaults={"reason": reason, "marked_by": actor, "marked_at": timezone.now()}
        )
        audit_record(
            actor=actor,
            on_behalf_of=staff,
            ctx=ctx,
            action="absence_mark",
            target=absence,
            detail={"day": day, "reason": reason},
        )
    return absence


def absence_clear(*, staff: Staff, day: date, actor: Any, ctx: access.AccessContext) -> None:
    access.require(actor, "mark", Absence(staff=staff), ctx)
    with transaction.atomic():
        removed, _detail = Absence.objects.filter(staff=staff, day=day).delete()
        if removed:
            audit_record(
                actor=actor, on_behalf_of=staff, ctx=ctx, action="absence_clear", target=staff, detail={"day": day}
            )


# kind -> source(staff_ids, start, end) -> [(staff_id, day, label)] of days those people have filed for (pending or
# decided), one query per source whatever the number of people.
DayPlans = Callable[[Sequence[int], date, date], list[tuple[int, date, str]]]
_day_plans: dict[str, DayPlans] = {}
_day_plan_labels: dict[str, Any] = {}


def register_day_plans(kind: str, source: DayPlans, *, label: Any = None) -> None:
    """Add a kind of day plan; `label` is what the team calendar calls it (休暇, テレワーク)."""
    _day_plans[kind] = source
    _day_plan_labels[kind] = label if label is not None else kind


def day_plan_label(kind: str) -> str:
    return str(_day_plan_labels.get(kind, kind))


def day_plan_kinds() -> list[str]:
    """Every kind some installed app registered (the team calendar shows them all)."""
    return sorted(_day_plans)


def spread(periods: Iterable[tuple[int, date, date, str]], start: date, end: date) -> list[tuple[int, date, str]]:
    """A source's filed periods (person, first day, last day, label) as the working days they take between start and
    end."""
    return [
        (staff_id, day, label)
        for staff_id, first, last, label in periods
        for day in working_days(max(first, start), min(last, end))
    ]


def team_plans(
    *, staff_ids: Iterable[int], start: date, end: date, kinds: Iterable[str] | None = None
) -> dict[int, list[tuple[date, str, str]]]:
    """What each of `staff_ids` has filed for from `start` to `end`: {staff_id: [(day, kind, label)]}, earliest first;
    every registered kind unless `kinds` names some. One query per kind."""
    ids = sorted(set(staff_ids))
    found: dict[int, list[tuple[date, str, str]]] = {}
    if not ids:
        return found
    for kind in kinds if kinds is not None else day_plan_kinds():
        if kind in _day_plans:
            for staff_id, day, label in _day_plans[kind](ids, start, end):
                found.setdefault(staff_id, []).append((day, kind, label))
    for plans in found.values():
        plans.sort()
    return found


def day_plans(*, staff_id: int, start: date, end: date, kinds: Iterable[str]) -> list[tuple[date, str]]:
    """The days from `start` to `end` that `staff_id` has filed for as one of `kinds`, earliest first."""
    plans = team_plans(staff_ids=[staff_id], start=start, end=end, kinds=kinds).get(staff_id, [])
    return [(day, label) for day, _kind, label in plans]
