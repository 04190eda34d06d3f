"""一括承認・決裁 as a set (approvals/services/bulk.py) leaves exactly what approving the same items one by one leaves:
the same states, the same audit entries in the same order, numbers taken in the same order, the same viewflow rows,
the same effects of the types' hooks — and a type that refuses one decision refuses that item alone.

Two staff of 人事係 file the same set of documents; the 課長 city.approver decides one set in one bulk and the other
one item at a time, in the same order; the records of the two are compared item by item.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Process, Task

from approvals import audit, services
from approvals.models import AuditEntry, Document, DocumentStatus, StepApprover
from leave import services as leave_services
from tests.approvals.helpers import approve_in_turn, file_document, slot_of

pytestmark = pytest.mark.django_db


def file_set(staff, city, office, leave_day: date) -> list[Document]:
    """What waits for the 課長: three memos and a leave at his decision, a ¥1,500,000 purchase he approves on to
    the 部長, and a memo whose type refuses the decision."""
    user = staff.user
    documents = [
        file_document(user, office, title="伺い1"),
        leave_services.leave_request_file(
            actor=user, ctx=office, leave_type="annual", unit="day", start_date=leave_day, end_date=leave_day
        ),
        file_document(user, office, doc_type="purchase", amount=1_500_000, title="購入"),
        file_document(user, office, title="伺い2", refuse_decision="予算の残額が足りません。"),
        file_document(user, office, title="伺い3"),
        file_document(user, office, title="伺い4"),
    ]
    return [approve_in_turn(d, [city.chief, city.delegate], office) for d in documents]


def records(documents: list[Document], since_seq: int, first_number: int) -> dict:
    """What the approval left, without ids, hashes or times: per document its state, route, number (relative to
    the first number of its set) and viewflow tasks; and the audit entries written since `since_seq`, in order."""

    def number(value: str | None) -> int | None:
        return None if value is None else int(value.rsplit("-", 1)[1]) - first_number

    docs = []
    for document in documents:
        document = Document.objects.get(pk=document.pk)
        slots = [
            (s.step.order, s.staff_id, s.state, s.acted_by_id, s.comment, s.acted_at is not None)
            for s in StepApprover.objects.filter(document=document).select_related("step").order_by("step__order", "pk")
        ]
        steps = list(document.steps.order_by("order").values_list("order", "state"))
        tasks = [
            (
                t.flow_task.name,
                t.flow_task_type,
                t.status,
                t.started is not None,
                t.finished is not None,
                sorted(p.flow_task.name for p in t.previous.all()),
            )  # fmt: skip
            for t in Task.objects.filter(process_id=document.process_id).order_by("pk")
        ]
        process = Process.objects.get(pk=document.process_id)
        docs.append(
            (
                document.status,
                number(document.number),
                document.decided_at is not None,
                slots,
                steps,
                tasks,
                process.status,
                process.finished is not None,
            )  # fmt: skip
        )
    index = {d.pk: i for i, d in enumerate(documents)}
    entries = [
        (
            index[e.document_id],
            e.action,
            e.actor_id,
            e.on_behalf_of_id,
            e.zone,
            e.comment,
            {k: (number(v) if k == "number" else v) for k, v in e.detail.items()},
        )  # fmt: skip
        for e in AuditEntry.objects.filter(seq__gt=since_seq).order_by("seq")
    ]
    return {"documents": docs, "entries": entries}


def first_number(documents: list[Document]) -> int:
    decided = Document.objects.filter(pk__in=[d.pk for d in documents], number__isnull=False).order_by("number")
    return int(decided.first().number.rsplit("-", 1)[1])


def test_a_bulk_decision_leaves_what_deciding_one_by_one_leaves(city, office):
    bulk_set = file_set(city.applicant, city, office, date(2026, 12, 1))
    single_set = file_set(city.colleague, city, office, date(2026, 12, 1))

    before = AuditEntry.objects.latest("seq").seq
    result = services.slots_bulk_approve(
        slot_ids=[slot_of(d, city.approver).pk for d in bulk_set], actor=city.approver.user, ctx=office
    )
    bulk = records(bulk_set, before, first_number(bulk_set))

    before = AuditEntry.objects.latest("seq").seq
    for document in sorted(single_set, key=lambda d: slot_of(d, city.approver).pk):
        try:
            services.slot_approve(slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office)
        except services.ActionRefused:
            pass  # the memo whose type refuses its decision, as in the bulk
    # The single path's entries are per document in the same order as the bulk's (documents filed in the same order).
    single = records(single_set, before, first_number(single_set))

    # The colleague's records name the colleague where the applicant's name the applicant: nothing does here,
    # since only the 課長 acted; the audit detail of leave's debit is in PersonnelAudit.
    assert bulk == single
    assert [d.title for d in result.decided] == ["伺い1", "年次休暇 2026/12/01 (1日)", "伺い3", "伺い4"]
    assert [d.title for d in result.approved] == ["購入"]
    assert [message for _slot, message in result.refused] == ["伺い2: 予算の残額が足りません。"]
    assert leave_services.leave_summary(staff=city.applicant, year=2026).used == Decimal(465)
    assert leave_services.leave_summary(staff=city.colleague, year=2026).used == Decimal(465)
    assert audit.verify().ok


def test_a_refused_item_keeps_nothing_of_the_bulk(city, office):
    documents = file_set(city.applicant, city, office, date(2026, 12, 1))
    refused = documents[3]

    services.slots_bulk_approve(
        slot_ids=[slot_of(d, city.approver).pk for d in documents], actor=city.approver.user, ctx=office
    )

    refused.refresh_from_db()
    assert (refused.status, refused.number) == (DocumentStatus.IN_PROGRESS, None)
    assert slot_of(refused, city.approver).state == "pending"
    assert not AuditEntry.objects.filter(document=refused, action="decide").exists()


def test_a_bulk_costs_the_same_statements_for_two_items_or_twelve(city, office, clock):
    """Set-based: the statements of a bulk do not grow with its items, apart from the savepoint each decision's
    own hook runs in (a memo's writes nothing)."""

    def memos(n: int) -> list[int]:
        return [
            slot_of(
                approve_in_turn(file_document(city.applicant.user, office), [city.chief, city.delegate], office),
                city.approver,
            ).pk  # fmt: skip
            for _ in range(n)
        ]

    two, twelve = memos(2), memos(12)
    with CaptureQueriesContext(connection) as small:
        services.slots_bulk_approve(slot_ids=two, actor=city.approver.user, ctx=office)
    with CaptureQueriesContext(connection) as large:
        services.slots_bulk_approve(slot_ids=twelve, actor=city.approver.user, ctx=office)

    # Per decision at most a SAVEPOINT and its RELEASE around its type's hook.
    assert len(large) - len(small) <= (12 - 2) * 2
    assert len(large) < 60
