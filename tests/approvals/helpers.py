"""Steps the approvals tests share: file a leave document, find a person's place (slot) on its route, approve.

The route of a leave document filed by city.applicant (人事係): 係長 city.chief (step 1) → 課長補佐 city.delegate
(step 2) → 課長 city.approver (step 3, decides).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.utils import timezone

from approvals import services
from approvals.models import Document, StepApprover
from personnel import services as personnel_services
from personnel.models import Delegation, OrgUnit, Position, Staff


def file_leave(city, ctx, title: str = "年次休暇（12月1日）", **kwargs) -> Document:
    """city.applicant files a leave document (no leave detail row: the engine alone)."""
    return services.document_file(actor=city.applicant.user, ctx=ctx, doc_type="leave", title=title, **kwargs)


def slot_of(document: Document, staff: Staff) -> StepApprover:
    return StepApprover.objects.get(document=document, staff=staff)


def approve(document: Document, staff: Staff, ctx) -> Document:
    """`staff` approves (or decides) in their own place on the route."""
    return services.slot_approve(slot=slot_of(document, staff), actor=staff.user, ctx=ctx)


def approve_in_turn(document: Document, approvers: Iterable[Staff], ctx) -> Document:
    """Each of `approvers` approves in their own place, in the order given; returns the document as it is now."""
    for staff in approvers:
        approve(document, staff, ctx)
    return Document.objects.get(pk=document.pk)


def add_second_chief(city, system_ctx) -> Staff:
    """city.payroll_chief (係長 of 給与係) also becomes 係長 of 人事係 (兼務): step 1 gets two holders ("any")."""
    personnel_services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.payroll_chief,
        unit=OrgUnit.objects.get(pk=city.units["SS1"].pk),
        position=Position.objects.get(code="chief"),
        start_date=date(2026, 4, 1),
        is_primary=False,
    )
    return city.payroll_chief


def chief_delegates_to_colleague(city, ctx, *, days: int = 0, reason: str) -> Delegation:
    """The 係長 hands their place to the 係員 city.colleague from today (the frozen clock's day, which the pages
    count on too) for `days` more days."""
    today = timezone.localdate()
    return personnel_services.delegation_create(
        actor=city.chief.user,
        ctx=ctx,
        delegator=city.chief,
        delegate=city.colleague,
        start_date=today,
        end_date=today + timedelta(days=days),
        reason=reason,
    )
