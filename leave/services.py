"""Leave (休暇): balances, the checks a request must pass, filing, and what a decision debits.

A leave request is an approvals document of type "leave" (leave/doctype.py) with a LeaveRequest beside it. It
counts — for overlaps and for the limits — while its document is in progress or sent back (pending) and once decided
(taken); a withdrawn or rejected request counts for nothing. The annual balance (LeaveBalance) is debited
only when a leave is decided (the type's on_decided, called by the engine in the deciding transaction), so a
request that is withdrawn or rejected never took anything and gives nothing back.

The leave year is the calendar year (see leave/rules.py). Bad input raises ValidationError with a message
for the user; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from approvals import services as approval_services
from approvals.models import OPEN_STATUSES, Document, DocumentStatus
from leave.models import LEAVE, LeaveBalance, LeaveHalf, LeaveRequest, LeaveType, LeaveUnit
from leave.rules import (
    ANNUAL_DAYS,
    CARRY_OVER_DAYS,
    DAY_MINUTES,
    HOUR_MINUTES,
    SICK_DAYS,
    SUMMER_DAYS,
    WORK_END,
    WORK_START,
    LeaveQuantity,
    earliest_after_the_fact,
    format_minutes,
    quantity,
    working_days,
)
from personnel import absence, access
from personnel.audit import audit_record
from personnel.models import Staff
from personnel.org import staff_for_user

ANNUAL_GRANT_MINUTES = Decimal(ANNUAL_DAYS * DAY_MINUTES)
CARRY_OVER_MAX_MINUTES = Decimal(CARRY_OVER_DAYS * DAY_MINUTES)

# Statuses in which a leave request occupies its days: pending (filed, not yet decided) and taken.
COUNTING_STATUSES = (*OPEN_STATUSES, DocumentStatus.DECIDED)
REASON_MAX_LENGTH = 1000  # the form's limit, kept by the service too (callers other than the page)

# Special leave with a yearly limit, in minutes (summer is taken by the day, so its minutes are days × 465).
YEARLY_LIMIT_MINUTES = {
    LeaveType.SUMMER: Decimal(SUMMER_DAYS * DAY_MINUTES),
    LeaveType.SICK: Decimal(SICK_DAYS * DAY_MINUTES),
}

ZERO = Decimal(0)


def _year_range(year: int) -> Q:
    # A range on start_date rather than start_date__year, so the (staff, start_date) index is used.
    return Q(start_date__gte=date(year, 1, 1), start_date__lte=date(year, 12, 31))


# --------------------------------------------------------------------------------------------------------
# Balances
# --------------------------------------------------------------------------------------------------------


_ASK = object()


def _new_balance(*, staff: Staff, year: int, previous: LeaveBalance | None | object = _ASK) -> LeaveBalance:
    """The balance year `year` starts with (unsaved): 20 days granted, plus what was left of the year before,
    at most 20 days. No balance for the year before (a first year, or before the portal) carries nothing.
    `previous` is the year before's balance when the caller has read it already."""
    if previous is _ASK:
        previous = LeaveBalance.objects.filter(staff=staff, year=year - 1).first()
    carried = ZERO
    if previous is not None:
        carried = min(CARRY_OVER_MAX_MINUTES, max(ZERO, previous.remaining_minutes))
    return LeaveBalance(staff=staff, year=year, granted_minutes=ANNUAL_GRANT_MINUTES, carried_minutes=carried)


def leave_balance_for(*, staff: Staff, year: int, for_update: bool = False) -> LeaveBalance:
    """The annual leave balance of `staff` for `year`, created the first time that year is needed.

    The carry-over is worked out from year − 1 as it stands when year's row is created, and is then fixed:
    leave of year − 1 decided later does not change it. With `for_update` the row is locked until the
    caller's transaction ends (call it inside one). Two callers creating the same row at once both get it:
    the loser of the unique constraint reads the winner's row.
    """
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return leave_balance_for(staff=staff, year=year, for_update=for_update)
    rows = LeaveBalance.objects.filter(staff=staff, year=year)
    if for_update:
        rows = rows.select_for_update()
    balance = rows.first()
    if balance is not None:
        return balance
    new = _new_balance(staff=staff, year=year)
    try:
        with transaction.atomic():  # a savepoint: the transaction stays usable after a lost race
            new.save(force_insert=True)
    except IntegrityError:
        pass
    return rows.get()


