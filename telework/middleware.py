"""Session timeouts of the telework gateway, and the office step-up before sensitive paths.

A session is *remote* when it logged in from the remote zone or when the current request comes from there; it
then has settings.TELEWORK_REMOTE_IDLE_TIMEOUT / TELEWORK_REMOTE_ABSOLUTE_TIMEOUT, otherwise
TELEWORK_OFFICE_IDLE_TIMEOUT / SESSION_COOKIE_AGE. The login time and the last activity are in the session
(telework/login.py stamps them on user_logged_in); the last activity is written at most once a minute, so a
page view costs no session write, and the idle timeout may end a session up to a minute early.

On expiry the middleware ends the RemoteSession (idle/absolute), logs out with django.contrib.auth.logout (whose
user_logged_out closes that session's websockets, approvals/live.py) and sends the user to the login page, which
says why. Otherwise it sets `request.session_ends_at` (an aware datetime) for the header.

Websockets see no HTTP request: their consumer calls `session_expired(session)` now and then (see its docstring).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from personnel import access
from telework import login

SEEN_RESOLUTION = 60  # seconds: the last activity (and RemoteSession.last_seen_at) is written at most this often
IDLE = "idle"
ABSOLUTE = "absolute"


def timeouts(*, remote: bool) -> tuple[int, int]:
    """(idle, absolute) in seconds."""
    if remote:
        return settings.TELEWORK_REMOTE_IDLE_TIMEOUT, settings.TELEWORK_REMOTE_ABSOLUTE_TIMEOUT
    return settings.TELEWORK_OFFICE_IDLE_TIMEOUT, settings.SESSION_COOKIE_AGE


def _is_remote(session: Any, zone: str | None) -> bool:
    return zone == access.REMOTE or bool(session.get(login.REMOTE_KEY))


def expiry_reason(session: Any, *, zone: str | None = None, at: datetime | None = None) -> str | None:
    """IDLE or ABSOLUTE when the logged-in session has timed out at `at`, else None. A session without the
    stamps (logged in before this code) counts from now."""
    if session.get(SESSION_KEY) is None:
        return None
    now = (at or timezone.now()).timestamp()
    login_at = float(session.get(login.LOGIN_AT_KEY) or now)
    seen = float(session.get(login.SEEN_KEY) or login_at)
    idle, absolute = timeouts(remote=_is_remote(session, zone))
    if now - login_at >= absolute:
        return ABSOLUTE
    if now - seen >= idle:
        return IDLE
    return None


def session_expired(session: Any, *, zone: str | None = None) -> bool:
    """For websocket consumers, which see no HTTP request: True when the session is over — logged out, flushed,
    or past its idle or absolute timeout. Pass a FRESH store so the last activity written by HTTP requests is
    seen, e.g. from the consumer every minute:

        store = SessionStore(session_key=self.scope["session"].session_key)   # django.contrib.sessions.backends
        if await database_sync_to_async(session_expired)(store):
            await self.close(code=4401)

    A session that no longer exists loads empty and counts as expired. The websocket never refreshes the
    activity; only HTTP requests do."""
    if session is None or session.get(SESSION_KEY) is None:
        return True
    return expiry_reason(session, zone=zone) is not None


def session_ends_at(session: Any, *, zone: str | None, at: datetime) -> datetime:
    """When the session ends if the user does nothing more after this request."""
    idle, absolute = timeouts(remote=_is_remote(session, zone))
    login_at = float(session.get(login.LOGIN_AT_KEY) or at.timestamp())
    end = min(at.timestamp() + idle, login_at + absolute)
    return datetime.fromtimestamp(end, tz=UTC)


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or session.get(SESSION_KEY) is None:
            return self.get_response(request)
        ctx = getattr(request, "access", None)
        zone = ctx.zone if ctx is not None else None
        at = timezone.now()
        reason = expiry_reason(session, zone=zone, at=at)
        if reason is not None:
            return self._end(request, reason=reason, at=at)
        self._touch(session, at=at)
        request.session_ends_at = session_ends_at(session, zone=zone, at=at)
        if login.is_sensitive_path(request.path) and login.needs_step_up(request):
            return login.step_up_redirect(request)
        return self.get_response(request)

    @staticmethod
    def _touch(session: Any, *, at: datetime) -> None:
        now = at.timestamp()
        seen = session.get(login.SEEN_KEY)
        if seen is not None and now - float(seen) < SEEN_RESOLUTION:
            return
        if session.get(login.LOGIN_AT_KEY) is None:
            session[login.LOGIN_AT_KEY] = now
        session[login.SEEN_KEY] = now
        login.remote_session_seen(session=session, at=at)

    @staticmethod
    def _end(request: HttpRequest, *, reason: str, at: datetime) -> HttpResponse:
        login.remote_session_end(session=request.session, reason=reason, at=at)
        remote = _is_remote(request.session, getattr(getattr(request, "access", None), "zone", None))
        logout(request)  # user_logged_out: approvals.live closes this session's websockets
        request.session[login.LOGOUT_REASON_KEY] = {"reason": reason, "remote": remote}
        if request.path == reverse("telework:auth"):
            # nginx's auth_request accepts only 2xx, 401 and 403: a redirect would show the user nginx's 500.
            return HttpResponse(status=401)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
