"""The live queue badge counts over a websocket (`ws/queues/`, routed in portal/routing.py).

Protocol (server to client only; anything the client sends is ignored):

    {"type": "counts", "counts": {"inbox": n, "delegated": n, "circulated": n, "my_open": n}}
        on connect, and again whenever one of the user's queues (or a delegator's) changed;
    {"type": "session_ended"}
        the login session was logged out; the server then closes with code 4000.

Close codes: 4401 = not logged in (or the session ended while connecting); 4000 = logged out. The browser
reconnects after any other close (portal.js).

Each socket joins `user.<id>` (approvals.live.user_group, announced by the services after commit) and its login
session's group (live.session_group: logging out closes exactly that session's sockets). Counts are read with
the same permission model as the pages: the zone comes from the client's address and the assurance from the
session, as personnel.middleware does for HTTP, so a remote socket without OTP counts nothing.

A recount costs six queries (the principal's four, the slot aggregate, the open-request count). Bursts of
announcements (a bulk approval, a busy afternoon) are coalesced: at most one recount per RECOUNT_INTERVAL per
socket, and an announcement that arrives during a recount always causes one more, so the last state is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from approvals import live, selectors
from personnel import access
from personnel.middleware import access_context, client_address

logger = logging.getLogger(__name__)

RECOUNT_INTERVAL = 0.3  # seconds between two recounts of one socket
SESSION_CHECK_INTERVAL = 60.0  # seconds between two looks at whether the socket's session has ended

CLOSE_LOGGED_OUT = 4000
CLOSE_NOT_LOGGED_IN = 4401


def session_removed(session: Any, zone: str) -> bool:
    """The engine's own test of whether a socket's login session is over: logged out, flushed or removed. The
    identity layer knows more (idle and absolute timeouts); the composition passes its test instead (portal/routing.py:
    `QueueConsumer.as_asgi(session_over=...)`)."""
    return session.get(SESSION_KEY) is None


class QueueConsumer(AsyncJsonWebsocketConsumer):
    """One browser tab's socket: the user's queue counts, now and whenever they change (see the module)."""

    def __init__(self, *args: Any, session_over: Callable[[Any, str], bool] = session_removed, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Called with a fresh session store and the socket's zone, now and then (SESSION_CHECK_INTERVAL).
        self.session_over = session_over

    async def connect(self) -> None:
        self.recount_task: asyncio.Task | None = None
        self.watch_task: asyncio.Task | None = None
        self.recount_wanted = False
        self.last_recount = float("-inf")
        self.ended = False  # closed by us; layer messages may still arrive until the disconnect
        user = self.scope.get("user")
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        # Accepted before closing so the browser sees the code (a refused handshake shows as 1006) and stops
        # reconnecting.
        await self.accept()
        if user is None or not user.is_authenticated or not session_key:
            await self._end(CLOSE_NOT_LOGGED_IN)
            return
        self.user = user
        self.groups = [live.user_group(user.pk), live.session_group(session_key)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        # Joined first, checked second: a logout between the handshake's session read and the joins above sent
        # its session.end to nobody, but it has removed the session by now.
        if not await database_sync_to_async(_session_is_logged_in)(session_key, user.pk):
            await self._end(CLOSE_NOT_LOGGED_IN)
            return
        ctx = access_context(address=self._client_address(), session=session)
        self.zone, self.assurance = ctx.zone, ctx.assurance
        if ctx.zone == access.REMOTE and ctx.assurance != access.OTP:
            # From home a session without its second factor gets nothing, counts included.
            await self._end(CLOSE_NOT_LOGGED_IN)
            return
        self.session_key = session_key
        await self.send_counts()
        # A session that times out (idle or absolute, telework/middleware.py) or is removed without a logout sends
        # no message: look at it now and then, so the socket ends with it.
        self.watch_task = asyncio.create_task(self._watch_session())

    def _client_address(self) -> Any:
        client = self.scope.get("client") or (None, None)
        forwarded = ", ".join(
            value.decode("latin-1") for name, value in self.scope.get("headers", ()) if name == b"x-forwarded-for"
        )
        return client_address(peer=client[0] or "", forwarded_for=forwarded)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """The client has nothing to say; a stray frame must not end the socket."""

    async def disconnect(self, code: int) -> None:
        await self._stop_recounting()

    async def _end(self, code: int) -> None:
        self.ended = True
        await self._stop_recounting()
        await self.close(code=code)

    async def _stop_recounting(self) -> None:
        for name in ("recount_task", "watch_task"):
            task = getattr(self, name, None)
            if task is not None and not task.done() and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _watch_session(self) -> None:
        while not self.ended:
            await asyncio.sleep(SESSION_CHECK_INTERVAL)
            if await database_sync_to_async(self._session_over)():
                await self.session_end({})
                return

    # Channel layer messages ---------------------------------------------------------------------------

    async def queues_changed(self, event: dict) -> None:
        if self.ended:
            return
        self.recount_wanted = True
        if self.recount_task is None or self.recount_task.done():
            self.recount_task = asyncio.create_task(self._recount_while_wanted())

    async def session_end(self, event: dict) -> None:
        if self.ended:
            return
        await self._stop_recounting()
        await self.send_json({"type": "session_ended"})
        await self._end(CLOSE_LOGGED_OUT)

    # Counting -----------------------------------------------------------------------------------------

    async def _recount_while_wanted(self) -> None:
        loop = asyncio.get_running_loop()
        while self.recount_wanted:
            delay = self.last_recount + RECOUNT_INTERVAL - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.recount_wanted = False  # an announcement from here on causes another round
            self.last_recount = loop.time()
            try:
                await self.send_counts()
            except Exception:
                # The badge stays as it was until the next announcement; the socket itself lives on.
                logger.exception("live queue counts: recount failed for user %s", self.user.pk)

    async def send_counts(self) -> None:
        counts = await database_sync_to_async(self._counts)()
        await self.send_json({"type": "counts", "counts": counts})

    def _session_over(self) -> bool:
        """Whether the socket's login session is over, read from a fresh store (HTTP requests write its activity)."""
        return self.session_over(import_module(settings.SESSION_ENGINE).SessionStore(self.session_key), self.zone)

    def _counts(self) -> dict[str, int]:
        # A fresh context per recount: today's date, and today's delegations and posts, not the connect time's.
        ctx = access.AccessContext(zone=self.zone, assurance=self.assurance)
        return selectors.queue_counts(user=self.user, ctx=ctx).as_dict()


def _session_is_logged_in(session_key: str, user_id: int) -> bool:
    """The session still exists, has not expired and still belongs to the user."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return str(store.get(SESSION_KEY)) == str(user_id)
