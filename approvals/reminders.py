"""督促・エスカレーション: items waiting too long, for business continuity (BCP) — never an automatic approval.

An item (a stamp box waiting for its approver, 承認・決裁; not a circulation) that has waited more than
`remind_after` working days reminds its approver (and their active delegates, who hold the same queue); one that
has waited more than `escalate_after` working days tells the approver's superior (personnel.org.staff_superiors)
and their active delegates, naming the approver. The limits are data per document type (ReminderRule; defaults
REMIND_AFTER_DAYS 2 and ESCALATE_AFTER_DAYS 5). Working days are counted from the day after the item arrived
(personnel/calendar.py: weekends, holidays and 12/29–1/3 do not count).

`send_reminders` is idempotent: each level is sent once per item and wait (a Reminder row, unique per stamp box,
level and arrival time, written with the notifications in one transaction), so the timer may run it as often as it
likes and two runs at once send nothing twice. An item that is sent back and arrives again waits anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals import notify
from approvals.models import (
    NotificationKind,
    Reminder,
    ReminderRule,
    StepApprover,
)
from approvals.selectors import waiting_items
from personnel.calendar import working_days
from personnel.org import delegations_active, staff_superiors


def waited(since: datetime, today: date) -> int:
    """Working days an item has waited: those after the day it arrived, up to today."""
    return len(working_days(timezone.localdate(since) + timedelta(days=1), today))


def limits() -> dict[str, tuple[int, int]]:
    """(remind after, escalate after) per type that has a rule; others use the settings' defaults."""
    return {r.doc_type: (r.remind_after, r.escalate_after) for r in ReminderRule.objects.all()}


def default_limits() -> tuple[int, int]:
    return settings.REMIND_AFTER_DAYS, settings.ESCALATE_AFTER_DAYS


@dataclass(frozen=True)
class Run:
    reminded: int
    escalated: int


def _send(slot: StepApprover, level: int, now: datetime, today: date) -> bool:
    """Record and notify one level for one item, once (False when it was sent before)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(slot=slot, level=level, waiting_since=slot.waiting_since, sent_at=now)
            if level == Reminder.REMIND:
                notify.add(NotificationKind.REMINDER, document_id=slot.document_id, staff_ids=[slot.staff_id])
            else:
                above = [s.pk for s in staff_superiors(staff=slot.staff, on=today)]
                delegates = list(
                    delegations_active(on=today).filter(delegator=slot.staff).values_list("delegate_id", flat=True)
                )
                notify.add(
                    NotificationKind.ESCALATION,
                    document_id=slot.document_id,
                    staff_ids=dict.fromkeys([*above, *delegates]),
                    about_id=slot.staff_id,
                )
    except IntegrityError:  # sent already (by an earlier or a concurrent run)
        return False
    return True


def send_reminders(*, now: datetime) -> Run:
    today = timezone.localdate(now)
    per_type, default = limits(), default_limits()
    done = set(Reminder.objects.filter(slot__in=waiting_items()).values_list("slot_id", "level", "waiting_since"))
    reminded = escalated = 0
    for slot in waiting_items().select_related("staff", "document").order_by("waiting_since", "pk"):
        remind_after, escalate_after = per_type.get(slot.document.doc_type, default)
        days = waited(slot.waiting_since, today)
        for level, after in ((Reminder.REMIND, remind_after), (Reminder.ESCALATE, escalate_after)):
            if days > after and (slot.pk, level, slot.waiting_since) not in done and _send(slot, level, now, today):
                if level == Reminder.REMIND:
                    reminded += 1
                else:
                    escalated += 1
    return Run(reminded=reminded, escalated=escalated)
