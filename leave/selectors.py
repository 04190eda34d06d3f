"""Reads of the leave (休暇) pages: my leave (balance, yearly limits, my requests).

Each page costs the same number of queries however many requests the staff member has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from approvals.models import Document, DocumentStatus, RouteStep, StepApprover, StepKind, StepState
from leave import services
from leave.models import LEAVE, LeaveRequest, LeaveType
from leave.services import LeaveSummary, leave_summary
from personnel import absence, access
from personnel.models import Staff
from personnel.org import assignments_current, staff_for_user


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


def leave_facts(*, documents: list[Document], ctx: access.AccessContext) -> dict[int, dict[str, Any]]:
    """Beside each leave request, for its approver: the applicant's balance after it (annual leave, or the yearly
    limit of summer and sick leave) and who else in the drafting unit has leave or telework on its days (the kind
    only: a colleague's leave type is theirs). A few queries per page, whatever its length."""
    details = {d.pk: d.detail for d in documents}
    summaries = services.leave_summaries(keys={(d.staff, d.start_date.year) for d in details.values()})
    start = min(d.start_date for d in details.values())
    end = max(d.end_date for d in details.values())
    members: dict[int, dict[int, str]] = {}  # unit -> {staff id: name}
    for unit_id, staff_id, family, given in (
        assignments_current(on=start)
        .filter(unit_id__in={d.drafting_unit_id for d in documents})
        .values_list("unit_id", "staff_id", "staff__family_name", "staff__given_name")
    ):
        members.setdefault(unit_id, {})[staff_id] = f"{family} {given}"
    everyone = {sid for team in members.values() for sid in team}
    plans = absence.team_plans(staff_ids=everyone, start=start, end=end)
    facts = {}
    for document in documents:
        detail = details[document.pk]
        summary = summaries[(detail.staff_id, detail.start_date.year)]
        if detail.leave_type == LeaveType.ANNUAL:
            after = summary.available
        elif detail.leave_type in summary.limits:
            after = summary.limits[detail.leave_type].available_minutes
        else:
            after = None
        team = members.get(document.drafting_unit_id, {})
        away = [
            {"day": day, "name": team[sid], "what": absence.day_plan_label(kind)}
            for sid in team
            if sid != detail.staff_id
            for day, kind, _label in plans.get(sid, [])
            if detail.start_date <= day <= detail.end_date
        ]
        away.sort(key=lambda row: (row["day"], row["name"]))
        facts[document.pk] = {"balance_after": after, "team_away": away}
    return facts
