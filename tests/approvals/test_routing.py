"""Who approves a document and who decides it (approvals/routing.py): the org tree and the 専決規程.

The rules of the test-only types (tests/sample_types, seeded from their default_rules): memo → 課長; purchase
≤ ¥1,000,000 → 課長, ≤ ¥10,000,000 → 部長, above → 局長 (nobody in the test city holds 局長).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from approvals import selectors, services
from approvals.models import AuditEntry, DecisionRule, Document, DocumentStatus, SlotState, StepApprover, StepKind
from approvals.routing import RouteError
from personnel import services as personnel_services
from personnel.access import AccessContext
from personnel.models import Assignment, Staff
from tests.approvals.helpers import add_second_chief, approve, file_document, slot_of
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def file(staff: Staff, ctx, doc_type: str = "memo", amount: int | None = None, **kwargs) -> Document:
    return file_document(
        staff.user, ctx, doc_type=doc_type, title=f"{doc_type} {amount or ''}".strip(), amount=amount, **kwargs
    )


def route(document: Document) -> list[tuple[str, str, list[str]]]:
    """(label, kind, approvers) per step; the decision step's kind is suffixed with "+decision"."""
    return [
        (
            step.label,
            f"{step.kind}+decision" if step.is_decision else str(step.kind),
            [str(slot.staff) for slot in step.approvers.order_by("pk")],
        )
        for step in document.steps.order_by("order")
    ]


def end_post(staff: Staff, system_ctx, on: date = TODAY - timedelta(days=1)) -> None:
    personnel_services.assignment_end(
        actor=None, ctx=system_ctx, assignment=Assignment.objects.get(staff=staff), end_date=on
    )


CHIEF = ("係長", "all", ["鈴木 一郎"])
DEPUTY = ("課長補佐", "all", ["中村 大輔"])
SECTION_HEAD_DECIDES = ("課長", "all+decision", ["高橋 健"])


# --------------------------------------------------------------------------------------------------------
# 専決規程: type and amount
# --------------------------------------------------------------------------------------------------------


def test_it_has_the_section_head_decide_a_budget_of_one_million_yen(city, office):
    document = file(city.applicant, office, "purchase", 1_000_000)

    assert route(document) == [CHIEF, DEPUTY, SECTION_HEAD_DECIDES]


def test_it_has_the_department_head_decide_a_budget_over_one_million_yen_after_the_section_head(city, office):
    document = file(city.applicant, office, "purchase", 1_000_001)

    assert route(document) == [
        CHIEF,
        DEPUTY,
        ("課長", "all", ["高橋 健"]),
        ("部長", "all+decision", ["田中 誠"]),
    ]


def test_it_routes_by_document_type_as_well_as_amount(city, office):
    purchase = file(city.applicant, office, "purchase", 1_000_001)
    cheap_purchase = file(city.applicant, office, "purchase", 1_000_000)

    assert route(purchase)[-1] == ("部長", "all+decision", ["田中 誠"])
    assert route(cheap_purchase)[-1] == SECTION_HEAD_DECIDES


def test_it_refuses_a_budget_without_an_amount_and_files_nothing(city, office):
    # A purchase always has an amount (quantity × unit price): a memo (which has none) is routed by amount here.
    DecisionRule.objects.filter(doc_type="memo").update(max_amount=1_000_000)

    with pytest.raises(RouteError, match="Please give the amount"):
        file(city.applicant, office)
    assert not Document.objects.exists()


