"""返戻: the processing role of a type (here the test purchase's 庶務センター) returns a decided document to its
applicant for correction; it goes the whole route again and keeps its decision number."""

import pytest

from approvals import services
from approvals.models import AuditEntry, Document, DocumentStatus, Notification, NotificationKind, SlotState
from personnel import access
from personnel.access import AccessDenied
from tests.approvals.helpers import approve_in_turn, center_clerk, file_document, paper, slot_of
from tests.sample_types.models import MEMO, PURCHASE


@pytest.fixture
def clerk(city, system_ctx):
    return center_clerk(city, system_ctx)


def decided_purchase(city, office):
    document = file_document(city.applicant.user, office, doc_type=PURCHASE, title="コピー用紙", amount=5000)
    return approve_in_turn(document, [city.chief, city.delegate, city.approver], office)


def test_the_processing_role_reads_every_document_of_its_type_and_nobody_else_gains(city, office, clerk):
    document = decided_purchase(city, office)
    assert access.can(clerk.user, "view", document, office)
    assert access.can(clerk.user, "process", document, office)
    assert not access.can(city.outsider.user, "process", document, office)
    memo = file_document(city.applicant.user, office, doc_type=MEMO, title="一般伺い")
    assert not access.can(clerk.user, "view", memo, office)
    assert list(access.visible(clerk.user, "view", Document.objects.all(), office)) == [document]


def test_a_return_sends_the_decided_document_back_with_its_reason_and_number(city, office, clerk):
    document = decided_purchase(city, office)
    number = document.number
    stock = paper()
    assert (stock.reserved, stock.consumed) == (0, 1)

    services.document_return(document=document, actor=clerk.user, ctx=office, reason="単価の根拠を添付してください")

    document.refresh_from_db()
    stock.refresh_from_db()
    assert document.status == DocumentStatus.SENT_BACK
    assert document.number == number and document.decided_at is None
    assert (stock.reserved, stock.consumed) == (1, 0)  # held again, as a filed purchase holds it
    note = Notification.objects.get(recipient=city.applicant, kind=NotificationKind.RETURNED)
    assert note.note == "単価の根拠を添付してください"
    assert AuditEntry.objects.filter(document=document).order_by("-seq").first().action == "return"
    assert set(document.slots.filter(is_circulation=False).values_list("state", flat=True)) == {SlotState.WAITING}

    services.document_resubmit(document=document, actor=city.applicant.user, ctx=office, comment="添付しました")
    assert slot_of(document, city.chief).state == SlotState.PENDING
    again = approve_in_turn(document, [city.chief, city.delegate, city.approver], office)
    assert again.status == DocumentStatus.DECIDED and again.number == number
    stock.refresh_from_db()
    assert (stock.reserved, stock.consumed) == (0, 1)


def test_a_return_needs_a_reason_and_happens_once(city, office, clerk):
    document = decided_purchase(city, office)
    with pytest.raises(services.ActionRefused, match="comment"):
        services.document_return(document=document, actor=clerk.user, ctx=office, reason=" ")
    services.document_return(document=document, actor=clerk.user, ctx=office, reason="再確認")
    with pytest.raises(services.AlreadyHandled, match="already been returned"):
        services.document_return(document=document, actor=clerk.user, ctx=office, reason="再確認")


def test_only_the_processing_role_returns_and_only_decided_documents(city, office, clerk):
    document = file_document(city.applicant.user, office, doc_type=PURCHASE, title="コピー用紙", amount=5000)
    with pytest.raises(services.ActionRefused, match="Only a decided document"):
        services.document_return(document=document, actor=clerk.user, ctx=office, reason="早すぎる")
    approve_in_turn(document, [city.chief, city.delegate, city.approver], office)
    for someone in (city.approver, city.hr_clerk, city.applicant):
        with pytest.raises(AccessDenied):
            services.document_return(document=document, actor=someone.user, ctx=office, reason="返します")
    memo = approve_in_turn(
        file_document(city.applicant.user, office, doc_type=MEMO, title="一般伺い"),
        [city.chief, city.delegate, city.approver],
        office,
    )
    with pytest.raises(AccessDenied):
        services.document_return(document=memo, actor=clerk.user, ctx=office, reason="返します")


def test_the_type_may_refuse_a_return(city, office, clerk):
    document = file_document(
        city.applicant.user, office, doc_type=PURCHASE, title="大量購入", amount=5000, quantity=101
    )
    approve_in_turn(document, [city.chief, city.delegate, city.approver], office)
    with pytest.raises(services.ActionRefused, match="Delivered purchases"):
        services.document_return(document=document, actor=clerk.user, ctx=office, reason="返します")
    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
