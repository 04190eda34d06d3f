"""Steps the approvals tests share: file a document, find a person's place (slot) on its route, approve.

The engine is tested with the test-only document types of tests/sample_types (installed for the test run by
PORTAL_EXTRA_APPS): "memo" (一般伺い, decided by the 課長; its `refuse_decision` makes its decision hook refuse) and
"purchase" (物品購入伺い, routed by amount: ≤ ¥1,000,000 課長, ≤ ¥10,000,000 部長, above 局長).

The route of a memo filed by city.applicant (人事係): 係長 city.chief (step 1) → 課長補佐 city.delegate (step 2) →
課長 city.approver (step 3, decides).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from approvals import services
from approvals.models import Document, StepApprover
from personnel import services as personnel_services
from personnel.access import AccessContext, Role
from personnel.models import Delegation, OrgUnit, Position, Staff
from tests.conftest import PASSWORD, TODAY
from tests.sample_types.models import MEMO, PURCHASE, Stock

ENGINE_FIELDS = {"attachments", "consultees", "circulate_to", "drafting_unit", "contains_personal_info"}


def paper() -> Stock:
    """The stock purchases draw on (plenty of it)."""
    return Stock.objects.get_or_create(name="コピー用紙", defaults={"available": 1_000_000})[0]


def file_document(
    user,
    ctx,
    *,
    doc_type: str = MEMO,
    title: str = "一般伺い",
    amount: int | Decimal | None = None,
    **kwargs,
) -> Document:
    """`user` files a memo (or, with doc_type="purchase", a purchase of one item at `amount` yen) through the
    engine's one filing path. Engine arguments (consultees, circulate_to, attachments, drafting_unit,
    contains_personal_info) pass through; anything else goes into the type's data (e.g. note, refuse_decision)."""
    engine = {k: v for k, v in kwargs.items() if k in ENGINE_FIELDS}
    data = {k: v for k, v in kwargs.items() if k not in ENGINE_FIELDS}
    if doc_type == PURCHASE:
        data = {"stock": paper(), "quantity": 1, "unit_price": Decimal(amount if amount is not None else 0), **data}
    return services.document_file(actor=user, ctx=ctx, doc_type=doc_type, data={"title": title, **data}, **engine)


def file_leave(city, ctx, title: str = "一般伺い（12月1日）", **kwargs) -> Document:
    """city.applicant files a memo (the engine with the smallest type): 係長 → 課長補佐 → 課長 decides."""
    return file_document(city.applicant.user, ctx, title=title, **kwargs)


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


def away(city, *people: Staff) -> None:
    """HR marks `people` absent today (出張), so 後閲 may pass them over."""
    from personnel import absence

    for staff in people:
        absence.absence_mark(
            staff=staff, day=TODAY, reason="出張", actor=city.hr_clerk.user, ctx=AccessContext.office(today=TODAY)
        )


def center_clerk(city, system_ctx) -> Staff:
    """A clerk of the 庶務センター (the role that checks decided payroll inputs centrally), in 給与係."""
    staff = personnel_services.staff_create(
        actor=None,
        ctx=system_ctx,
        row=personnel_services.StaffRow(
            "100010", "加藤", "由美", "カトウ", "ユミ", extension="0010", email="s100010@city.example.jp"
        ),
        password=PASSWORD,
    )
    personnel_services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=staff,
        unit=city.unit("SS2"),
        position=Position.objects.get(code="staff"),
        start_date=date(2026, 4, 1),
    )
    staff.user.groups.add(Group.objects.get_or_create(name=Role.GENERAL_AFFAIRS)[0])
    return staff
