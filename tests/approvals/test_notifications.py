"""お知らせ (approvals/notify.py): who is told what, the bell and its page, and mail at once, in a daily digest or
not at all; mail after commit that never breaks an action and is retried."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from approvals import notify, services
from approvals.models import MailMode, Notification
from tests.approvals.helpers import (
    approve,
    approve_in_turn,
    chief_delegates_to_colleague,
    file_leave,
    slot_of,
)
from tests.conftest import NOW
from tests.webtools import log_in, page_text


def kinds(staff) -> list[tuple[str, str]]:
    return [(n.kind, n.document.title) for n in Notification.objects.filter(recipient=staff).order_by("pk")]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what actions leave for after commit (the mail, the bell) as a real commit would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def test_filing_tells_the_first_approver_and_nobody_else(city, office):
    file_leave(city, office, title="研修参加について")
    assert kinds(city.chief) == [("arrived", "研修参加について")]
    assert kinds(city.delegate) == [] and kinds(city.applicant) == [] and kinds(city.approver) == []


def test_each_approval_tells_the_next_approver_and_the_decision_tells_the_applicant(city, office):
    memo = file_leave(city, office, title="研修参加について")
    approve(memo, city.chief, office)
    assert kinds(city.delegate) == [("arrived", "研修参加について")]
    approve_in_turn(memo, [city.delegate, city.approver], office)
    assert kinds(city.approver) == [("arrived", "研修参加について")]
    assert kinds(city.applicant) == [("decided", "研修参加について")]


def test_a_send_back_tells_the_applicant(city, office):
    memo = file_leave(city, office, title="研修参加について")
    services.document_send_back(
        slot=slot_of(memo, city.chief), actor=city.chief.user, ctx=office, to_order=0, comment="日付を確認"
    )
    assert kinds(city.applicant) == [("sent_back", "研修参加について")]


def test_a_send_back_to_a_step_tells_that_steps_approver_it_came_back(city, office):
    memo = file_leave(city, office, title="研修参加について")
    approve(memo, city.chief, office)
    services.document_send_back(
        slot=slot_of(memo, city.delegate), actor=city.delegate.user, ctx=office, to_order=1, comment="再確認を"
    )
    assert kinds(city.chief) == [("arrived", "研修参加について"), ("sent_back", "研修参加について")]


def test_a_rejection_tells_the_applicant_and_a_withdrawal_tells_who_had_it(city, office):
    rejected = file_leave(city, office, title="却下される伺い")
    services.document_reject(slot=slot_of(rejected, city.chief), actor=city.chief.user, ctx=office, comment="不要")
    withdrawn = file_leave(city, office, title="取り下げる伺い")
    services.document_withdraw(document=withdrawn, actor=city.applicant.user, ctx=office)
    assert kinds(city.applicant) == [("rejected", "却下される伺い")]
    assert ("withdrawn", "取り下げる伺い") in kinds(city.chief)


def test_an_item_arriving_for_a_delegator_also_tells_the_delegate(city, office):
    chief_delegates_to_colleague(city, office, reason="出張")
    file_leave(city, office, title="研修参加について")
    notification = Notification.objects.get(recipient=city.colleague)
    assert notification.kind == "arrived" and notification.about == city.chief


def test_a_bulk_decision_tells_the_applicants_and_skips_steps_it_passed_at_once(city, office):
    memos = [file_leave(city, office, title=f"伺い{n}") for n in range(2)]
    for memo in memos:
        approve_in_turn(memo, [city.chief, city.delegate], office)
    services.slots_bulk_approve(
        slot_ids=[slot_of(m, city.approver).pk for m in memos], actor=city.approver.user, ctx=office
    )
    assert sorted(kinds(city.applicant)) == [("decided", "伺い0"), ("decided", "伺い1")]


def test_a_refused_decision_tells_nobody(city, office):
    memo = file_leave(city, office, title="決裁できない伺い", refuse_decision="在庫がありません")
    approve_in_turn(memo, [city.chief, city.delegate], office)
    with pytest.raises(services.ActionRefused):
        approve(memo, city.approver, office)
    assert kinds(city.applicant) == []


def test_an_immediate_mail_goes_after_commit_with_a_link(city, office, on_commit):
    memo = on_commit(file_leave, city, office, title="研修参加について")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["s100003@city.example.jp"]
    assert "研修参加について" in message.subject
    assert f"/approvals/documents/{memo.pk}/" in message.body
    assert Notification.objects.get(recipient=city.chief).mailed_at is not None


def test_no_mail_for_someone_who_turned_mail_off(city, office, on_commit):
    notify.mail_mode_set(staff=city.chief, mode=MailMode.OFF)
    on_commit(file_leave, city, office)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=city.chief).count() == 1  # the bell still rings


def test_a_daily_digest_is_one_mail_with_everything_and_only_once_a_day(city, office, on_commit):
    notify.mail_mode_set(staff=city.chief, mode=MailMode.DIGEST)
    for n in range(3):
        on_commit(file_leave, city, office, title=f"伺い{n}")
    assert mail.outbox == []
    with time_machine.travel(NOW.replace(hour=7, minute=0) + timedelta(days=1), tick=False):
        call_command("send_notifications")
    assert mail.outbox == []  # before NOTIFY_DIGEST_HOUR
    with time_machine.travel(NOW.replace(hour=8, minute=5) + timedelta(days=1), tick=False):
        call_command("send_notifications")
        call_command("send_notifications")
    assert len(mail.outbox) == 1
    assert all(f"伺い{n}" in mail.outbox[0].body for n in range(3))


def test_a_failed_mail_breaks_nothing_is_logged_and_is_retried(city, office, on_commit, settings, caplog):
    settings.EMAIL_BACKEND = "tests.approvals.mail_backends.DownBackend"
    with caplog.at_level(logging.WARNING, logger="approvals.notify"):
        memo = on_commit(file_leave, city, office, title="研修参加について")
    assert memo.status == "in_progress"
    notification = Notification.objects.get(recipient=city.chief)
    assert notification.mailed_at is None and notification.mail_attempts == 1
    assert "Connection unexpectedly closed" in notification.mail_error
    assert "notification mail" in caplog.text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        call_command("send_notifications")
    assert len(mail.outbox) == 1
    assert Notification.objects.get(recipient=city.chief).mailed_at is not None


def test_the_bell_page_lists_unread_first_and_opening_one_marks_it_read(city, client, office):
    memo = file_leave(city, office, title="研修参加について")
    log_in(client, city.chief.user)
    response = client.get(reverse("approvals:notifications"))
    assert "研修参加について" in page_text(response)
    assert response.context["queue_counts"]["notifications"] == 1
    notification = Notification.objects.get(recipient=city.chief)
    opened = client.post(reverse("approvals:notification_open", args=[notification.pk]))
    assert opened.url == reverse("approvals:document", args=[memo.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read(city, client, office):
    for n in range(3):
        file_leave(city, office, title=f"伺い{n}")
    log_in(client, city.chief.user)
    client.post(reverse("approvals:notifications_read"))
    assert Notification.objects.filter(recipient=city.chief, read_at__isnull=True).count() == 0


def test_nobody_opens_someone_elses_notification(city, client, office):
    file_leave(city, office)
    notification = Notification.objects.get(recipient=city.chief)
    log_in(client, city.colleague.user)
    client.post(reverse("approvals:notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_mail_setting_is_saved_from_the_page(city, client):
    log_in(client, city.chief.user)
    client.post(reverse("approvals:mail_setting"), {"mail": "digest"})
    assert notify.mail_mode_of(city.chief) == MailMode.DIGEST


def test_from_home_no_notification_names_a_document_with_personal_information(city, client, office):
    file_leave(city, office, title="病気休暇の件", contains_personal_info=True)
    file_leave(city, office, title="会議の件")
    log_in(client, city.chief.user, remote=True, otp=True)
    response = client.get(reverse("approvals:notifications"))
    assert "会議の件" in page_text(response) and "病気休暇の件" not in page_text(response)
    assert response.context["queue_counts"]["notifications"] == 1


def test_a_mail_never_carries_the_title_of_a_document_with_personal_information(city, office, on_commit):
    on_commit(file_leave, city, office, title="病気休暇（入院）", contains_personal_info=True)
    [message] = mail.outbox
    assert "病気休暇" not in message.subject and "病気休暇" not in message.body
    assert "個人情報" in message.subject


def test_a_title_is_mailed_as_typed_not_html_escaped(city, office, on_commit):
    on_commit(file_leave, city, office, title='R&D "試行" <案>')
    [message] = mail.outbox
    assert 'R&D "試行" <案>' in message.subject and 'R&D "試行" <案>' in message.body
