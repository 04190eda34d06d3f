"""Idle and absolute session timeouts (remote and office), the message on the login page, the end of the
remote session record, and the header's "session ends" time."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from telework.middleware import session_expired
from telework.models import RemoteSession
from tests.telework.login_helpers import (
    code_step,
    enrol,
    next_code,
    password_step,
    remote_client,
)
from tests.webtools import page_text


def remote_login(city):
    """The applicant, enrolled a moment ago, logged in from home with the authenticator's next code."""
    secret = enrol(city.applicant.user)
    client = remote_client()
    password_step(client, "100001")
    assert code_step(client, next_code(secret)).status_code == 302
    return client


def test_it_logs_a_remote_session_out_after_30_idle_minutes_and_says_why(city, clock):
    client = remote_login(city)
    clock.shift(timedelta(seconds=30 * 60 + 1))
    response = client.get(reverse("personnel:my_page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    text = page_text(client.get(response["Location"]))
    assert "30" in text and ("without activity" in text or "操作" in text)
    session = RemoteSession.objects.get()
    assert session.end_reason == "idle" and session.ended_at is not None


def test_it_answers_nginx_401_not_a_redirect_when_the_session_has_timed_out(city, clock):
    client = remote_login(city)
    assert client.get(reverse("telework:auth")).status_code == 204
    clock.shift(timedelta(seconds=30 * 60 + 1))
    # auth_request understands 2xx, 401 and 403 only: a redirect here would show the user nginx's 500 page.
    assert client.get(reverse("telework:auth")).status_code == 401
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_remote_session_open(city, clock):
    client = remote_login(city)
    start = timezone.now()
    for minutes in (20, 40, 60):
        clock.move_to(start + timedelta(minutes=minutes))
        assert client.get(reverse("personnel:my_page")).status_code == 200
    assert RemoteSession.objects.get().last_seen_at == start + timedelta(minutes=60)


def test_it_ends_a_remote_session_after_ten_hours_even_with_activity(city, clock):
    client = remote_login(city)
    start = timezone.now()
    for minutes in range(25, 600, 25):
        clock.move_to(start + timedelta(minutes=minutes))
        assert client.get(reverse("personnel:my_page")).status_code == 200, minutes
    clock.move_to(start + timedelta(hours=10, seconds=1))
    response = client.get(reverse("personnel:my_page"))
    assert response["Location"].startswith(reverse("login"))
    assert "10" in page_text(client.get(response["Location"]))
    assert RemoteSession.objects.get().end_reason == "absolute"


def test_an_office_session_survives_30_idle_minutes_but_not_the_office_idle_timeout(city, client, clock, settings):
    settings.TELEWORK_OFFICE_IDLE_TIMEOUT = 3600
    password_step(client, "100004")
    start = timezone.now()
    clock.move_to(start + timedelta(minutes=31))
    assert client.get(reverse("personnel:my_page")).status_code == 200
    clock.move_to(start + timedelta(minutes=92))
    assert client.get(reverse("personnel:my_page")).status_code == 302


def test_logging_out_ends_the_remote_session(city):
    client = remote_login(city)
    client.post(reverse("logout"))
    session = RemoteSession.objects.get()
    assert session.end_reason == "logout" and session.ended_at is not None


def test_it_tells_the_page_when_the_session_ends(city):
    client = remote_login(city)
    response = client.get(reverse("personnel:my_page"))
    ends = response.wsgi_request.session_ends_at
    assert timedelta(minutes=29) < ends - timezone.now() <= timedelta(minutes=30)


def test_session_expired_answers_for_a_websocket(city, clock):
    client = remote_login(city)
    key = client.session.session_key
    assert not session_expired(SessionStore(session_key=key))
    clock.shift(timedelta(seconds=30 * 60 + 1))
    assert session_expired(SessionStore(session_key=key))
    assert session_expired(SessionStore(session_key="no-such-session"))
