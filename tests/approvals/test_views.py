"""The approval pages and their actions, driven through the test client as an approver on a tablet would.

The route of a memo (tests/sample_types) filed by city.applicant (人事係): 係長 city.chief (step 1) → 課長補佐
city.delegate (step 2) → 課長 city.approver (step 3, decides).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import services
from approvals.models import AuditAction, AuditEntry, Document, DocumentStatus, SlotState, StepApprover
from tests.approvals.helpers import away, chief_delegates_to_colleague, file_leave, slot_of
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def act_url(slot: StepApprover, action: str) -> str:
    return reverse("approvals:act", args=[slot.pk, action])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- inbox -----------------------------------------------------------------------------------------------


def test_it_lists_a_filed_document_in_the_chiefs_inbox(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 200
    text = page_text(response)
    assert document.title in text
    assert f'name="slot" value="{slot_of(document, city.chief).pk}"' in text
    assert "山田 太郎" in text


def test_it_does_not_list_it_for_the_outsider(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.outsider.user)
    response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 200
    assert document.title not in page_text(response)


def test_it_labels_the_decision_steps_button_decide(city, client, office):
    document = file_leave(city, office)
    services.slot_approve(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)
    services.slot_approve(slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office)
    log_in(client, city.approver.user)
    text = page_text(client.get(reverse("approvals:inbox")))
    assert ">Decide<" in text and ">Approve<" not in text


# ---- one-tap actions -------------------------------------------------------------------------------------


def test_it_approves_with_one_tap_and_moves_the_item_to_the_next_approver(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.post(act_url(slot_of(document, city.chief), "approve"), {"next": reverse("approvals:inbox")})
    assert response.status_code == 302 and response["Location"] == reverse("approvals:inbox")
    assert slot_of(document, city.chief).state == SlotState.APPROVED
    assert slot_of(document, city.delegate).state == SlotState.PENDING
    followed = client.get(response["Location"])
    assert f"Approved “{document.title}”." in messages_of(followed)
    assert document.title not in page_text(followed).split('id="queue-list"')[1]


def test_it_decides_at_the_last_step_and_says_the_decision_number(city, client, office):
    document = file_leave(city, office)
    services.slot_approve(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)
    services.slot_approve(slot=slot_of(document, city.delegate), actor=city.delegate.user, ctx=office)
    log_in(client, city.approver.user)
    response = client.post(act_url(slot_of(document, city.approver), "approve"), follow=True)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED and document.number
    assert f"Decided “{document.title}” ({document.number})." in messages_of(response)


def test_it_warns_instead_of_failing_when_the_item_was_already_handled(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    url = act_url(slot_of(document, city.chief), "approve")
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    message = list(response.context["messages"])[-1]  # after the first post's success
    assert message.level_tag == "warning"
    assert "already handled by 鈴木 一郎" in str(message)
    assert AuditEntry.objects.filter(document=document, action=AuditAction.APPROVE).count() == 1


def test_it_goes_back_to_the_inbox_rather_than_to_another_site(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.post(act_url(slot_of(document, city.chief), "approve"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("approvals:inbox")


def test_it_answers_404_for_a_slot_that_is_not_the_users(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.outsider.user)
    response = client.post(act_url(slot_of(document, city.chief), "approve"))
    assert response.status_code == 404
    assert slot_of(document, city.chief).state == SlotState.PENDING


def test_it_answers_404_for_an_unknown_action(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    assert client.post(act_url(slot_of(document, city.chief), "delete")).status_code == 404


def test_it_refuses_an_action_by_get(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    assert client.get(act_url(slot_of(document, city.chief), "approve")).status_code == 405


def test_a_delegate_approves_for_the_delegator_and_both_names_are_shown(city, client, office):
    chief_delegates_to_colleague(city, office, days=3, reason="出張")
    document = file_leave(city, office)
    log_in(client, city.colleague.user)
    assert "for 鈴木 一郎 (代理)" in page_text(client.get(reverse("approvals:inbox")))
    client.post(act_url(slot_of(document, city.chief), "approve"))
    slot = slot_of(document, city.chief)
    assert slot.state == SlotState.APPROVED and slot.acted_by == city.colleague
    text = page_text(client.get(reverse("approvals:document", args=[document.pk])))
    assert "for 鈴木 一郎 by 佐藤 花子" in text


# ---- bulk approval ---------------------------------------------------------------------------------------


def test_it_bulk_approves_and_reports_the_items_someone_else_handled(city, client, office):
    chief_delegates_to_colleague(city, office, reason="研修")
    documents = [file_leave(city, office, title=f"年次休暇 {n}") for n in range(3)]
    slots = [slot_of(d, city.chief) for d in documents]
    log_in(client, city.colleague.user)
    client.post(act_url(slots[1], "approve"))  # the delegate got there first
    log_in(client, city.chief.user)
    response = client.post(reverse("approvals:bulk"), {"slot": [s.pk for s in slots]}, follow=True)
    assert all(slot_of(d, city.chief).state == SlotState.APPROVED for d in documents)
    assert AuditEntry.objects.filter(action=AuditAction.APPROVE, actor=city.chief).count() == 2
    texts = messages_of(response)
    assert "2 approved, 0 decided." in texts
    assert any(t.startswith("1 item could not be approved: 年次休暇 1:") and "佐藤 花子" in t for t in texts)


def test_it_bulk_decides_at_the_decision_step(city, client, office):
    documents = [file_leave(city, office, title=f"年次休暇 {n}") for n in range(2)]
    for d in documents:
        services.slot_approve(slot=slot_of(d, city.chief), actor=city.chief.user, ctx=office)
        services.slot_approve(slot=slot_of(d, city.delegate), actor=city.delegate.user, ctx=office)
    log_in(client, city.approver.user)
    response = client.post(reverse("approvals:bulk"), {"slot": [slot_of(d, city.approver).pk for d in documents]})
    assert response.status_code == 302
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.DECIDED}
    assert "0 approved, 2 decided." in messages_of(client.get(response["Location"]))


def test_it_refuses_a_bulk_approval_with_nothing_selected(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.post(reverse("approvals:bulk"), {}, follow=True)
    assert "Select at least one item to approve." in messages_of(response)
    assert not AuditEntry.objects.filter(action=AuditAction.APPROVE).exists()


def test_it_reports_bulk_items_the_user_may_not_act_on(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.outsider.user)
    response = client.post(reverse("approvals:bulk"), {"slot": [slot_of(document, city.chief).pk]}, follow=True)
    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert any(t.startswith("1 item could not be approved") for t in messages_of(response))


# ---- send back and reject --------------------------------------------------------------------------------


def test_it_keeps_the_send_back_form_when_the_comment_is_empty(city, client, office):
    document = file_leave(city, office)
    services.slot_approve(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)
    log_in(client, city.delegate.user)
    slot = slot_of(document, city.delegate)
    response = client.post(act_url(slot, "send-back"), {"to_order": "1", "comment": "  "})
    assert response.status_code == 400
    text = page_text(response)
    assert "Please write the reason." in text  # the field is labelled "Reason": its error says reason too
    assert '<option value="1" selected>' in text  # the chosen step is kept
    assert f'name="next" value="/approvals/documents/{document.pk}/"' in text  # not the action's URL
    assert slot_of(document, city.delegate).state == SlotState.PENDING
    assert not AuditEntry.objects.filter(action=AuditAction.SEND_BACK).exists()


def test_it_sends_back_to_an_earlier_step(city, client, office):
    document = file_leave(city, office)
    services.slot_approve(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office)
    log_in(client, city.delegate.user)
    response = client.post(
        act_url(slot_of(document, city.delegate), "send-back"), {"to_order": "1", "comment": "日付を確認してください"}
    )
    assert response.status_code == 302
    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert slot_of(document, city.delegate).state == SlotState.WAITING
    assert any("was sent back to 係長" in t for t in messages_of(client.get(response["Location"])))


def test_it_sends_back_to_the_applicant(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    client.post(act_url(slot_of(document, city.chief), "send-back"), {"to_order": "0", "comment": "理由を追記"})
    document.refresh_from_db()
    assert document.status == DocumentStatus.SENT_BACK


def test_it_refuses_a_rejection_without_a_reason_on_the_page(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.post(act_url(slot_of(document, city.chief), "reject"), {"comment": ""})
    assert response.status_code == 400
    assert "Please write the reason." in page_text(response)
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS


def test_it_ends_the_flow_when_rejected_with_a_reason(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.post(act_url(slot_of(document, city.chief), "reject"), {"comment": "期間が重複しています"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED
    assert slot_of(document, city.delegate).state == SlotState.CANCELLED
    assert AuditEntry.objects.get(action=AuditAction.REJECT).comment == "期間が重複しています"


# ---- 後閲, pull back, circulation -------------------------------------------------------------------------


def test_it_approves_ahead_of_an_absent_approver(city, client, office):
    document = file_leave(city, office)
    away(city, city.chief)
    log_in(client, city.delegate.user)
    page = page_text(client.get(reverse("approvals:document", args=[document.pk])))
    assert "Approve ahead of absent approvers (後閲)" in page
    client.post(act_url(slot_of(document, city.delegate), "approve-ahead"))
    assert slot_of(document, city.chief).state == SlotState.POST_REVIEW
    assert slot_of(document, city.delegate).state == SlotState.APPROVED
    log_in(client, city.chief.user)
    inbox = page_text(client.get(reverse("approvals:inbox")))
    assert "To review after the fact (後閲)" in inbox
    client.post(act_url(slot_of(document, city.chief), "post-review"))
    assert slot_of(document, city.chief).state == SlotState.POST_REVIEWED


def test_it_pulls_back_an_approval_before_the_next_approver_acts(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    client.post(act_url(slot_of(document, city.chief), "approve"))
    assert "Pull back (引戻し)" in page_text(client.get(reverse("approvals:document", args=[document.pk])))
    response = client.post(act_url(slot_of(document, city.chief), "pull-back"), follow=True)
    assert slot_of(document, city.chief).state == SlotState.PENDING
    assert f"Your approval of “{document.title}” was pulled back." in messages_of(response)


def test_it_acknowledges_a_circulated_document(city, client, office):
    document = file_leave(city, office, circulate_to=[city.colleague])
    for who in (city.chief, city.delegate, city.approver):
        services.slot_approve(slot=slot_of(document, who), actor=who.user, ctx=office)
    log_in(client, city.colleague.user)
    assert document.title in page_text(client.get(reverse("approvals:circulated")))
    client.post(act_url(slot_of(document, city.colleague), "acknowledge"))
    assert slot_of(document, city.colleague).state == SlotState.ACKNOWLEDGED


# ---- the applicant ---------------------------------------------------------------------------------------


def test_it_lets_the_applicant_withdraw(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.applicant.user)
    assert "Withdraw (取り下げ)" in page_text(client.get(reverse("approvals:document", args=[document.pk])))
    response = client.post(reverse("approvals:withdraw", args=[document.pk]))
    assert response["Location"] == reverse("approvals:document", args=[document.pk])
    document.refresh_from_db()
    assert document.status == DocumentStatus.WITHDRAWN


def test_it_refuses_a_withdrawal_by_the_chief(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    assert client.post(reverse("approvals:withdraw", args=[document.pk])).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS


def test_it_hides_the_document_from_an_outsider_who_tries_to_withdraw_it(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.outsider.user)
    assert client.post(reverse("approvals:withdraw", args=[document.pk])).status_code == 404


def test_it_lets_the_applicant_file_a_sent_back_document_again(city, client, office):
    document = file_leave(city, office)
    services.document_send_back(
        slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, to_order=0, comment="添付漏れ"
    )
    log_in(client, city.applicant.user)
    assert "File again" in page_text(client.get(reverse("approvals:document", args=[document.pk])))
    client.post(reverse("approvals:resubmit", args=[document.pk]))
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert slot_of(document, city.chief).state == SlotState.PENDING


# ---- the document page -----------------------------------------------------------------------------------


def test_it_shows_the_route_as_stamp_boxes_with_the_seal_once_approved(city, client, office):
    document = file_leave(city, office)
    services.slot_approve(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, comment="確認済")
    log_in(client, city.applicant.user)
    text = page_text(client.get(reverse("approvals:document", args=[document.pk])))
    assert text.count('class="stamp-box ') == 4  # the applicant and three steps
    assert '<span class="stamp__name">鈴木</span>' in text
    assert "係長" in text and "課長補佐" in text and "課長" in text
    assert "確認済" in text  # the history's comment


def test_it_shows_the_document_of_another_unit_as_not_found_to_the_outsider(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.outsider.user)
    hidden = client.get(reverse("approvals:document", args=[document.pk]))
    missing = client.get(reverse("approvals:document", args=[document.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    assert [t.name for t in hidden.templates] == [t.name for t in missing.templates]
    assert document.title not in page_text(hidden)


# ---- the remote zone -------------------------------------------------------------------------------------


def test_it_refuses_the_inbox_from_home_without_a_second_factor(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user, remote=True)
    response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 403
    assert "one-time password" in page_text(response)


def test_it_refuses_an_approval_from_home_without_a_second_factor(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user, remote=True)
    assert client.post(act_url(slot_of(document, city.chief), "approve")).status_code == 403
    assert slot_of(document, city.chief).state == SlotState.PENDING


def test_it_approves_from_home_with_a_second_factor_and_records_the_zone(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user, remote=True, otp=True)
    client.post(act_url(slot_of(document, city.chief), "approve"))
    assert slot_of(document, city.chief).state == SlotState.APPROVED
    assert AuditEntry.objects.get(action=AuditAction.APPROVE).zone == "remote"


# ---- attachments -----------------------------------------------------------------------------------------


def attached(city, office) -> Document:
    upload = SimpleUploadedFile("診断書.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    return file_leave(city, office, attachments=[upload])


def test_it_lets_an_approver_download_an_attachment_under_its_own_name(city, client, office):
    document = attached(city, office)
    attachment = document.attachments.get()
    log_in(client, city.chief.user)
    assert reverse("approvals:attachment", args=[attachment.pk]) in page_text(
        client.get(reverse("approvals:document", args=[document.pk]))
    )
    response = client.get(reverse("approvals:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "attachment;" in response["Content-Disposition"]
    assert "%E8%A8%BA%E6%96%AD%E6%9B%B8.pdf" in response["Content-Disposition"]


def test_it_refuses_an_attachment_to_an_outsider_as_not_found(city, client, office):
    attachment = attached(city, office).attachments.get()
    log_in(client, city.outsider.user)
    assert client.get(reverse("approvals:attachment", args=[attachment.pk])).status_code == 404


# ---- change of approver (HR) -----------------------------------------------------------------------------


def test_hr_changes_a_waiting_approver(city, client, office):
    document = file_leave(city, office)
    slot = slot_of(document, city.delegate)
    log_in(client, city.hr_clerk.user)
    response = client.post(
        reverse("approvals:reassign", args=[slot.pk]), {"employee_number": "100005", "reason": "長期休暇のため"}
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.staff == city.department_head
    assert AuditEntry.objects.get(action=AuditAction.REASSIGN).comment == "長期休暇のため"


def test_it_refuses_a_change_of_approver_by_the_chief(city, client, office):
    document = file_leave(city, office)
    slot = slot_of(document, city.delegate)
    log_in(client, city.chief.user)
    response = client.post(
        reverse("approvals:reassign", args=[slot.pk]), {"employee_number": "100005", "reason": "長期休暇のため"}
    )
    assert response.status_code == 403
    slot.refresh_from_db()
    assert slot.staff == city.delegate


def test_it_requires_a_reason_for_a_change_of_approver(city, client, office):
    document = file_leave(city, office)
    slot = slot_of(document, city.delegate)
    log_in(client, city.hr_clerk.user)
    response = client.post(reverse("approvals:reassign", args=[slot.pk]), {"employee_number": "100005", "reason": ""})
    slot.refresh_from_db()
    assert slot.staff == city.delegate
    assert response.status_code == 400  # HR sees the document page again, with the form's error and input kept
    assert "Please give the reason for the change." in page_text(response)


def test_hr_opens_another_units_open_document_to_change_its_approver(city, office, client):
    document = file_leave(city, office, title="休暇")
    client.force_login(city.hr_clerk.user)  # 人事担当 in 給与係: not on the route, supervises nobody
    response = client.get(reverse("approvals:document", args=[document.pk]))
    assert response.status_code == 200
    assert b"Change approver" in response.content


def test_hr_cannot_open_a_closed_document_of_another_unit(city, office, client):
    document = file_leave(city, office, title="休暇")
    services.document_withdraw(document=document, actor=city.applicant.user, ctx=office)
    client.force_login(city.hr_clerk.user)
    assert client.get(reverse("approvals:document", args=[document.pk])).status_code == 404
