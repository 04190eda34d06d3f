"""What approvers and applicants do to a document (approvals/services.py), seen as they would see it: the
document's status and 決裁番号, whose inbox holds it, and the message when an action is refused.

The route of a leave document filed by city.applicant (人事係): 係長 city.chief (step 1) → 課長補佐 city.delegate
(step 2) → 課長 city.approver (step 3, decision).
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import selectors, services, workflow
from approvals.models import (
    Attachment,
    AuditAction,
    AuditEntry,
    Document,
    DocumentStatus,
    SlotState,
    StepApprover,
    StepState,
)
from personnel.access import AccessDenied
from personnel.models import Staff
from tests.approvals.helpers import (
    add_second_chief,
    approve,
    approve_in_turn,
    away,
    chief_delegates_to_colleague,
    file_leave,
    slot_of,
)

pytestmark = pytest.mark.django_db


def inbox_documents(staff: Staff, ctx) -> set[int]:
    return set(selectors.inbox(user=staff.user, ctx=ctx).values_list("document_id", flat=True))


def approve_as(document: Document, slot_holder: Staff, actor: Staff, ctx) -> Document:
    return services.slot_approve(slot=slot_of(document, slot_holder), actor=actor.user, ctx=ctx)


def decide(city, document: Document, ctx) -> Document:
    return approve_in_turn(document, (city.chief, city.delegate, city.approver), ctx)


def slot_states(document: Document) -> dict[str, str]:
    return {str(s.staff): s.state for s in StepApprover.objects.filter(document=document).select_related("staff")}


def audit_count() -> int:
    return AuditEntry.objects.count()


# --------------------------------------------------------------------------------------------------------
# Approve and decide
# --------------------------------------------------------------------------------------------------------


def test_it_moves_the_document_to_the_next_approver_on_approval(city, office):
    document = file_leave(city, office)

    approve(document, city.chief, office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert slot_of(document, city.chief).state == SlotState.APPROVED
    assert slot_of(document, city.delegate).state == SlotState.PENDING
    assert document.pk not in inbox_documents(city.chief, office)
    assert document.pk in inbox_documents(city.delegate, office)
    assert document.pk not in inbox_documents(city.approver, office)


def test_it_decides_on_the_decision_step_with_a_number_and_ends_the_process(city, office):
    document = decide(city, file_leave(city, office), office)

    assert document.status == DocumentStatus.DECIDED
    assert document.number == "2026-総務-000001"
    assert document.decided_at is not None
    assert workflow.process_state(document) == "decided"
    assert not inbox_documents(city.approver, office)
    assert selectors.my_requests(user=city.applicant.user, ctx=office).get().number == "2026-総務-000001"


def test_it_records_the_approvers_comment_on_their_slot(city, office):
    document = file_leave(city, office)

    services.slot_approve(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, comment=" 了解 ")

    slot = slot_of(document, city.chief)
    assert (slot.comment, slot.acted_by) == ("了解", city.chief)


def test_it_tells_a_double_submit_who_already_handled_the_step(city, office):
    document = file_leave(city, office)
    slot = slot_of(document, city.chief)
    services.slot_approve(slot=slot, actor=city.chief.user, ctx=office)
    entries = audit_count()

    with pytest.raises(services.AlreadyHandled, match="already handled by 鈴木 一郎 at"):
        services.slot_approve(slot=slot, actor=city.chief.user, ctx=office)

    assert audit_count() == entries
    assert slot_of(document, city.delegate).state == SlotState.PENDING


def test_it_refuses_an_approver_whose_turn_has_not_come(city, office):
    document = file_leave(city, office)

    with pytest.raises(services.AlreadyHandled, match="has not reached you yet"):
        approve(document, city.approver, office)

    assert slot_of(document, city.approver).state == SlotState.WAITING


# --------------------------------------------------------------------------------------------------------
# Send back (差し戻し) and reject (却下)
# --------------------------------------------------------------------------------------------------------


def test_it_sends_back_to_an_earlier_step_and_keeps_the_flow_open(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)
    approve(document, city.delegate, office)

    services.document_send_back(
        slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office, to_order=1, comment="日付を確認"
    )

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert workflow.process_state(document) == "review"
    assert [s.state for s in document.steps.order_by("order")] == [
        StepState.ACTIVE,
        StepState.WAITING,
        StepState.WAITING,
    ]
    assert slot_states(document) == {
        "鈴木 一郎": SlotState.PENDING,
        "中村 大輔": SlotState.WAITING,  # the 補佐's approval is undone: he approves again
        "高橋 健": SlotState.WAITING,
    }
    assert document.pk in inbox_documents(city.chief, office)
    assert document.pk not in inbox_documents(city.approver, office)


def test_it_sends_back_to_the_applicant(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)

    services.document_send_back(
        slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office, to_order=0, comment="添付不足"
    )

    document.refresh_from_db()
    assert document.status == DocumentStatus.SENT_BACK
    assert set(slot_states(document).values()) == {SlotState.WAITING}
    assert not inbox_documents(city.chief, office) and not inbox_documents(city.delegate, office)
    assert selectors.document_page(user=city.applicant.user, ctx=office, pk=document.pk).can_resubmit


def test_it_restarts_a_resubmitted_document_at_the_first_step(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)
    services.document_send_back(
        slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office, to_order=0, comment="添付不足"
    )

    services.document_resubmit(document=document, actor=city.applicant.user, ctx=office, comment="添付しました")

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert slot_of(document, city.delegate).state == SlotState.WAITING
    assert document.pk in inbox_documents(city.chief, office)


def test_it_refuses_to_send_back_to_a_later_step(city, office):
    document = file_leave(city, office)

    with pytest.raises(services.ActionRefused, match="an earlier step"):
        services.document_send_back(
            slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, to_order=3, comment="誤り"
        )

    assert slot_of(document, city.chief).state == SlotState.PENDING


@pytest.mark.parametrize("comment", ["", "   \n "], ids=["empty", "whitespace"])
def test_it_refuses_a_send_back_without_a_comment_and_changes_nothing(city, office, comment):
    document = file_leave(city, office)
    approve(document, city.chief, office)
    entries = audit_count()

    with pytest.raises(services.ActionRefused, match="Please write a comment saying why"):
        services.document_send_back(
            slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office, to_order=0, comment=comment
        )

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert slot_of(document, city.chief).state == SlotState.APPROVED
    assert slot_of(document, city.delegate).state == SlotState.PENDING
    assert audit_count() == entries


@pytest.mark.parametrize("comment", ["", "　 "], ids=["empty", "whitespace"])
def test_it_refuses_a_rejection_without_a_comment_and_changes_nothing(city, office, comment):
    document = file_leave(city, office)
    entries = audit_count()

    with pytest.raises(services.ActionRefused, match="Please write a comment saying why"):
        services.document_reject(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, comment=comment)

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert audit_count() == entries


def test_it_ends_the_flow_on_rejection_and_cancels_the_pending_and_waiting_slots(city, office):
    document = file_leave(city, office, consultees=[city.outsider, city.payroll_chief])
    approve(document, city.chief, office)
    approve(document, city.delegate, office)
    assert slot_of(document, city.payroll_chief).state == SlotState.PENDING  # 合議: both parties at once

    services.document_reject(
        slot=slot_of(document, city.outsider), actor=city.outsider.user, ctx=office, comment="他課の予算と重複"
    )

    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED
    assert document.number is None
    assert workflow.process_state(document) == "rejected"
    assert slot_of(document, city.outsider).state == SlotState.REJECTED
    assert slot_of(document, city.payroll_chief).state == SlotState.CANCELLED
    assert slot_of(document, city.approver).state == SlotState.CANCELLED
    assert not inbox_documents(city.payroll_chief, office)


def test_it_refuses_to_act_on_a_rejected_document(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)
    services.document_reject(slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office, comment="否")

    with pytest.raises(services.AlreadyHandled, match="already been rejected"):
        services.document_send_back(
            slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office, to_order=0, comment="再考"
        )


def test_it_refuses_to_approve_a_decided_document_and_names_its_number(city, office):
    document = decide(city, file_leave(city, office), office)

    with pytest.raises(services.AlreadyHandled, match="already been decided \\(2026-総務-000001\\)"):
        approve(document, city.approver, office)


# --------------------------------------------------------------------------------------------------------
# Withdraw (取り下げ) and pull back (引戻し)
# --------------------------------------------------------------------------------------------------------


def test_it_lets_the_applicant_withdraw_an_open_document(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)

    services.document_withdraw(document=document, actor=city.applicant.user, ctx=office, comment="予定変更")

    document.refresh_from_db()
    assert document.status == DocumentStatus.WITHDRAWN
    assert workflow.process_state(document) == "withdrawn"
    assert slot_of(document, city.delegate).state == SlotState.CANCELLED
    assert not inbox_documents(city.delegate, office)


def test_it_refuses_a_withdrawal_after_the_decision(city, office):
    document = decide(city, file_leave(city, office), office)

    with pytest.raises(services.AlreadyHandled, match="already been decided"):
        services.document_withdraw(document=document, actor=city.applicant.user, ctx=office)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.DECIDED


def test_it_refuses_a_withdrawal_by_someone_other_than_the_applicant(city, office):
    document = file_leave(city, office)

    with pytest.raises(AccessDenied):
        services.document_withdraw(document=document, actor=city.approver.user, ctx=office)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.IN_PROGRESS


def test_it_lets_an_approver_pull_back_before_the_next_approver_acts(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)
    assert document.pk in inbox_documents(city.delegate, office)

    services.slot_pull_back(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)

    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert slot_of(document, city.delegate).state == SlotState.WAITING
    assert document.pk in inbox_documents(city.chief, office)
    assert document.pk not in inbox_documents(city.delegate, office)


def test_it_refuses_a_pull_back_after_the_next_approver_acted(city, office):
    document = file_leave(city, office)
    approve(document, city.chief, office)
    approve(document, city.delegate, office)

    with pytest.raises(services.AlreadyHandled, match="Someone after you has already acted"):
        services.slot_pull_back(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)

    assert slot_of(document, city.chief).state == SlotState.APPROVED
    assert slot_of(document, city.approver).state == SlotState.PENDING


# --------------------------------------------------------------------------------------------------------
# 後閲: approving ahead of absent approvers
# --------------------------------------------------------------------------------------------------------


def test_it_lets_the_section_head_decide_ahead_of_absent_approvers(city, office):
    document = file_leave(city, office)
    away(city, city.chief, city.delegate)

    services.slot_approve_ahead(
        slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office, comment="係長・補佐不在のため"
    )

    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    assert document.number == "2026-総務-000001"
    assert slot_of(document, city.chief).state == SlotState.POST_REVIEW
    assert slot_of(document, city.delegate).state == SlotState.POST_REVIEW
    assert document.pk in inbox_documents(city.chief, office)
    assert document.pk in inbox_documents(city.delegate, office)


def test_it_marks_a_post_review_done_and_takes_it_out_of_the_inbox(city, office):
    document = file_leave(city, office)
    away(city, city.chief, city.delegate)
    services.slot_approve_ahead(slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office)

    services.slot_post_review(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, comment="確認済")

    assert slot_of(document, city.chief).state == SlotState.POST_REVIEWED
    assert document.pk not in inbox_documents(city.chief, office)
    assert slot_of(document, city.delegate).state == SlotState.POST_REVIEW


def test_it_shows_the_approval_ahead_and_the_review_in_the_record(city, office):
    document = file_leave(city, office)
    away(city, city.chief, city.delegate)
    services.slot_approve_ahead(slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office)
    services.slot_post_review(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)

    page = selectors.document_page(user=city.applicant.user, ctx=office, pk=document.pk)

    history = [(e.action, str(e.actor)) for e in page.history]
    assert history == [
        (AuditAction.FILE, "山田 太郎"),
        (AuditAction.POST_REVIEW, "高橋 健"),
        (AuditAction.DECIDE, "高橋 健"),
        (AuditAction.POST_REVIEWED, "鈴木 一郎"),
    ]
    assert page.history[1].detail["skipped"] == ["鈴木 一郎", "中村 大輔"]


def test_it_asks_a_skipped_approver_to_approve_when_the_document_is_sent_back_to_their_step(city, office):
    document = file_leave(city, office)
    away(city, city.chief)
    services.slot_approve_ahead(slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office)
    assert slot_of(document, city.chief).state == SlotState.POST_REVIEW

    services.document_send_back(
        slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office, to_order=1, comment="係長確認を"
    )

    assert slot_of(document, city.chief).state == SlotState.PENDING
    approve(document, city.chief, office)
    assert slot_of(document, city.delegate).state == SlotState.PENDING


def test_it_routes_a_resubmitted_document_through_the_approvers_a_post_review_skipped(city, office):
    document = file_leave(city, office)
    away(city, city.chief)
    services.slot_approve_ahead(slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office)
    services.document_send_back(
        slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office, to_order=0, comment="再提出を"
    )

    services.document_resubmit(document=document, actor=city.applicant.user, ctx=office)

    assert slot_of(document, city.chief).state == SlotState.PENDING
    decided = decide(city, document, office)
    assert decided.status == DocumentStatus.DECIDED


def test_it_refuses_a_second_post_review(city, office):
    document = file_leave(city, office)
    away(city, city.chief, city.delegate)
    services.slot_approve_ahead(slot=slot_of(document, city.approver), actor=city.approver.user, ctx=office)
    services.slot_post_review(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)

    with pytest.raises(services.AlreadyHandled, match="already handled by 鈴木 一郎"):
        services.slot_post_review(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)


# --------------------------------------------------------------------------------------------------------
# 一括承認 (bulk approval)
# --------------------------------------------------------------------------------------------------------


def test_it_bulk_approves_across_documents_and_reports_the_one_handled_by_someone_else(city, office, system_ctx):
    other_chief = add_second_chief(city, system_ctx)
    first, taken, third = (file_leave(city, office, title=f"休暇{i}") for i in range(3))
    approve(taken, other_chief, office)
    slots = [slot_of(d, city.chief) for d in (first, taken, third)]
    entries = audit_count()

    result = services.slots_bulk_approve(slot_ids=[s.pk for s in slots], actor=city.chief.user, ctx=office)

    assert [d.pk for d in result.approved] == [first.pk, third.pk]
    assert result.decided == []
    assert len(result.refused) == 1
    slot_id, message = result.refused[0]
    assert slot_id == slots[1].pk
    assert message.startswith("休暇1: ")
    assert "already handled by 小林 恵" in message
    assert slot_of(first, city.chief).state == SlotState.APPROVED
    assert slot_of(third, city.chief).state == SlotState.APPROVED
    assert slot_of(taken, city.chief).state == SlotState.NOT_NEEDED
    assert audit_count() == entries + 2
    assert inbox_documents(city.delegate, office) == {first.pk, taken.pk, third.pk}


def test_it_bulk_decides_on_the_decision_step_with_consecutive_numbers(city, office):
    documents = [file_leave(city, office, title=f"休暇{i}") for i in range(2)]
    for document in documents:
        approve(document, city.chief, office)
        approve(document, city.delegate, office)

    result = services.slots_bulk_approve(
        slot_ids=[slot_of(d, city.approver).pk for d in documents], actor=city.approver.user, ctx=office
    )

    assert result.approved == [] and result.refused == []
    assert sorted(Document.objects.values_list("number", flat=True)) == ["2026-総務-000001", "2026-総務-000002"]


def test_it_refuses_bulk_items_the_user_may_not_act_on(city, office):
    document = file_leave(city, office)
    slot = slot_of(document, city.chief)

    result = services.slots_bulk_approve(slot_ids=[slot.pk], actor=city.outsider.user, ctx=office)

    assert result.approved == []
    assert result.refused == [(slot.pk, "You are not allowed to do this.")]
    assert slot_of(document, city.chief).state == SlotState.PENDING


# --------------------------------------------------------------------------------------------------------
# Who may act, and on what
# --------------------------------------------------------------------------------------------------------


def test_it_refuses_another_units_section_head(city, office):
    document = file_leave(city, office)

    with pytest.raises(AccessDenied, match="not allowed"):
        approve_as(document, city.chief, city.outsider, office)

    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert selectors.document_get_for_user(user=city.outsider.user, ctx=office, pk=document.pk) is None
    assert selectors.slot_get_for_user(user=city.outsider.user, ctx=office, pk=slot_of(document, city.chief).pk) is None


def test_it_finds_nothing_for_unknown_ids(city, office):
    assert selectors.document_get_for_user(user=city.approver.user, ctx=office, pk=987654) is None
    assert selectors.slot_get_for_user(user=city.approver.user, ctx=office, pk=987654) is None


def test_it_refuses_an_action_on_a_document_that_does_not_exist(city, office):
    ghost = StepApprover(pk=987654, document_id=987654, staff=city.chief)

    with pytest.raises(services.ActionRefused, match="This document does not exist"):
        services.slot_approve(slot=ghost, actor=city.chief.user, ctx=office)


def test_it_refuses_a_remote_approval_without_a_one_time_password(city, office, remote_password):
    document = file_leave(city, office)

    with pytest.raises(AccessDenied, match="one-time password"):
        approve(document, city.chief, remote_password)

    assert slot_of(document, city.chief).state == SlotState.PENDING


def test_it_allows_a_remote_approval_with_a_one_time_password(city, office, remote_otp):
    document = file_leave(city, office)

    approve(document, city.chief, remote_otp)

    assert slot_of(document, city.chief).state == SlotState.APPROVED
    assert AuditEntry.objects.filter(document=document, action=AuditAction.APPROVE).get().zone == "remote"


def test_it_keeps_a_document_with_personal_information_in_the_office(city, office, remote_otp):
    document = file_leave(city, office, contains_personal_info=True)

    with pytest.raises(AccessDenied, match="only be used from the office network"):
        approve(document, city.chief, remote_otp)

    assert not inbox_documents(city.chief, remote_otp)
    assert inbox_documents(city.chief, office) == {document.pk}
    assert slot_of(document, city.chief).state == SlotState.PENDING


# --------------------------------------------------------------------------------------------------------
# Reassignment by HR
# --------------------------------------------------------------------------------------------------------


def test_it_lets_hr_put_someone_else_in_a_pending_step_and_records_why(city, office):
    document = file_leave(city, office)

    services.slot_reassign(
        slot=slot_of(document, city.chief),
        new_staff=city.payroll_chief,
        actor=city.hr_clerk.user,
        ctx=office,
        reason="係長 長期療養のため",
    )

    assert document.pk in inbox_documents(city.payroll_chief, office)
    assert document.pk not in inbox_documents(city.chief, office)
    entry = AuditEntry.objects.get(document=document, action=AuditAction.REASSIGN)
    assert entry.actor == city.hr_clerk
    assert entry.comment == "係長 長期療養のため"
    assert (entry.detail["old_name"], entry.detail["new_name"]) == ("鈴木 一郎", "小林 恵")
    assert (entry.detail["old"], entry.detail["new"]) == (city.chief.pk, city.payroll_chief.pk)
    assert selectors.document_get_for_user(user=city.payroll_chief.user, ctx=office, pk=document.pk) is not None


def test_it_refuses_a_reassignment_by_someone_outside_hr(city, office):
    document = file_leave(city, office)

    with pytest.raises(AccessDenied):
        services.slot_reassign(
            slot=slot_of(document, city.chief),
            new_staff=city.payroll_chief,
            actor=city.approver.user,
            ctx=office,
            reason="不在のため",
        )

    assert slot_of(document, city.chief).state == SlotState.PENDING


@pytest.mark.parametrize("reason", ["", "  "], ids=["empty", "whitespace"])
def test_it_refuses_a_reassignment_without_a_reason(city, office, reason):
    document = file_leave(city, office)

    with pytest.raises(services.ActionRefused, match="Please write a comment saying why"):
        services.slot_reassign(
            slot=slot_of(document, city.chief),
            new_staff=city.payroll_chief,
            actor=city.hr_clerk.user,
            ctx=office,
            reason=reason,
        )

    assert document.pk in inbox_documents(city.chief, office)
    assert not AuditEntry.objects.filter(action=AuditAction.REASSIGN).exists()


# --------------------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_it_stores_an_attachment_with_its_sha256(city, office, media):
    content = "見積書 ¥48,000\n".encode() * 100
    upload = SimpleUploadedFile("見積書.pdf", content, content_type="application/pdf")

    document = file_leave(city, office, attachments=[upload])

    attachment = Attachment.objects.get(document=document)
    assert attachment.name == "見積書.pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    with attachment.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == attachment.sha256
    assert AuditEntry.objects.get(document=document, action=AuditAction.ATTACH).detail["sha256"] == attachment.sha256


def test_it_refuses_an_empty_attachment_and_files_nothing(city, office, media):
    upload = SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")

    with pytest.raises(services.ActionRefused, match="空.pdf is empty"):
        file_leave(city, office, attachments=[upload])

    assert not Document.objects.exists()
    assert not Attachment.objects.exists()


def test_it_attaches_a_file_to_a_document_sent_back_to_the_applicant(city, office, media):
    document = file_leave(city, office)
    services.document_send_back(
        slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, to_order=0, comment="見積書を添付"
    )

    services.attachment_add(
        document=document, actor=city.applicant.user, ctx=office, upload=SimpleUploadedFile("見積書.pdf", b"%PDF-1.7")
    )

    assert Attachment.objects.get(document=document).sha256 == hashlib.sha256(b"%PDF-1.7").hexdigest()


def test_it_refuses_an_attachment_while_the_document_is_under_review(city, office, media):
    document = file_leave(city, office)

    with pytest.raises(services.ActionRefused, match="only be attached before filing or after"):
        services.attachment_add(
            document=document, actor=city.applicant.user, ctx=office, upload=SimpleUploadedFile("後.pdf", b"x")
        )

    assert not Attachment.objects.exists()


def reassign_chief_step(city, office, new_staff):
    document = file_leave(city, office)
    services.slot_reassign(
        slot=slot_of(document, city.chief), new_staff=new_staff, actor=city.hr_clerk.user, ctx=office, reason="長期不在"
    )
    return document


def test_hr_cannot_put_themselves_in_a_step(city, office):
    """Attack: the 人事 clerk who may change approvers makes themself the 係長 step of a colleague's leave."""
    with pytest.raises(services.ActionRefused, match="yourself"):
        reassign_chief_step(city, office, city.hr_clerk)
    assert not AuditEntry.objects.filter(action=AuditAction.REASSIGN).exists()


def test_a_step_goes_only_to_someone_of_its_rank_or_higher(city, office):
    """Attack: 人事 hands the 係長 step to a 係員 (rank 1), who then approves in the 係長's place."""
    with pytest.raises(services.ActionRefused, match="rank"):
        reassign_chief_step(city, office, city.colleague)
    assert not AuditEntry.objects.filter(action=AuditAction.REASSIGN).exists()
    reassign_chief_step(city, office, city.payroll_chief)  # another 係長
    reassign_chief_step(city, office, city.approver)  # a 課長


def test_a_step_may_go_to_the_approvers_active_delegate_whatever_their_rank(city, office):
    chief_delegates_to_colleague(city, office, days=5, reason="出張")
    document = reassign_chief_step(city, office, city.colleague)
    assert slot_of(document, city.colleague).state == SlotState.PENDING