def test_it_lets_the_section_head_decide_the_one_million_yen_budget(city, office):
    document = file(city.applicant, office, "purchase", 1_000_000)
    for staff in (city.chief, city.delegate, city.approver):
        approve(document, staff, office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    assert document.rule.max_amount == 1_000_000


def test_it_sends_a_section_heads_own_leave_to_the_department_head(city, office):
    document = file(city.approver, office)

    assert route(document) == [("部長", "all+decision", ["田中 誠"])]
    assert document.drafting_unit.code == "S1"


# --------------------------------------------------------------------------------------------------------
# Effective dates
# --------------------------------------------------------------------------------------------------------

RULE_CHANGE = date(2026, 12, 1)


@pytest.fixture
def memos_decided_by_department_heads_from_december():
    """The 専決規程 is amended: from 1 December memos are decided by the 部長."""
    DecisionRule.objects.filter(doc_type="memo").update(effective_to=RULE_CHANGE - timedelta(days=1))
    return DecisionRule.objects.create(
        doc_type="memo", deciding_rank=6, effective_from=RULE_CHANGE, note="伺いは部長専決（12月改正）"
    )


def test_it_applies_the_rule_in_force_on_the_filing_day(city, memos_decided_by_department_heads_from_december):
    before = file(city.applicant, AccessContext.office(today=RULE_CHANGE - timedelta(days=1)))
    after = file(city.applicant, AccessContext.office(today=RULE_CHANGE))

    assert route(before)[-1] == SECTION_HEAD_DECIDES
    assert route(after)[-1] == ("部長", "all+decision", ["田中 誠"])
    assert after.rule == memos_decided_by_department_heads_from_december


def test_it_keeps_the_route_of_a_document_filed_before_a_rule_change(city, office):
    document = file(city.applicant, office)
    approve(document, city.chief, office)
    DecisionRule.objects.filter(doc_type="memo").update(effective_to=RULE_CHANGE - timedelta(days=1))
    DecisionRule.objects.create(doc_type="memo", deciding_rank=6, effective_from=RULE_CHANGE)
    december = AccessContext.office(today=RULE_CHANGE)

    approve(document, city.delegate, december)
    approve(document, city.approver, december)

    document.refresh_from_db()
    assert route(document) == [CHIEF, DEPUTY, SECTION_HEAD_DECIDES]
    assert document.status == DocumentStatus.DECIDED
    assert not StepApprover.objects.filter(document=document, staff=city.department_head).exists()


def test_it_keeps_the_route_when_a_rule_is_edited_in_place(city, office):
    document = file(city.applicant, office, "purchase", 900_000)

    DecisionRule.objects.filter(pk=document.rule_id).update(deciding_rank=6)

    assert route(Document.objects.get(pk=document.pk))[-1] == SECTION_HEAD_DECIDES
    assert route(file(city.applicant, office, "purchase", 900_000))[-1] == ("部長", "all+decision", ["田中 誠"])


# --------------------------------------------------------------------------------------------------------
# Vacant and missing posts
# --------------------------------------------------------------------------------------------------------


def test_it_skips_a_vacant_intermediate_rank(city, office, system_ctx):
    end_post(city.delegate, system_ctx)

    document = file(city.applicant, office)

    assert route(document) == [CHIEF, SECTION_HEAD_DECIDES]


def test_it_refuses_to_file_when_nobody_holds_the_deciding_post_and_names_it(city, office):
    documents, entries = Document.objects.count(), AuditEntry.objects.count()

    with pytest.raises(RouteError, match="Nobody holds the post of 局長 over 人事係"):
        file(city.applicant, office, "purchase", 10_000_001)

    assert Document.objects.count() == documents
    assert AuditEntry.objects.count() == entries


def test_it_refuses_to_file_when_the_section_head_post_is_vacant(city, office, system_ctx):
    end_post(city.approver, system_ctx)

    with pytest.raises(RouteError, match="Nobody holds the post of 課長"):
        file(city.applicant, office)

    assert not Document.objects.exists()


def test_it_refuses_to_file_a_type_no_rule_covers(city, office):
    DecisionRule.objects.filter(doc_type="memo").delete()

    with pytest.raises(RouteError, match="No decision rule"):
        file(city.applicant, office, "memo")

    assert not Document.objects.exists()


# --------------------------------------------------------------------------------------------------------
# 合議 (consultation) and 回覧 (circulation)
# --------------------------------------------------------------------------------------------------------


def test_it_puts_consultees_in_one_step_before_the_decision(city, office):
    document = file(city.applicant, office, consultees=[city.outsider, city.payroll_chief])

    assert route(document) == [
        CHIEF,
        DEPUTY,
        ("合議", "all", ["伊藤 美咲", "小林 恵"]),
        SECTION_HEAD_DECIDES,
    ]


def test_it_waits_for_every_consultee_before_the_decision(city, office):
    document = file(city.applicant, office, consultees=[city.outsider, city.payroll_chief])
    approve(document, city.chief, office)
    approve(document, city.delegate, office)

    approve(document, city.outsider, office)
    assert slot_of(document, city.approver).state == SlotState.WAITING

    approve(document, city.payroll_chief, office)
    assert slot_of(document, city.approver).state == SlotState.PENDING


def test_it_lets_a_consultee_from_another_department_see_the_document(city, office):
    consulted = file(city.applicant, office, consultees=[city.outsider])
    not_consulted = file(city.applicant, office)

    assert selectors.document_get_for_user(user=city.outsider.user, ctx=office, pk=consulted.pk) == consulted
    assert selectors.document_get_for_user(user=city.outsider.user, ctx=office, pk=not_consulted.pk) is None


def test_it_refuses_a_consultee_who_holds_no_post_today(city, office, system_ctx):
    end_post(city.outsider, system_ctx)

    with pytest.raises(RouteError, match="hold no post today.*伊藤 美咲"):
        file(city.applicant, office, consultees=[city.outsider])

    assert not Document.objects.exists()


def test_it_circulates_after_the_decision_without_waiting_for_the_readers(city, office):
    document = file(city.applicant, office, circulate_to=[city.colleague])
    assert route(document)[-1] == ("回覧", "circulate", ["佐藤 花子"])
    for staff in (city.chief, city.delegate):
        approve(document, staff, office)
    assert not selectors.circulated_to_me(user=city.colleague.user, ctx=office).exists()

    approve(document, city.approver, office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    assert selectors.circulated_to_me(user=city.colleague.user, ctx=office).get().document_id == document.pk
    assert selectors.queue_counts(user=city.colleague.user, ctx=office).circulated == 1


def test_it_lets_a_reader_acknowledge_a_circulated_document_after_the_decision(city, office):
    document = file(city.applicant, office, circulate_to=[city.colleague])
    for staff in (city.chief, city.delegate, city.approver):
        approve(document, staff, office)

    services.slot_acknowledge(slot=slot_of(document, city.colleague), actor=city.colleague.user, ctx=office)

    assert slot_of(document, city.colleague).state == SlotState.ACKNOWLEDGED
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.DECIDED
    assert selectors.queue_counts(user=city.colleague.user, ctx=office).circulated == 0


def test_it_keeps_a_circulated_document_out_of_the_readers_approval_inbox(city, office):
    document = file(city.applicant, office, circulate_to=[city.colleague])
    for staff in (city.chief, city.delegate, city.approver):
        approve(document, staff, office)

    assert not selectors.inbox(user=city.colleague.user, ctx=office).exists()
    assert selectors.queue_counts(user=city.colleague.user, ctx=office).inbox == 0


# --------------------------------------------------------------------------------------------------------
# Several holders of one rank
# --------------------------------------------------------------------------------------------------------


def test_it_makes_several_holders_of_one_rank_an_any_step(city, office, system_ctx):
    add_second_chief(city, system_ctx)

    document = file(city.applicant, office)

    assert route(document)[0] == ("係長", StepKind.ANY, ["鈴木 一郎", "小林 恵"])
    approve(document, city.payroll_chief, office)
    assert slot_of(document, city.chief).state == SlotState.NOT_NEEDED
    assert slot_of(document, city.delegate).state == SlotState.PENDING
