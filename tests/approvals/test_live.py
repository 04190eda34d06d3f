"""Live queue counts over the websocket `ws/queues/` (approvals/consumers.py, approvals/live.py).

Each test drives portal.asgi.application (origin check, session auth, routing, consumer) with Channels'
WebsocketCommunicator, logged in through a real session cookie. The whole scenario runs in one event loop
(`scenario`), with the services called through database_sync_to_async, so announcements go out after commit
exactly as in production. A fresh in-memory channel layer per test keeps groups from leaking between tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from approvals import consumers, live, services
from approvals.models import StepApprover
from personnel import access
from personnel import services as personnel_services
from tests.approvals.helpers import file_leave
from tests.webtools import REMOTE_ADDR, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TIMEOUT = 3  # seconds to wait for a message that must come
OFFICE_ADDR = "127.0.0.1"  # inside the default OFFICE_NETWORKS
ZERO = {"inbox": 0, "delegated": 0, "circulated": 0, "my_open": 0}


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def office_now() -> access.AccessContext:
    """The sockets count on the real date (as the pages do), so the actions in these tests use it too."""
    return access.AccessContext.office()


def scenario(coroutine_function: Callable[[], Any]) -> Any:
    return async_to_sync(coroutine_function)()


def session_of(user, *, otp: bool = False) -> Client:
    return log_in(Client(), user, otp=otp)


def application_from(address: str):
    from portal.asgi import application

    async def app(scope, receive, send):
        return await application({**scope, "client": (address, 50000)}, receive, send)

    return app


@asynccontextmanager
async def socket(client: Client | None, *, address: str = OFFICE_ADDR) -> AsyncIterator[WebsocketCommunicator]:
    headers = [(b"origin", b"http://testserver")]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application_from(address), "/ws/queues/", headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    try:
        yield communicator
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def message_counts(communicator: WebsocketCommunicator) -> dict[str, int]:
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    assert message["type"] == "counts"
    return message["counts"]


async def counts(communicator: WebsocketCommunicator) -> dict[str, int]:
    """The queue counts of the next message (the bell's unread count is asserted by its own tests)."""
    return {k: v for k, v in (await message_counts(communicator)).items() if k != "notifications"}


async def close_code(communicator: WebsocketCommunicator) -> int | None:
    message = await communicator.receive_output(timeout=TIMEOUT)
    assert message["type"] == "websocket.close"
    return message.get("code")


def test_it_refuses_an_anonymous_socket(city):
    async def run():
        async with socket(None) as ws:
            assert await close_code(ws) == consumers.CLOSE_NOT_LOGGED_IN

    scenario(run)


def test_it_refuses_a_session_that_has_logged_out(city):
    client = session_of(city.chief.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.logout()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the stale cookie a background tab still sends

    async def run():
        async with socket(client) as ws:
            assert await close_code(ws) == consumers.CLOSE_NOT_LOGGED_IN

    scenario(run)


def test_it_refuses_a_session_logged_out_while_the_socket_connects(city, monkeypatch):
    client = session_of(city.chief.user)
    accept = consumers.QueueConsumer.accept

    async def accept_then_log_out(self, *args, **kwargs):
        # The handshake has read the session already; the logout's session.end reaches no socket yet.
        await accept(self, *args, **kwargs)
        await database_sync_to_async(client.logout)()

    monkeypatch.setattr(consumers.QueueConsumer, "accept", accept_then_log_out)

    async def run():
        async with socket(client) as ws:
            assert await close_code(ws) == consumers.CLOSE_NOT_LOGGED_IN

    scenario(run)


def test_it_refuses_a_socket_from_another_sites_page(city):
    client = session_of(city.chief.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def run():
        communicator = WebsocketCommunicator(
            application_from(OFFICE_ADDR),
            "/ws/queues/",
            headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)],
        )
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert not connected

    scenario(run)


def test_it_sends_the_counts_on_connect(city, office_now):
    file_leave(city, office_now)

    chief_session, applicant_session = session_of(city.chief.user), session_of(city.applicant.user)

    async def run():
        async with socket(chief_session) as chief, socket(applicant_session) as applicant:
            assert await counts(chief) == {**ZERO, "inbox": 1}
            assert await counts(applicant) == {**ZERO, "my_open": 1}

    scenario(run)


def test_it_pushes_the_new_inbox_count_when_a_document_is_filed(city, office_now):
    chief_session = session_of(city.chief.user)

    async def run():
        async with socket(chief_session) as chief:
            assert await counts(chief) == ZERO
            await database_sync_to_async(file_leave)(city, office_now)
            assert await counts(chief) == {**ZERO, "inbox": 1}

    scenario(run)


def test_it_moves_the_item_from_the_chief_to_the_next_approver(city, office_now):
    document = file_leave(city, office_now)
    slot = StepApprover.objects.get(document=document, staff=city.chief)

    def approve():
        services.slot_approve(slot=slot, actor=city.chief.user, ctx=office_now)

    chief_session, deputy_session = session_of(city.chief.user), session_of(city.delegate.user)

    async def run():
        async with socket(chief_session) as chief, socket(deputy_session) as deputy:
            assert (await counts(chief))["inbox"] == 1
            assert (await counts(deputy))["inbox"] == 0
            await database_sync_to_async(approve)()
            assert (await counts(chief))["inbox"] == 0
            assert (await counts(deputy))["inbox"] == 1

    scenario(run)


def test_it_tells_an_active_delegate_about_the_delegators_items(city, office_now):
    today = timezone.localdate()
    personnel_services.delegation_create(
        actor=None,
        ctx=access.AccessContext.for_system(today=today),
        delegator=city.chief,
        delegate=city.colleague,
        start_date=today,
        end_date=today + timedelta(days=2),
        reason="出張のため",
    )

    colleague_session = session_of(city.colleague.user)

    async def run():
        async with socket(colleague_session) as colleague:
            assert await counts(colleague) == ZERO
            await database_sync_to_async(file_leave)(city, office_now)
            assert await counts(colleague) == {**ZERO, "inbox": 1, "delegated": 1}

    scenario(run)


def test_it_refuses_a_remote_socket_without_a_second_factor(city, office_now):
    """Attack: a password-only session used from home was answered the queue counts (zeros, but an answer)."""
    file_leave(city, office_now)
    chief_session = session_of(city.chief.user)

    async def run():
        async with socket(chief_session, address=REMOTE_ADDR) as chief:
            assert await close_code(chief) == consumers.CLOSE_NOT_LOGGED_IN

    scenario(run)


def test_it_counts_on_a_remote_socket_with_a_second_factor(city, office_now):
    file_leave(city, office_now)
    chief_session = session_of(city.chief.user, otp=True)

    async def run():
        async with socket(chief_session, address=REMOTE_ADDR) as chief:
            assert await counts(chief) == {**ZERO, "inbox": 1}

    scenario(run)


def test_it_closes_the_sockets_of_the_session_that_logs_out_only(city, office_now):
    leaving, staying = session_of(city.chief.user), session_of(city.chief.user)

    async def run():
        async with socket(leaving) as first, socket(staying) as second:
            assert await counts(first) == ZERO
            assert await counts(second) == ZERO
            await database_sync_to_async(leaving.logout)()
            assert await first.receive_json_from(timeout=TIMEOUT) == {"type": "session_ended"}
            assert await close_code(first) == consumers.CLOSE_LOGGED_OUT
            await database_sync_to_async(file_leave)(city, office_now)
            assert await counts(second) == {**ZERO, "inbox": 1}  # the other session's socket still listens

    scenario(run)


def test_it_closes_the_socket_when_its_session_ends_without_a_logout(city, monkeypatch):
    """A timed-out or removed session sends no message; the socket notices on its next look and closes."""
    monkeypatch.setattr(consumers, "SESSION_CHECK_INTERVAL", 0.2)
    client = session_of(city.chief.user)
    session_key = client.session.session_key

    async def run():
        async with socket(client) as communicator:
            assert await counts(communicator) == ZERO
            store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
            await database_sync_to_async(store.delete)()  # as the idle timeout or session cleanup would
            assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "session_ended"}
            assert await close_code(communicator) == consumers.CLOSE_LOGGED_OUT

    scenario(run)


