"""お知らせ: notifications of what happened to a document, in the portal (the bell) and by e-mail.

The engine's actions say what happened while they run (`arrived` for stamp boxes that became the recipient's turn,
`add` for anything else); an action collects them (`collecting`, opened by approvals/services/_core.action) and
writes them at its end, inside its transaction, leaving out arrivals the same action already moved on (an
approver's own step reached and approved at once, an item decided in the same bulk). So a rolled-back action
notifies nobody.

Who is told: the recipient, and for an item arriving in someone's inbox also their active delegates (代理: the
notification names whose item it is). What follows after commit (robust: a failure is logged, the action stands):
- the bell: the recipients' sockets recount (approvals.live; the count is part of the queue counts);
- mail, as each person chose (NotificationSetting): at once (one mail each), in a daily digest (one mail a day,
  `manage.py send_notifications`), or off. A mail that fails is logged and left unsent; `send_notifications`
  (every few minutes from the timer, deploy notes in the README) retries it up to MAIL_ATTEMPTS times.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from approvals import live
from approvals.models import (
    MailMode,
    Notification,
    NotificationKind,
    NotificationSetting,
    SlotState,
    StepApprover,
)
from personnel.models import Staff
from personnel.org import delegations_active

logger = logging.getLogger(__name__)

MAIL_ATTEMPTS = 5
# An immediate mail not sent this long after it was made is the retry's to send (the sender after commit had its
# chance; waiting avoids sending one twice while that sender is still at work).
RETRY_AFTER = timedelta(minutes=2)

# Kinds that reach the recipient's delegates too (an item in the delegator's queue is in the delegate's).
FOR_DELEGATES = {
    NotificationKind.ARRIVED,
    NotificationKind.CIRCULATED,
    NotificationKind.POST_REVIEW,
    NotificationKind.REMINDER,
}
# A stamp box's arrival stands when the box is still in this state at the end of the action.
_ARRIVAL_STATE = {NotificationKind.POST_REVIEW: SlotState.POST_REVIEW}


@dataclass(frozen=True)
class Event:
    kind: str
    document_id: int
    staff_id: int
    about_id: int | None = None
    note: str = ""


@dataclass
class Batch:
    events: list[Event] = field(default_factory=list)
    arrivals: list[tuple[int, str]] = field(default_factory=list)  # (slot id, kind)


_batches: contextvars.ContextVar[tuple[Batch, ...]] = contextvars.ContextVar("notify_batches", default=())


@contextmanager
def collecting() -> Iterator[Batch]:
    """Collect the notifications of one action and write them when it ends normally (inside its transaction)."""
    batch = Batch()
    token = _batches.set((*_batches.get(), batch))
    try:
        yield batch
    finally:
        _batches.reset(token)
    post(_settle(batch))


def _current() -> Batch | None:
    stack = _batches.get()
    return stack[-1] if stack else None


def add(
    kind: str, *, document_id: int, staff_ids: Iterable[int | None], about_id: int | None = None, note: str = ""
) -> None:
    """Tell `staff_ids` that `kind` happened to the document (at the end of the action, or now outside one), with
    an optional note (a reason, what needs attention)."""
    note = str(note)[: Notification._meta.get_field("note").max_length]
    events = [Event(kind, document_id, sid, about_id, note) for sid in staff_ids if sid is not None]
    batch = _current()
    if batch is None:
        post(events)
    else:
        batch.events.extend(events)


def arrived(slot_ids: Iterable[int], kind: str = NotificationKind.ARRIVED) -> None:
    """These stamp boxes became their holders' turn (kept only if they still are when the action ends)."""
    batch = _current()
    pairs = [(pk, kind) for pk in slot_ids]
    if batch is None:
        post(_settle(Batch(arrivals=pairs)))
    else:
        batch.arrivals.extend(pairs)


def _settle(batch: Batch) -> list[Event]:
    events = list(batch.events)
    if batch.arrivals:
        kinds = dict(batch.arrivals)
        rows = StepApprover.objects.filter(pk__in=kinds).values_list("pk", "staff_id", "document_id", "state")
        for pk, staff_id, document_id, state in rows:
            if state == _ARRIVAL_STATE.get(kinds[pk], SlotState.PENDING):
                events.append(Event(kinds[pk], document_id, staff_id))
    return events


def post(events: Iterable[Event]) -> list[Notification]:
    """Write the notifications (and the delegates' copies) and, after commit, ring the bells and send the
    immediate mails. Inside the caller's transaction."""
    events = list(dict.fromkeys(events))
    if not events:
        return []
    delegators = {e.staff_id for e in events if e.kind in FOR_DELEGATES}
    if delegators:
        delegates: dict[int, set[int]] = {}
        for delegator_id, delegate_id in (
            delegations_active(on=timezone.localdate())
            .filter(delegator_id__in=delegators)
            .values_list("delegator_id", "delegate_id")
        ):
            delegates.setdefault(delegator_id, set()).add(delegate_id)
        events += [
            Event(e.kind, e.document_id, delegate_id, e.about_id or e.staff_id, e.note)
            for e in events
            if e.kind in FOR_DELEGATES
            for delegate_id in sorted(delegates.get(e.staff_id, ()))
        ]
    recipients = {e.staff_id for e in events}
    modes = dict(NotificationSetting.objects.filter(staff_id__in=recipients).values_list("staff_id", "mail"))
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=e.staff_id,
                kind=e.kind,
                document_id=e.document_id,
                about_id=e.about_id,
                note=e.note,
                created_at=now,
                mail=modes.get(e.staff_id, MailMode.IMMEDIATE),
            )
            for e in events
        ]
    )
    immediate = [n.pk for n in rows if n.mail == MailMode.IMMEDIATE]
    if immediate:
        transaction.on_commit(lambda: deliver(immediate), robust=True)
    live.queues_changed(recipients)
    return rows


