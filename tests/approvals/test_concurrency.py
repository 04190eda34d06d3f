"""Approvers acting at the same moment (PostgreSQL: real row locks and parallel connections).

The services lock the document row first, then the audit chain's head; deciding also locks the department's
number sequence. These tests release several threads at one instant and check that exactly one of two
competing actions wins, that 決裁番号 stay unique and gap-free, and that the audit chain never forks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from approvals import audit, services
from approvals.models import AuditAction, AuditEntry, Document, DocumentStatus, SlotState, StepApprover
from personnel import services as personnel_services
from personnel.access import AccessContext
from personnel.models import OrgUnit, Position, Staff
from tests.approvals.helpers import away, file_document, slot_of
from tests.concurrency import race
from tests.conftest import TODAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race_in_english(*actions: Callable[[], object]) -> list[object]:
    """`race` with English in each thread (refusals are compared with their msgids), waiting up to a minute."""
    return race(*actions, language="en", timeout=60)


def ctx() -> AccessContext:
    """A fresh request context per thread (each request loads its own principal)."""
    return AccessContext.office(today=TODAY)


def file_leave(city, title: str = "年次休暇") -> Document:
    """city.applicant files a memo now, in a context of its own (helpers.file_leave takes one)."""
    return file_document(city.applicant.user, ctx(), title=title)


def approving(document: Document, staff: Staff) -> Callable[[], Document]:
    """The action of `staff` approving in their place, to run in a thread (unlike helpers.approve, not run yet)."""
    slot = slot_of(document, staff)
    return lambda: services.slot_approve(slot=slot, actor=staff.user, ctx=ctx())


def at_the_decision(city, count: int) -> list[Document]:
    documents = [file_leave(city, f"年次休暇{i}") for i in range(count)]
    for document in documents:
        for staff in (city.chief, city.delegate):
            approving(document, staff)()
    return documents


def outcomes(results: list[object]) -> tuple[list[Document], list[services.AlreadyHandled], list[object]]:
    won = [r for r in results if isinstance(r, Document)]
    lost = [r for r in results if isinstance(r, services.AlreadyHandled)]
    other = [r for r in results if not isinstance(r, Document | services.AlreadyHandled)]
    return won, lost, other


def test_it_lets_one_of_two_tabs_approve_the_same_step(city):
    document = file_leave(city)

    won, lost, other = outcomes(race_in_english(approving(document, city.chief), approving(document, city.chief)))

    assert (len(won), len(lost), other) == (1, 1, [])
    assert "already handled by 鈴木 一郎" in str(lost[0])
    assert AuditEntry.objects.filter(document=document, action=AuditAction.APPROVE).count() == 1
    assert slot_of(document, city.delegate).state == SlotState.PENDING
    assert audit.verify().ok


def test_it_lets_one_of_two_holders_of_an_any_step_approve(city, system_ctx):
    personnel_services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=Staff.objects.get(pk=city.payroll_chief.pk),
        unit=OrgUnit.objects.get(code="SS1"),
        position=Position.objects.get(code="chief"),
        start_date=date(2026, 4, 1),
        is_primary=False,
    )
    document = file_leave(city)

    results = race_in_english(approving(document, city.chief), approving(document, city.payroll_chief))

    won, lost, other = outcomes(results)
    assert (len(won), len(lost), other) == (1, 1, [])
    winner = city.chief if isinstance(results[0], Document) else city.payroll_chief
    assert f"already handled by {winner}" in str(lost[0])
    states = sorted(StepApprover.objects.filter(document=document, step__order=1).values_list("state", flat=True))
    assert states == [SlotState.APPROVED, SlotState.NOT_NEEDED]
    assert AuditEntry.objects.filter(document=document, action=AuditAction.APPROVE).count() == 1
    assert slot_of(document, city.delegate).state == SlotState.PENDING


def test_it_numbers_parallel_decisions_of_one_department_without_gaps_or_duplicates(city):
    documents = at_the_decision(city, 8)

    results = race_in_english(*(approving(d, city.approver) for d in documents))

    assert all(isinstance(r, Document) for r in results), results
    numbers = sorted(Document.objects.filter(status=DocumentStatus.DECIDED).values_list("number", flat=True))
    assert numbers == [f"2026-総務-{n:06d}" for n in range(1, 9)]


def test_it_keeps_the_audit_chain_whole_under_parallel_actions(city):
    step_one = [file_leave(city, f"係長{i}") for i in range(3)]
    to_decide = at_the_decision(city, 3)
    to_withdraw = file_leave(city, "取り下げ")
    before = AuditEntry.objects.count()

    results = race_in_english(
        *(approving(d, city.chief) for d in step_one),
        *(approving(d, city.approver) for d in to_decide),
        lambda: services.document_withdraw(document=to_withdraw, actor=city.applicant.user, ctx=ctx()),
        lambda: file_leave(city, "新規"),
    )

    assert all(isinstance(r, Document) for r in results), results
    report = audit.verify()
    assert report.ok, report
    assert report.counts["approvals"] == before + 8
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, before + 9))


def test_it_decides_ahead_of_absent_approvers_while_another_decision_is_made(city):
    """後閲 appends its audit entry before it decides; a plain decision takes its number first. Both at once in
    one department must both go through (a lock-order inversion would end one of them in a deadlock)."""
    away(city, city.chief, city.delegate)
    for _round in range(3):
        plain = at_the_decision(city, 1)[0]
        ahead = file_leave(city, "後閲")
        ahead_slot = slot_of(ahead, city.approver)

        results = race_in_english(
            approving(plain, city.approver),
            lambda slot=ahead_slot: services.slot_approve_ahead(slot=slot, actor=city.approver.user, ctx=ctx()),
        )

        assert all(isinstance(r, Document) for r in results), results
    assert Document.objects.filter(status=DocumentStatus.DECIDED).count() == 6
    assert audit.verify().ok


def test_it_bulk_decides_for_two_departments_while_one_of_them_decides_alone(city, system_ctx):
    """A bulk decision across departments takes one number sequence after another while holding the audit head;
    a plain decision in the second department at the same moment must not leave the two waiting for each other."""
    clerk = personnel_services.staff_create(
        actor=None,
        ctx=system_ctx,
        row=personnel_services.StaffRow("100010", "木村", "翔", "キムラ", "ショウ", extension="0010"),
        password="kessai-test-pass-2026",  # noqa: S106
    )
    personnel_services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=clerk,
        unit=OrgUnit.objects.get(code="SS4"),  # 窓口係 of 市民部: its memos are decided by city.outsider
        position=Position.objects.get(code="staff"),
        start_date=date(2026, 4, 1),
    )
    outsider = Staff.objects.get(pk=city.outsider.pk)
    personnel_services.delegation_create(
        actor=outsider.user,
        ctx=ctx(),
        delegator=outsider,
        delegate=Staff.objects.get(pk=city.approver.pk),
        start_date=TODAY,
        end_date=TODAY,
        reason="研修のため",
    )
    for _round in range(3):
        general_affairs = at_the_decision(city, 1)[0]
        citizens = [file_document(clerk.user, ctx(), title=f"窓口{i}") for i in range(2)]
        bulk = [slot_of(general_affairs, city.approver).pk, slot_of(citizens[0], outsider).pk]

        results = race_in_english(
            lambda ids=bulk: services.slots_bulk_approve(slot_ids=ids, actor=city.approver.user, ctx=ctx()),
            approving(citizens[1], outsider),
        )

        assert isinstance(results[0], services.BulkResult), results
        assert (len(results[0].decided), results[0].refused) == (2, [])
        assert isinstance(results[1], Document), results
    numbers = sorted(Document.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == [f"2026-市民-{n:06d}" for n in range(1, 7)] + [f"2026-総務-{n:06d}" for n in range(1, 4)]
    assert audit.verify().ok