async def all_counts(communicator: WebsocketCommunicator) -> list[dict[str, int]]:
    """Every counts message until the socket has been quiet for a few recount intervals."""
    received = [await counts(communicator)]
    while not await communicator.receive_nothing(timeout=consumers.RECOUNT_INTERVAL * 3):
        received.append(await counts(communicator))
    return received


def test_it_coalesces_a_burst_of_announcements(city, office_now):
    file_leave(city, office_now)
    chief_session, chief_group = session_of(city.chief.user), live.user_group(city.chief.user_id)

    async def run():
        async with socket(chief_session) as chief:
            assert await counts(chief) == {**ZERO, "inbox": 1}
            layer = get_channel_layer()
            for _ in range(20):
                await layer.group_send(chief_group, {"type": live.QUEUES_CHANGED})
            received = await all_counts(chief)
            assert 1 <= len(received) <= 2  # one recount at once, one more for all that came during it
            assert received[-1] == {**ZERO, "inbox": 1}

    scenario(run)


def test_it_sends_the_state_after_the_last_announcement_of_a_burst(city, office_now):
    chief_session = session_of(city.chief.user)

    async def run():
        async with socket(chief_session) as chief:
            assert await counts(chief) == ZERO
            await database_sync_to_async(file_leave)(city, office_now, "休暇1")
            assert await counts(chief) == {**ZERO, "inbox": 1}
            # Announced right after a recount: inside the interval, so held back, but never dropped.
            await database_sync_to_async(file_leave)(city, office_now, "休暇2")
            await database_sync_to_async(file_leave)(city, office_now, "休暇3")
            assert (await all_counts(chief))[-1] == {**ZERO, "inbox": 3}

    scenario(run)


def test_it_ignores_what_the_client_sends(city):
    chief_session = session_of(city.chief.user)

    async def run():
        async with socket(chief_session) as chief:
            assert await counts(chief) == ZERO
            await chief.send_to(text_data="not json")
            await chief.send_json_to({"type": "counts"})
            assert await chief.receive_nothing(timeout=0.2)

    scenario(run)


@pytest.mark.django_db  # no socket: the ordinary, faster database set-up
def test_it_recounts_in_six_queries(city, office_now, django_assert_num_queries):
    file_leave(city, office_now)
    consumer = consumers.QueueConsumer()
    consumer.user, consumer.zone, consumer.assurance = city.chief.user, access.OFFICE, access.PASSWORD

    with django_assert_num_queries(6):
        assert consumer._counts() == {**ZERO, "inbox": 1, "notifications": 1}


def test_the_bell_counts_a_notification_live_and_goes_to_zero_when_read(city, office_now):
    from approvals import notify

    chief_client = session_of(city.chief.user)

    async def run():
        async with socket(chief_client) as chief:
            assert (await message_counts(chief))["notifications"] == 0
            await database_sync_to_async(file_leave)(city, office_now)
            assert (await message_counts(chief))["notifications"] == 1
            await database_sync_to_async(notify.mark_read)(staff=city.chief)
            assert (await message_counts(chief))["notifications"] == 0

    scenario(run)