@dataclass(frozen=True)
class LimitUsage:
    """A special leave type with a yearly limit: what was taken (decided), is pending, and the limit."""

    leave_type: str
    taken_minutes: Decimal
    pending_minutes: Decimal
    limit_minutes: Decimal

    @property
    def available_minutes(self) -> Decimal:
        return self.limit_minutes - self.taken_minutes - self.pending_minutes


@dataclass(frozen=True)
class LeaveSummary:
    """Annual leave of one staff member and year, in minutes, as the filing page shows it before filing."""

    year: int
    granted: Decimal
    carried: Decimal
    used: Decimal  # decided annual leave
    pending: Decimal  # annual leave filed and not yet decided
    limits: dict[str, LimitUsage] = field(default_factory=dict)  # summer and sick leave

    @property
    def available(self) -> Decimal:
        return self.granted + self.carried - self.used - self.pending


def leave_summary(*, staff: Staff, year: int, exclude_document_id: int | None = None) -> LeaveSummary:
    """Granted, carried, used, pending and available annual leave, and the summer and sick leave counted
    against their yearly limits. Writes nothing: a year without a balance row yet is shown as it would be
    created now. `exclude_document_id` leaves one request out (the one being refiled)."""
    balance = LeaveBalance.objects.filter(staff=staff, year=year).first() or _new_balance(staff=staff, year=year)
    requests = LeaveRequest.objects.filter(_year_range(year), staff=staff)
    if exclude_document_id is not None:
        requests = requests.exclude(document_id=exclude_document_id)
    return _summary(year, balance, requests.aggregate(**_summary_sums()))


def _summary_sums() -> dict[str, Sum]:
    pending = Q(document__status__in=OPEN_STATUSES)
    taken = Q(document__status=DocumentStatus.DECIDED)
    return {
        "annual_pending": Sum("minutes", filter=pending & Q(leave_type=LeaveType.ANNUAL)),
        **{
            f"{leave_type}_{name}": Sum("minutes", filter=status & Q(leave_type=leave_type))
            for leave_type in YEARLY_LIMIT_MINUTES
            for name, status in (("taken", taken), ("pending", pending))
        },
    }


def _summary(year: int, balance: LeaveBalance, sums: dict[str, Any]) -> LeaveSummary:
    return LeaveSummary(
        year=year,
        granted=balance.granted_minutes,
        carried=balance.carried_minutes,
        used=balance.used_minutes,
        pending=sums.get("annual_pending") or ZERO,
        limits={
            leave_type: LimitUsage(
                leave_type=leave_type,
                taken_minutes=sums.get(f"{leave_type}_taken") or ZERO,
                pending_minutes=sums.get(f"{leave_type}_pending") or ZERO,
                limit_minutes=limit,
            )
            for leave_type, limit in YEARLY_LIMIT_MINUTES.items()
        },
    )


def leave_summaries(*, keys: Iterable[tuple[Staff, int]]) -> dict[tuple[int, int], LeaveSummary]:
    """leave_summary for many (staff, year) at once, by (staff id, year): three queries per year asked, whatever
    the number of people (the facts beside a page of leave requests)."""
    staff_of = {staff.pk: staff for staff, _year in keys}
    wanted: dict[int, set[int]] = {}
    for staff, year in keys:
        wanted.setdefault(year, set()).add(staff.pk)
    found = {}
    for year, ids in wanted.items():
        balances = {b.staff_id: b for b in LeaveBalance.objects.filter(staff_id__in=ids, year=year)}
        previous = {b.staff_id: b for b in LeaveBalance.objects.filter(staff_id__in=ids - set(balances), year=year - 1)}
        sums = {
            row.pop("staff_id"): row
            for row in LeaveRequest.objects.filter(_year_range(year), staff_id__in=ids)
            .order_by()
            .values("staff_id")
            .annotate(**_summary_sums())
        }
        for staff_id in ids:
            balance = balances.get(staff_id) or _new_balance(
                staff=staff_of[staff_id], year=year, previous=previous.get(staff_id)
            )
            found[(staff_id, year)] = _summary(year, balance, sums.get(staff_id, {}))
    return found


# --------------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------------


def _hour_range(start_time: time, hours: int) -> tuple[int, int]:
    """Minutes since midnight [from, to) of an hour leave."""
    begin = start_time.hour * 60 + start_time.minute
    return begin, begin + hours * HOUR_MINUTES


