"""Reads of the leave (休暇) pages: my leave (balance, yearly limits, my requests) and what the filing page shows
before anything is filed (the balance, the route the request will take, and the check of one request).

Each page costs the same number of queries however many requests the staff member has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from approvals.models import Document, DocumentType, RouteStep, StepApprover, StepKind, StepState
from approvals.routing import PlannedStep
from approvals.services import route_preview
from leave.models import LeaveType
from leave.rules import LeaveQuantity
from leave.services import LeaveSummary, leave_request_validate, leave_summary
from personnel import access
from personnel.models import Staff
from personnel.org import staff_for_user


def leave_documents_for_user(*, user: Any, ctx: access.AccessContext, start: date, end: date) -> QuerySet[Document]:
    """The user's own leave documents whose leave starts from `start` to `end`, latest leave first, each with its
    `leave_request` joined and the step it waits at now prefetched as `current_steps` (with its approvers)."""
    staff_id = access.principal(user, ctx).staff_id
    current_steps = Prefetch(
        "steps",
        queryset=RouteStep.objects.filter(state=StepState.ACTIVE)
        .exclude(kind=StepKind.CIRCULATE)
        .prefetch_related(Prefetch("approvers", queryset=StepApprover.objects.select_related("staff").order_by("pk"))),
        to_attr="current_steps",
    )
    documents = Document.objects.filter(
        applicant_id=staff_id,
        doc_type=DocumentType.LEAVE,
        leave_request__start_date__gte=start,
        leave_request__start_date__lte=end,
    )
    return (
        access.visible(user, "view", documents, ctx)
        .select_related("leave_request")
        .prefetch_related(current_steps)
        .order_by("-leave_request__start_date", "-pk")
    )


@dataclass(frozen=True)
class LeavePage:
    """My leave: this year's annual balance and special leave limits, and my requests of this year and next."""

    staff: Staff
    summary: LeaveSummary
    documents: list[Document]


def leave_page(*, user: Any, ctx: access.AccessContext) -> LeavePage | None:
    """None for a login without a staff record."""
    staff = staff_for_user(user=user)
    if staff is None:
        return None
    year = ctx.today.year
    documents = leave_documents_for_user(user=user, ctx=ctx, start=date(year, 1, 1), end=date(year + 1, 12, 31))
    return LeavePage(staff=staff, summary=leave_summary(staff=staff, year=year), documents=list(documents))


@dataclass(frozen=True)
class LeaveFilingPage:
    """What the filing page shows before filing: the year's balance and the route a leave request takes today,
    or why there is no route (`route_error`: who is missing; nothing can be filed then)."""

    staff: Staff
    summary: LeaveSummary
    route: tuple[PlannedStep, ...]
    route_error: str

    @property
    def can_file(self) -> bool:
        return not self.route_error


def leave_filing_page(*, user: Any, ctx: access.AccessContext, year: int) -> LeaveFilingPage | None:
    """None for a login without a staff record."""
    staff = staff_for_user(user=user)
    if staff is None:
        return None
    route: tuple[PlannedStep, ...] = ()
    route_error = ""
    try:
        route = route_preview(user=user, ctx=ctx, doc_type=DocumentType.LEAVE).steps
    except ValidationError as exc:  # routing.RouteError: the message names the missing post
        route_error = " ".join(exc.messages)
    except access.AccessDenied as exc:
        route_error = str(exc)
    return LeaveFilingPage(
        staff=staff, summary=leave_summary(staff=staff, year=year), route=route, route_error=route_error
    )


@dataclass(frozen=True)
class LeaveCheck:
    """One request checked before filing: what it takes and what is left after it (of the annual balance, or of
    the special leave's yearly limit); `remaining_after` is None for leave counted against neither."""

    leave_type: str
    quantity: LeaveQuantity
    remaining_after: Decimal | None


def leave_check(
    *,
    staff: Staff,
    summary: LeaveSummary,
    leave_type: str,
    unit: str,
    start_date: date,
    end_date: date,
    half: str = "",
    start_time: time | None = None,
    hours: int | None = None,
    bereavement_event: str = "",
) -> LeaveCheck:
    """leave_services.leave_request_validate (ValidationError with the first problem) plus what would be left;
    `summary` is the staff member's summary of start_date's year. Writes nothing."""
    result = leave_request_validate(
        staff=staff,
        leave_type=leave_type,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        half=half,
        start_time=start_time,
        hours=hours,
        bereavement_event=bereavement_event,
    )
    remaining: Decimal | None = None
    if leave_type == LeaveType.ANNUAL:
        remaining = summary.available - result.minutes
    elif leave_type in summary.limits:
        remaining = summary.limits[leave_type].available_minutes - result.minutes
    return LeaveCheck(leave_type=leave_type, quantity=result, remaining_after=remaining)
