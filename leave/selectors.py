"""Reads of the leave (休暇) pages: my leave (balance, yearly limits, my requests).

Each page costs the same number of queries however many requests the staff member has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from approvals.models import Document, DocumentStatus, RouteStep, StepApprover, StepKind, StepState
from leave.models import LEAVE, LeaveRequest
from leave.services import LeaveSummary, leave_summary
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
        doc_type=LEAVE,
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


def absent_on(staff_ids: list[int], day: date) -> dict[int, str]:
    """personnel.absence source: who is on decided leave on `day`, with the leave's title as the reason."""
    rows = (
        LeaveRequest.objects.filter(
            staff_id__in=staff_ids,
            start_date__lte=day,
            end_date__gte=day,
            document__status=DocumentStatus.DECIDED,
        )
        .order_by("start_date")
        .values_list("staff_id", "document__title")
    )
    return dict(rows)
