"""Correcting a sent-back document (再提出) and cancelling a decided one (取消), for any type, and the bad input
around both: each refused with a clear message and nothing half-saved.

city.applicant's memos and purchases go 係長 city.chief → 課長補佐 city.delegate → 課長 city.approver (decides);
a purchase above ¥1,000,000 goes on to the 部長 city.department_head, above ¥10,000,000 to a 局長 (the test city
has none).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals import services
from approvals.models import AuditAction, AuditEntry, Document, DocumentStatus, SlotState, StepApprover
from approvals.routing import RouteError
from leave import services as leave_services
from personnel.access import AccessContext, AccessDenied
from tests.approvals.helpers import approve_in_turn, file_document, file_leave, paper, slot_of
from tests.conftest import TOKYO
from tests.sample_types.models import Stock
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db

ROUTE = ("chief", "delegate", "approver")


def send_back(document: Document, city, ctx) -> Document:
    slot = StepApprover.objects.get(document=document, state=SlotState.PENDING)
    services.document_send_back(slot=slot, actor=slot.staff.user, ctx=ctx, to_order=0, comment="金額を確認")
    return Document.objects.get(pk=document.pk)


def decide(document: Document, city, ctx) -> Document:
    return approve_in_turn(document, [getattr(city, name) for name in ROUTE], ctx)


def purchase(city, ctx, unit_price: int, quantity: int = 1) -> dict:
    return {"title": "備品購入", "stock": paper(), "quantity": quantity, "unit_price": Decimal(unit_price)}


# ---- correcting after a send-back ---------------------------------------------------------------------------


def test_a_corrected_purchase_is_routed_again_when_its_amount_needs_another_decider(city, office):
    document = file_document(city.applicant.user, office, doc_type="purchase", amount=900_000)
    send_back(document, city, office)

    services.document_revise(
        document=document, actor=city.applicant.user, ctx=office, data=purchase(city, office, 1_500_000)
    )

    document.refresh_from_db()
    assert [s.label for s in document.steps.order_by("order")] == ["係長", "課長補佐", "課長", "部長"]
    assert document.amount == Decimal(1_500_000)
    entry = AuditEntry.objects.filter(document=document).latest("seq")
    assert entry.detail["route_replanned"] is True
    assert {"field": "document.amount", "old": "900000", "new": "1500000"} in entry.detail["changes"]
    assert {"field": "unit_price", "old": "900000", "new": "1500000"} in entry.detail["changes"]


def test_a_correction_keeps_the_route_when_the_amount_is_unchanged(city, office):
    document = file_document(city.applicant.user, office, note="至急")
    steps = list(document.steps.values_list("pk", flat=True))
    send_back(document, city, office)

    services.document_revise(
        document=document, actor=city.applicant.user, ctx=office, data={"title": "一般伺い", "note": "通常"}
    )

    assert list(document.steps.values_list("pk", flat=True)) == steps
    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert Document.objects.get(pk=document.pk).detail.note == "通常"


def test_the_history_shows_a_correction_old_and_new(city, client, office):
    document = file_document(city.applicant.user, office, note="至急")
    send_back(document, city, office)
    services.document_revise(
        document=document, actor=city.applicant.user, ctx=office, data={"title": "一般伺い", "note": "通常"}
    )
    log_in(client, city.applicant.user)

    text = page_text(client.get(reverse("approvals:document", args=[document.pk]), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Corrected and filed again" in text
    assert "<del>至急</del> → <ins>通常</ins>" in text


def test_the_correction_page_files_the_changed_fields(city, client, office):
    document = file_document(city.applicant.user, office, note="至急")
    send_back(document, city, office)
    log_in(client, city.applicant.user)
    url = reverse("approvals:revise", args=[document.pk])
    assert 'value="至急"' in page_text(client.get(url))

    response = client.post(url, {"title": "一般伺い（修正）", "note": "通常", "file": "1"})

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.title, document.detail.note) == ("in_progress", "一般伺い（修正）", "通常")


def test_it_refuses_to_refile_a_document_that_was_not_sent_back(city, office):
    document = file_leave(city, office)

    with pytest.raises(services.AlreadyHandled, match="Only a document sent back to you can be corrected"):
        services.document_revise(document=document, actor=city.applicant.user, ctx=office, data={"title": "x"})

    assert Document.objects.get(pk=document.pk).title == "一般伺い（12月1日）"


def test_it_refuses_to_refile_someone_elses_document(city, office):
    document = send_back(file_leave(city, office), city, office)

    with pytest.raises(AccessDenied):
        services.document_revise(document=document, actor=city.colleague.user, ctx=office, data={"title": "x"})

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.SENT_BACK


def test_a_correction_that_makes_the_route_impossible_is_refused_and_changes_nothing(city, office):
    document = file_document(city.applicant.user, office, doc_type="purchase", amount=900_000)
    send_back(document, city, office)
    entries = AuditEntry.objects.count()

    with pytest.raises(RouteError, match="Nobody holds the post"):  # above ¥10,000,000: a 局長, and none holds it
        services.document_revise(
            document=document, actor=city.applicant.user, ctx=office, data=purchase(city, office, 20_000_000)
        )

    document.refresh_from_db()
    assert (document.status, document.amount) == (DocumentStatus.SENT_BACK, Decimal(900_000))
    assert document.detail.unit_price == Decimal(900_000)
    assert Stock.objects.get(pk=paper().pk).reserved == 1
    assert AuditEntry.objects.count() == entries


def test_a_correction_the_type_refuses_changes_nothing(city, office):
    Stock.objects.create(name="プロジェクター", available=1)
    document = file_document(city.applicant.user, office, doc_type="purchase", amount=100_000)
    send_back(document, city, office)

    data = {"title": "備品購入", "stock": Stock.objects.get(name="プロジェクター"), "quantity": 2, "unit_price": 1}
    with pytest.raises(ValidationError, match="Only 1 of プロジェクター are left."):
        services.document_revise(document=document, actor=city.applicant.user, ctx=office, data=data)

    assert Stock.objects.get(name="プロジェクター").reserved == 0
    assert Stock.objects.get(pk=paper().pk).reserved == 1


# ---- 取消 ---------------------------------------------------------------------------------------------------


def leave_in(city, ctx, start: date):
    return leave_services.leave_request_file(
        actor=city.applicant.user, ctx=ctx, leave_type="annual", unit="day", start_date=start, end_date=start
    )


def test_cancelling_a_decided_leave_gives_the_day_back(city, office):
    leave = decide(leave_in(city, office, date(2026, 12, 1)), city, office)
    assert leave_services.leave_summary(staff=city.applicant, year=2026).used == 465

    cancellation = services.document_cancel_request(
        document=leave, actor=city.applicant.user, ctx=office, reason="出張が入ったため"
    )
    decide(cancellation, city, office)

    leave.refresh_from_db()
    assert leave.status == DocumentStatus.CANCELLED
    assert leave_services.leave_summary(staff=city.applicant, year=2026).used == 0


def test_it_refuses_to_cancel_a_leave_that_has_started(city, office):
    leave = decide(leave_in(city, office, date(2026, 11, 24)), city, office)
    on_the_day = AccessContext.office(today=date(2026, 11, 24))

    with pytest.raises(services.ActionRefused, match="leave can be cancelled .* only before the day it starts"):
        services.document_cancel_request(document=leave, actor=city.applicant.user, ctx=on_the_day, reason="取消")

    assert not Document.objects.filter(cancels=leave).exists()


def test_a_cancellation_still_waiting_when_the_leave_starts_cannot_be_decided(city, office, clock):
    leave = decide(leave_in(city, office, date(2026, 11, 24)), city, office)
    cancellation = services.document_cancel_request(
        document=leave, actor=city.applicant.user, ctx=office, reason="体調が戻ったため"
    )
    approve_in_turn(cancellation, [city.chief, city.delegate], office)
    clock.move_to(datetime(2026, 11, 24, 9, 0, tzinfo=TOKYO))

    with pytest.raises(services.ActionRefused, match="only before the day it starts"):
        services.slot_approve(
            slot=slot_of(cancellation, city.approver), actor=city.approver.user, ctx=AccessContext.office()
        )

    assert Document.objects.get(pk=leave.pk).status == DocumentStatus.DECIDED
    assert Document.objects.get(pk=cancellation.pk).status == DocumentStatus.IN_PROGRESS


def test_it_refuses_a_second_cancellation_of_the_same_document(city, office):
    memo = decide(file_leave(city, office), city, office)
    services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="重複")

    with pytest.raises(services.AlreadyHandled, match="A cancellation of this document has already been filed"):
        services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="重複")

    assert Document.objects.filter(cancels=memo).count() == 1


def test_a_rejected_cancellation_leaves_the_document_decided_and_may_be_filed_again(city, office):
    memo = decide(file_leave(city, office), city, office)
    first = services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="取消")
    services.document_reject(slot=slot_of(first, city.chief), actor=city.chief.user, ctx=office, comment="不要")

    second = services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="再度")

    assert Document.objects.get(pk=memo.pk).status == DocumentStatus.DECIDED
    assert list(Document.objects.filter(cancels=memo).order_by("pk")) == [first, second]


def test_it_refuses_to_cancel_a_document_in_progress(city, office):
    memo = file_leave(city, office)

    with pytest.raises(services.ActionRefused, match="Only a decided document can be cancelled"):
        services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="取消")


def test_only_the_applicant_asks_to_cancel(city, office):
    memo = decide(file_leave(city, office), city, office)

    with pytest.raises(AccessDenied):
        services.document_cancel_request(document=memo, actor=city.approver.user, ctx=office, reason="取消")


def test_a_cancellation_needs_a_reason(city, office):
    memo = decide(file_leave(city, office), city, office)

    with pytest.raises(services.ActionRefused, match="Please write a comment"):
        services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason=" ")


def test_a_type_that_does_not_allow_it_refuses_the_cancellation(city, office):
    memo = decide(file_leave(city, office, cancellable_until=date(2026, 11, 1)), city, office)

    with pytest.raises(services.ActionRefused, match="This memo can no longer be cancelled."):
        services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="取消")


def test_the_document_page_offers_the_cancellation_and_links_both_documents(city, client, office):
    memo = decide(file_leave(city, office), city, office)
    log_in(client, city.applicant.user)
    url = reverse("approvals:document", args=[memo.pk])
    assert reverse("approvals:cancel", args=[memo.pk]) in page_text(client.get(url))

    response = client.post(reverse("approvals:cancel", args=[memo.pk]), {"reason": "予定変更"})

    cancellation = Document.objects.get(cancels=memo)
    assert response["Location"] == reverse("approvals:document", args=[cancellation.pk])
    assert url in page_text(client.get(response["Location"]))
    assert reverse("approvals:document", args=[cancellation.pk]) in page_text(client.get(url))


def test_an_empty_cancellation_reason_shows_the_page_again(city, client, office):
    memo = decide(file_leave(city, office), city, office)
    log_in(client, city.applicant.user)

    response = client.post(reverse("approvals:cancel", args=[memo.pk]), {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Please write the reason." in page_text(response)
    assert not Document.objects.filter(cancels=memo).exists()


def test_the_audit_chain_records_both_sides_of_a_cancellation(city, office):
    memo = decide(file_leave(city, office), city, office)
    cancellation = decide(
        services.document_cancel_request(document=memo, actor=city.applicant.user, ctx=office, reason="取消"),
        city,
        office,
    )

    cancel_entry = AuditEntry.objects.get(document=memo, action=AuditAction.CANCEL)
    decide_entry = AuditEntry.objects.get(document=cancellation, action=AuditAction.DECIDE)
    assert cancel_entry.detail["cancelled_by"] == cancellation.pk
    assert cancel_entry.seq + 1 == decide_entry.seq
    assert timedelta(0) <= decide_entry.created_at - cancel_entry.created_at
