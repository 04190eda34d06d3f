"""Live queue updates over Channels: each user's sockets join the group `user.<id>`.

Services call `queues_changed(staff_ids)` inside their transaction; the message goes out after commit (so a
rolled-back action announces nothing) to those staff and to their active delegates, whose "delegated to me"
queue changed too. A channel layer that is down costs a log line, never the action (robust on_commit).

Each socket also joins its login session's group (`session_group`), so that logging out closes exactly that
session's sockets (`session_ended`, connected in apps.py) and leaves the user's other sessions open. The
consumer is approvals/consumers.py; the message protocol is described there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from personnel.models import Staff
from personnel.org import delegations_active

QUEUES_CHANGED = "queues.changed"
SESSION_END = "session.end"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The group of one login session's sockets. A keyed hash, so the session key (a credential) never
    reaches the channel layer (Redis) and a group name cannot be turned back into a cookie."""
    return "session." + salted_hmac("approvals.live.session_group", session_key, algorithm="sha256").hexdigest()[:40]


def users_behind(staff_ids: Iterable[int]) -> set[int]:
    """Users of these staff and of everyone acting for them today under a delegation."""
    ids = set(staff_ids)
    users = set(Staff.objects.filter(pk__in=ids, user__isnull=False).values_list("user_id", flat=True))
    users |= set(
        delegations_active(on=timezone.localdate())
        .filter(delegator_id__in=ids)
        .values_list("delegate__user_id", flat=True)
    )
    return users


def send_to_users(user_ids: Iterable[int], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in sorted(set(user_ids)):
        async_to_sync(layer.group_send)(user_group(user_id), message)


def queues_changed(staff_ids: Iterable[int]) -> None:
    ids = {i for i in staff_ids if i is not None}
    if not ids:
        return

    def announce() -> None:
        send_to_users(users_behind(ids), {"type": QUEUES_CHANGED})

    transaction.on_commit(announce, robust=True)


def session_ended(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """`user_logged_out` receiver: close the sockets of the session being logged out (not the user's others).
    Django sends the signal before it flushes the session, so the old key is still there."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if not session_key:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    group = session_group(session_key)

    def announce() -> None:
        async_to_sync(layer.group_send)(group, {"type": SESSION_END})

    transaction.on_commit(announce, robust=True)


user_logged_out.connect(session_ended, dispatch_uid="approvals.live.session_ended")
