"""Telework applications (在宅勤務申請): the checks an application must pass, filing it through the approval engine,
and the reads of the telework pages.

An application is an approvals document of type "telework" (telework_applications/doctype.py) with a
TeleworkApplication beside it, decided by
the 課長 (the default 専決規程 line "在宅勤務は課長専決"). It occupies its days while its document is in progress or
sent back, and once decided; a withdrawn or rejected application occupies nothing.

Rules: the period is in order, does not start in the past, starts and ends on working days (personnel/calendar.py:
weekends, national holidays and the year-end break are not working days), spans at most MAX_DAYS calendar days,
names the tasks and the place, and does not overlap another application of the same staff member that still
counts. Bad input raises ValidationError with a message for the user; nothing is written then.

"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals import services as approval_services
from approvals.models import OPEN_STATUSES, Document, DocumentStatus
from personnel import absence, access
from personnel.calendar import is_working_day, working_days
from personnel.models import Staff
from personnel.org import staff_for_user
from telework_applications.models import TELEWORK, TeleworkApplication

MAX_DAYS = 31  # calendar days one application may span
PLACE_MAX_LENGTH = TeleworkApplication._meta.get_field("place").max_length
TASKS_MAX_LENGTH = 2000  # a few paragraphs; the column is unbounded, the application is not
# Statuses in which an application occupies its days.
COUNTING_STATUSES = (*OPEN_STATUSES, DocumentStatus.DECIDED)


# --------------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------------


def telework_application_validate(
    *,
    staff: Staff,
    start_date: date,
    end_date: date,
    tasks: str,
    place: str,
    today: date,
    exclude_document_id: int | None = None,
) -> int:
    """The number of working days the application covers, or ValidationError with every problem found."""
    errors: list[str] = []
    if end_date < start_date:
        errors.append(_("The last day cannot be before the first day."))
    if start_date < today:
        errors.append(_("Telework cannot be applied for on a day that has passed."))
    if (end_date - start_date).days + 1 > MAX_DAYS:
        errors.append(
            ngettext(
                "One application covers at most %(days)d day; file the rest separately.",
                "One application covers at most %(days)d days; file the rest separately.",
                MAX_DAYS,
            )
            % {"days": MAX_DAYS}
        )
    for day in {start_date, end_date}:
        if not is_working_day(day):
            errors.append(
                _("%(day)s is not a working day: telework is applied for on working days only.")
                % {"day": date_format(day, "SHORT_DATE_FORMAT")}
            )
    if not tasks.strip():
        errors.append(_("Please describe the tasks you will work on."))
    elif len(tasks.strip()) > TASKS_MAX_LENGTH:
        errors.append(
            _("The tasks are too long (at most %(max)d characters; this has %(length)d).")
            % {"max": TASKS_MAX_LENGTH, "length": len(tasks.strip())}
        )
    if not place.strip():
        errors.append(_("Please give the place you will work from."))
    elif len(place.strip()) > PLACE_MAX_LENGTH:
        errors.append(_("The place is too long (at most %(max)d characters).") % {"max": PLACE_MAX_LENGTH})
    if errors:
        raise ValidationError(errors)
    clash = (
        TeleworkApplication.objects.filter(
            staff=staff,
            document__status__in=COUNTING_STATUSES,
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        .exclude(document_id=exclude_document_id)
        .order_by("start_date")
        .first()
    )
    leave = absence.day_plans(staff_id=staff.pk, start=start_date, end=end_date, kinds=["leave"])
    if leave:
        day, label = leave[0]
        raise ValidationError(
            _("On %(date)s you have a full day of leave (%(what)s): there is no work to do from home that day.")
            % {"date": date_format(day), "what": label}
        )
    if clash is not None:
        raise ValidationError(
            _("You already applied for telework from %(start)s to %(end)s; the periods overlap.")
            % {
                "start": date_format(clash.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(clash.end_date, "SHORT_DATE_FORMAT"),
            }
        )
    return len(working_days(start_date, end_date))


def telework_title(*, start_date: date, end_date: date, days: int) -> str:
    start = date_format(start_date, "SHORT_DATE_FORMAT")
    if start_date == end_date:
        return _("Telework on %(day)s") % {"day": start}
    return ngettext(
        "Telework %(start)s – %(end)s (%(days)d working day)",
        "Telework %(start)s – %(end)s (%(days)d working days)",
        days,
    ) % {"start": start, "end": date_format(end_date, "SHORT_DATE_FORMAT"), "days": days}


# --------------------------------------------------------------------------------------------------------
# Filing
# --------------------------------------------------------------------------------------------------------


def telework_application_file(
    *, actor: Any, ctx: access.AccessContext, start_date: date, end_date: date, tasks: str, place: str
) -> Document:
    """File a telework application for the actor through the approval engine (telework_applications/doctype.py
    prepares it), as the filing page does."""
    if staff_for_user(user=actor) is None:
        raise ValidationError(_("Only staff members can apply for telework."))
    data = {"start_date": start_date, "end_date": end_date, "tasks": tasks, "place": place}
    return approval_services.document_file(actor=actor, ctx=ctx, doc_type=TELEWORK, data=data)


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def telework_applications_mine(*, user: Any, ctx: access.AccessContext) -> QuerySet[TeleworkApplication]:
    """The user's own applications, latest period first, with their documents."""
    staff_id = access.principal(user, ctx).staff_id
    rows = TeleworkApplication.objects.filter(staff_id=staff_id)
    return access.visible(user, "view", rows, ctx).select_related("document").order_by("-start_date", "-pk")


def telework_days(staff_ids: Sequence[int], start: date, end: date) -> list[tuple[int, date, str]]:
    """personnel.absence day plans ("telework"): the working days of telework applied for or approved."""
    rows = TeleworkApplication.objects.filter(
        staff_id__in=staff_ids, document__status__in=COUNTING_STATUSES, start_date__lte=end, end_date__gte=start
    ).values_list("staff_id", "start_date", "end_date", "document__title")
    return absence.spread(rows, start, end)