# --------------------------------------------------------------------------------------------------------
# Reading and marking
# --------------------------------------------------------------------------------------------------------


def unread_count(staff_id: int) -> int:
    return Notification.objects.filter(recipient_id=staff_id, read_at__isnull=True).count()


@transaction.atomic(durable=True)
def mark_read(*, staff: Staff, ids: Iterable[int] | None = None) -> int:
    """Mark the staff member's notifications read (all of them when `ids` is None). Returns how many changed."""
    rows = Notification.objects.filter(recipient=staff, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    changed = rows.update(read_at=timezone.now())
    if changed:
        live.queues_changed({staff.pk})
    return changed


@transaction.atomic(durable=True)
def mail_mode_set(*, staff: Staff, mode: str) -> NotificationSetting:
    if mode not in MailMode.values:
        raise ValueError(mode)
    setting, _created = NotificationSetting.objects.update_or_create(staff=staff, defaults={"mail": mode})
    return setting


def mail_mode_of(staff: Staff) -> str:
    setting = NotificationSetting.objects.filter(staff=staff).first()
    return setting.mail if setting else MailMode.IMMEDIATE


# --------------------------------------------------------------------------------------------------------
# Mail
# --------------------------------------------------------------------------------------------------------


def _address(staff: Staff) -> str:
    return staff.email or (staff.user.email if staff.user_id else "")


def _link(notification: Notification) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("approvals:document", args=[notification.document_id])


def _message(recipient: Staff, notifications: list[Notification], *, digest: bool) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient": recipient,
            "items": [{"n": n, "url": _link(n)} for n in notifications],
            "portal_url": settings.PORTAL_BASE_URL,
            "settings_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("approvals:notifications"),
        }
        template = "approvals/mail/digest" if digest else "approvals/mail/notification"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[_address(recipient)])


def _locked(rows: Q) -> list[Notification]:
    """Unsent notifications matching `rows`, locked for this sender (another sender skips them)."""
    query = Notification.objects.filter(rows, mailed_at__isnull=True).select_related(
        "document", "recipient__user", "about"
    )
    if transaction.get_connection().features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return list(query.order_by("recipient_id", "pk"))


def _send(recipient: Staff, notifications: list[Notification], *, digest: bool, now: datetime) -> bool:
    """Send one mail for `notifications` and record the outcome on them. True when it went."""
    ids = [n.pk for n in notifications]
    if not _address(recipient):
        Notification.objects.filter(pk__in=ids).update(mail_attempts=MAIL_ATTEMPTS, mail_error="no e-mail address")
        return False
    try:
        _message(recipient, notifications, digest=digest).send()
    except Exception as error:  # any failure of the mail system: logged, retried later; the action stands
        logger.warning("notification mail to staff %s failed (%s): %s", recipient.pk, ids, error)
        Notification.objects.filter(pk__in=ids).update(
            mail_attempts=notifications[0].mail_attempts + 1, mail_error=str(error)[:300]
        )
        return False
    Notification.objects.filter(pk__in=ids).update(mailed_at=now, mail_error="")
    return True


def deliver(ids: Iterable[int]) -> int:
    """Send the immediate mails of these notifications (one each) that are not sent yet. Returns how many went."""
    sent = 0
    with transaction.atomic():
        now = timezone.now()
        for notification in _locked(Q(pk__in=list(ids), mail=MailMode.IMMEDIATE)):
            sent += _send(notification.recipient, [notification], digest=False, now=now)
    return sent


@dataclass(frozen=True)
class MailRun:
    retried: int
    digests: int


def send_pending(*, now: datetime) -> MailRun:
    """The timer's part (`manage.py send_notifications`, idempotent): immediate mails that failed or were never
    sent (up to MAIL_ATTEMPTS tries), and the daily digests due (one a day per person, from DIGEST_HOUR)."""
    retry = Q(mail=MailMode.IMMEDIATE, mail_attempts__lt=MAIL_ATTEMPTS, created_at__lte=now - RETRY_AFTER)
    retried = 0
    with transaction.atomic():
        for notification in _locked(retry):
            retried += _send(notification.recipient, [notification], digest=False, now=now)
    digests = 0
    local = timezone.localtime(now)
    if local.hour >= settings.NOTIFY_DIGEST_HOUR:
        today = local.date()
        with transaction.atomic():
            pending = _locked(Q(mail=MailMode.DIGEST, mail_attempts__lt=MAIL_ATTEMPTS))
            by_recipient: dict[int, list[Notification]] = {}
            for n in pending:
                by_recipient.setdefault(n.recipient_id, []).append(n)
            sent_today = set(
                NotificationSetting.objects.filter(staff_id__in=by_recipient, digest_sent_on=today).values_list(
                    "staff_id", flat=True
                )
            )
            for staff_id, items in by_recipient.items():
                if staff_id in sent_today:
                    continue
                if _send(items[0].recipient, items, digest=True, now=now):
                    NotificationSetting.objects.update_or_create(staff_id=staff_id, defaults={"digest_sent_on": today})
                    digests += 1
    return MailRun(retried=retried, digests=digests)
