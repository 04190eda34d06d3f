"""督促・エスカレーション (approvals/reminders.py, manage.py send_reminders) with the clock frozen: working days, once
per level, the superior and delegates told, per-type limits as data, never an automatic approval; and the BCP view."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import Notification, Reminder, ReminderRule, SlotState
from tests.approvals.helpers import approve, chief_delegates_to_colleague, file_leave, slot_of
from tests.webtools import log_in, page_text

# Filed on Monday 23 November 2026 (a holiday) at 10:00; the working days after it: Tue 24 (1), Wed 25 (2),
# Thu 26 (3), Fri 27 (4), Mon 30 (5), Tue 1 December (6).


def at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def run_on(day: date) -> None:
    with time_machine.travel(at(day, time(8, 30)), tick=False):
        call_command("send_reminders")


def told(staff, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=staff, kind=kind))


@pytest.fixture
def waiting(city, office):
    return file_leave(city, office, title="備品購入の伺い")


def test_no_reminder_within_two_working_days(city, waiting):
    run_on(date(2026, 11, 25))
    assert told(city.chief, "reminder") == []


def test_the_approver_is_reminded_after_two_working_days_once(city, waiting):
    run_on(date(2026, 11, 26))
    run_on(date(2026, 11, 26))
    run_on(date(2026, 11, 27))
    reminders = told(city.chief, "reminder")
    assert len(reminders) == 1 and reminders[0].document == waiting
    assert told(city.approver, "escalation") == []


def test_weekends_do_not_count(city, waiting):
    # Sat 28 and Sun 29 add nothing to Fri 27's four working days.
    run_on(date(2026, 11, 29))
    assert told(city.approver, "escalation") == []


def test_after_five_working_days_the_superior_and_the_delegate_are_told(city, office, waiting):
    chief_delegates_to_colleague(city, office, days=30, reason="長期出張")
    run_on(date(2026, 12, 1))
    escalation = told(city.approver, "escalation")
    assert len(escalation) == 1 and escalation[0].about == city.chief
    assert [n.about for n in told(city.colleague, "escalation")] == [city.chief]
    assert Reminder.objects.filter(slot=slot_of(waiting, city.chief)).count() == 2
    run_on(date(2026, 12, 2))
    assert len(told(city.approver, "escalation")) == 1


def test_nothing_is_ever_approved_automatically(city, waiting):
    run_on(date(2026, 12, 20))
    slot = slot_of(waiting, city.chief)
    assert slot.state == SlotState.PENDING
    waiting.refresh_from_db()
    assert waiting.status == "in_progress"


def test_the_limits_are_data_per_type(city, waiting):
    ReminderRule.objects.create(doc_type="memo", remind_after=1, escalate_after=2)
    run_on(date(2026, 11, 25))  # two working days waited: more than one → reminder; not more than two
    assert len(told(city.chief, "reminder")) == 1 and told(city.approver, "escalation") == []
    run_on(date(2026, 11, 26))
    assert len(told(city.approver, "escalation")) == 1


def test_an_item_that_comes_back_waits_anew(city, office, waiting):
    approve(waiting, city.chief, office)
    with time_machine.travel(at(date(2026, 11, 26), time(9)), tick=False):
        services.document_send_back(
            slot=slot_of(waiting, city.delegate), actor=city.delegate.user, ctx=office, to_order=1, comment="再確認"
        )
    run_on(date(2026, 11, 27))
    assert told(city.chief, "reminder") == []  # back since Thursday: one working day
    run_on(date(2026, 12, 2))
    assert len(told(city.chief, "reminder")) == 1


def test_the_bcp_view_lists_the_longest_waits_per_unit_for_hr(city, client, office, waiting):
    file_leave(city, office, title="後から出た伺い")
    with time_machine.travel(at(date(2026, 12, 1), time(9)), tick=False):
        log_in(client, city.hr_clerk.user)
        response = client.get(reverse("approvals:bcp"))
    units = response.context["units"]
    assert [u.label for u in units] == ["人事課 人事係"]
    assert units[0].count == 2
    assert [s.document.title for s in units[0].items] == ["備品購入の伺い", "後から出た伺い"]
    assert units[0].items[0].waited == 6
    assert "鈴木 一郎" in page_text(response)


def test_the_bcp_view_is_refused_to_staff_without_the_role(city, client, waiting):
    log_in(client, city.approver.user)
    assert client.get(reverse("approvals:bcp")).status_code == 403