def _clash(
    *,
    day: date,
    unit: str,
    half: str,
    hour_range: tuple[int, int] | None,
    minutes_that_day: Decimal,
    others: list[LeaveRequest],
) -> LeaveRequest | None:
    """The first counting request that the new one cannot sit beside on `day`, or None.

    A full day excludes anything else; two halves must be a morning and an afternoon; hour ranges must not
    meet. A half day and hours may share a day: the rules give a half day no clock times, so they are only
    held to the day's length — together no more than one working day (7 h 45 min) may be taken.
    """
    on_day = [r for r in others if r.start_date <= day <= r.end_date]
    total = minutes_that_day
    for other in on_day:
        if unit == LeaveUnit.DAY or other.unit == LeaveUnit.DAY:
            return other
        if unit == LeaveUnit.HALF_DAY and other.unit == LeaveUnit.HALF_DAY and half == other.half:
            return other
        if unit == LeaveUnit.HOUR and other.unit == LeaveUnit.HOUR and other.start_time is not None:
            begin, end = _hour_range(other.start_time, other.hours or 0)
            if hour_range is not None and hour_range[0] < end and begin < hour_range[1]:
                return other
        total += other.minutes
        if total > DAY_MINUTES:
            return other
    return None


def leave_request_validate(
    *,
    staff: Staff,
    leave_type: str,
    unit: str,
    start_date: date,
    end_date: date,
    half: str = "",
    start_time: time | None = None,
    hours: int | None = None,
    bereavement_event: str = "",
    exclude_document_id: int | None = None,
    today: date | None = None,
) -> LeaveQuantity:
    """What the request takes, once it is known to fit: a possible request (leave.quantity), hours inside the
    working day, not filed too long after the fact (when `today` is given: filing passes it), no clash with the
    staff member's pending or decided leave nor — for whole days — their telework, and within the annual balance
    (pending requests counted) or the special leave's yearly limit. Raises ValidationError with the first
    problem; writes nothing."""
    result = quantity(leave_type, unit, start_date, end_date, hours=hours, bereavement_event=bereavement_event)
    hour_range = None
    if unit == LeaveUnit.HALF_DAY and half not in LeaveHalf.values:
        raise ValidationError({"half": _("Please choose the morning or the afternoon for a half day.")})
    if unit == LeaveUnit.HOUR:
        if start_time is None:
            raise ValidationError({"start_time": _("Please give the time the hour leave starts.")})
        hour_range = _hour_range(start_time, hours)
        if hour_range[1] > 24 * 60:
            raise ValidationError({"hours": _("Hour leave must end on the day it starts.")})
        day_start, day_end = (t.hour * 60 + t.minute for t in (WORK_START, WORK_END))
        if hour_range[0] < day_start or hour_range[1] > day_end:
            raise ValidationError(
                _("Hour leave is taken within working hours (%(start)s–%(end)s).")
                % {"start": f"{WORK_START:%H:%M}", "end": f"{WORK_END:%H:%M}"}
            )
    if today is not None:
        back = (
            settings.LEAVE_SICK_AFTER_THE_FACT_DAYS
            if leave_type == LeaveType.SICK
            else settings.LEAVE_AFTER_THE_FACT_DAYS
        )
        earliest = earliest_after_the_fact(today, back)
        if start_date < earliest:
            raise ValidationError(
                _(
                    "This leave starts too far in the past: leave may be filed after the fact for up to %(days)s "
                    "working days (from %(earliest)s). Ask HR (人事担当) to correct older records."
                )
                % {"days": back, "earliest": date_format(earliest)}
            )
    if unit == LeaveUnit.DAY:
        telework = absence.day_plans(staff_id=staff.pk, start=start_date, end=end_date, kinds=["telework"])
        if telework:
            day, label = telework[0]
            raise ValidationError(
                _("On %(date)s you have applied for telework (%(what)s): withdraw it before taking the day off.")
                % {"date": date_format(day), "what": label}
            )

    others = list(
        LeaveRequest.objects.filter(
            staff=staff,
            document__status__in=COUNTING_STATUSES,
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        .exclude(document_id=exclude_document_id)
        .order_by("start_date", "pk")
    )
    if others:
        per_day = result.minutes / result.working_days
        for day in working_days(start_date, end_date):
            other = _clash(
                day=day, unit=unit, half=half, hour_range=hour_range, minutes_that_day=per_day, others=others
            )
            if other is not None:
                # The message links to the request it overlaps (the form shows it as HTML; .messages keep the link).
                link = format_html(
                    '<a href="{}">{}</a>',
                    reverse("approvals:document", args=[other.document_id]),
                    _("request #%(request)s") % {"request": other.document_id},
                )
                raise ValidationError(
                    format_html(_("You already have leave on {date} ({link})."), date=date_format(day), link=link)
                )

    summary = leave_summary(staff=staff, year=start_date.year, exclude_document_id=exclude_document_id)
    if leave_type == LeaveType.ANNUAL and result.minutes > summary.available:
        raise ValidationError(
            _(
                "This request needs %(needed)s of annual leave, but only %(available)s is available in %(year)s "
                "(requests not yet decided included)."
            )
            % {
                "needed": format_minutes(result.minutes),
                "available": format_minutes(max(ZERO, summary.available)),
                "year": start_date.year,
            }
        )
    limit = summary.limits.get(leave_type)
    if limit is not None and result.minutes > limit.available_minutes:
        raise ValidationError(
            _(
                "This request needs %(needed)s of %(type)s, but only %(available)s of the yearly %(limit)s is left "
                "in %(year)s (requests not yet decided included)."
            )
            % {
                "needed": format_minutes(result.minutes),
                "type": LeaveType(leave_type).label,
                "available": format_minutes(max(ZERO, limit.available_minutes)),
                "limit": format_minutes(limit.limit_minutes),
                "year": start_date.year,
            }
        )
    return result


# --------------------------------------------------------------------------------------------------------
# Filing and deciding
# --------------------------------------------------------------------------------------------------------

# The title is part of the record and is written in Japanese whatever language the filer's screens use.
_TITLE_NAMES = {
    LeaveType.ANNUAL: "年次休暇",
    LeaveType.SUMMER: "夏季休暇",
    LeaveType.BEREAVEMENT: "慶弔休暇",
    LeaveType.SICK: "病気休暇",
}


def leave_title(
    *,
    leave_type: str,
    unit: str,
    start_date: date,
    end_date: date,
    half: str = "",
    start_time: time | None = None,
    hours: int | None = None,
    days: int,
) -> str:
    """年次休暇 2026/12/01–12/02 (2日), 年次休暇 2026/12/01 (午前半日), 病気休暇 2026/12/01 9:00–12:00 (3時間)."""
    when = f"{start_date:%Y/%m/%d}"
    if end_date != start_date:
        when += f"–{end_date:%m/%d}"
    if unit == LeaveUnit.HALF_DAY:
        amount = "午前半日" if half == LeaveHalf.AM else "午後半日"
    elif unit == LeaveUnit.HOUR and start_time is not None and hours is not None:
        until = (datetime.combine(start_date, start_time) + timedelta(hours=hours)).time()
        when += f" {start_time.hour}:{start_time.minute:02d}–{until.hour}:{until.minute:02d}"
        amount = f"{hours}時間"
    else:
        amount = f"{days}日"
    return f"{_TITLE_NAMES[LeaveType(leave_type)]} {when} ({amount})"


def leave_fields(
    *,
    leave_type: str,
    unit: str,
    start_date: date,
    end_date: date,
    half: str = "",
    start_time: time | None = None,
    hours: int | None = None,
    bereavement_event: str = "",
) -> dict[str, Any]:
    """A request's fields, keeping only what its unit and type use (a stray value from the form is not stored)."""
    return {
        "leave_type": leave_type,
        "unit": unit,
        "start_date": start_date,
        "end_date": end_date,
        "half": half if unit == LeaveUnit.HALF_DAY else "",
        "start_time": start_time if unit == LeaveUnit.HOUR else None,
        "hours": hours if unit == LeaveUnit.HOUR else None,
        "bereavement_event": bereavement_event if leave_type == LeaveType.BEREAVEMENT else "",
    }


def leave_request_file(
    *,
    actor: Any,
    ctx: access.AccessContext,
    leave_type: str,
    unit: str,
    start_date: date,
    end_date: date,
    half: str = "",
    start_time: time | None = None,
    hours: int | None = None,
    bereavement_event: str = "",
    reason: str = "",
    attachments: Sequence[UploadedFile] = (),
    contains_personal_info: bool = False,
) -> Document:
    """File a leave request for the actor through the approval engine (leave/doctype.py prepares it): the same
    path as the filing page, for the demo seed and other callers that have the fields at hand."""
    if staff_for_user(user=actor) is None:
        raise ValidationError(_("Only staff members can apply for leave."))
    data = {
        **leave_fields(
            leave_type=leave_type,
            unit=unit,
            start_date=start_date,
            end_date=end_date,
            half=half,
            start_time=start_time,
            hours=hours,
            bereavement_event=bereavement_event,
        ),
        "reason": reason,
    }
    return approval_services.document_file(
        actor=actor,
        ctx=ctx,
        doc_type=LEAVE,
        data=data,
        attachments=attachments,
        contains_personal_info=contains_personal_info,
    )


def leave_balance_move(
    *, staff: Staff, year: int, minutes: Decimal, document: Document, ctx: access.AccessContext, actor: Any, action: str
) -> LeaveBalance:
    """Add `minutes` (negative to give back) to what `staff` used of year's annual leave, with its audit row, in the
    caller's transaction. ValidationError when the balance would not cover it."""
    balance = leave_balance_for(staff=staff, year=year, for_update=True)
    if minutes > balance.remaining_minutes:
        raise ValidationError(
            _("%(staff)s has only %(available)s of annual leave left in %(year)s; this leave needs %(needed)s.")
            % {
                "staff": staff,
                "available": format_minutes(max(ZERO, balance.remaining_minutes)),
                "year": year,
                "needed": format_minutes(minutes),
            }
        )
    used_before = balance.used_minutes
    balance.used_minutes = max(ZERO, used_before + minutes)
    balance.save(update_fields=["used_minutes"])
    audit_record(
        actor=actor.by,
        on_behalf_of=actor.for_,
        ctx=ctx,
        action=action,
        target=f"{staff} {year}",
        detail={
            "document": document.pk,
            "year": year,
            "minutes": minutes,
            "used_before": used_before,
            "used_after": balance.used_minutes,
        },
    )
    return balance


def special_leave_limit_check(*, leave: LeaveRequest) -> None:
    """A special leave with a yearly limit being decided: the decided ones of the year and this one fit in it."""
    limit = YEARLY_LIMIT_MINUTES.get(leave.leave_type)
    if limit is None:
        return
    year = leave.start_date.year
    taken = (
        LeaveRequest.objects.filter(
            _year_range(year),
            staff=leave.staff,
            leave_type=leave.leave_type,
            document__status=DocumentStatus.DECIDED,
        )
        .exclude(pk=leave.pk)
        .aggregate(total=Sum("minutes"))["total"]
        or ZERO
    )
    if taken + leave.minutes > limit:
        raise ValidationError(
            _("%(staff)s has only %(available)s of %(type)s left in %(year)s; this leave needs %(needed)s.")
            % {
                "staff": leave.staff,
                "available": format_minutes(max(ZERO, limit - taken)),
                "type": leave.get_leave_type_display(),
                "year": year,
                "needed": format_minutes(leave.minutes),
            }
        )


def _leave_days(staff_ids: Sequence[int], start: date, end: date, *, full_days: bool) -> list[tuple[int, date, str]]:
    rows = LeaveRequest.objects.filter(
        staff_id__in=staff_ids,
        document__status__in=COUNTING_STATUSES,
        start_date__lte=end,
        end_date__gte=start,
    )
    rows = rows.filter(unit=LeaveUnit.DAY) if full_days else rows.exclude(unit=LeaveUnit.DAY)
    return absence.spread(rows.values_list("staff_id", "start_date", "end_date", "document__title"), start, end)


def full_days_of_leave(staff_ids: Sequence[int], start: date, end: date) -> list[tuple[int, date, str]]:
    """personnel.absence day plans ("leave"): the working days of full-day leave filed or decided."""
    return _leave_days(staff_ids, start, end, full_days=True)


def part_days_of_leave(staff_ids: Sequence[int], start: date, end: date) -> list[tuple[int, date, str]]:
    """personnel.absence day plans ("leave_part"): half days and hours of leave filed or decided (the person works
    part of the day: no conflict with telework, but the team calendar shows it)."""
    return _leave_days(staff_ids, start, end, full_days=False)
