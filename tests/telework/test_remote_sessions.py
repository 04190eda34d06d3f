"""A remote session is a remote session: a login session used from home without the second factor is refused
everything but the second-factor step (and logging out); proving the factor from home records a RemoteSession."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from personnel import access
from personnel.middleware import ASSURANCE_SESSION_KEY
from telework.models import AccessRefusal, RemoteSession
from tests.telework.login_helpers import enrol, next_code
from tests.webtools import REMOTE_ADDR, log_in, page_text

OTP_REQUIRED = "Remote access needs a one-time password (OTP)."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def from_home_with_a_password_only_session(user) -> Client:
    """Logged in at the office with the password; the same session then used from home (a laptop taken home)."""
    client = log_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
    client.defaults["REMOTE_ADDR"] = REMOTE_ADDR
    return client


@pytest.mark.parametrize("path", ["/personnel/me/", "/personnel/directory/", "/telework/sessions/"])
def test_a_password_only_session_from_home_is_refused_every_page(city, path):
    """Attack: today /personnel/me/ (name, posts, delegations) answers a password-only session from home."""
    client = from_home_with_a_password_only_session(city.applicant.user)
    response = client.get(path)
    assert response.status_code == 403
    assert OTP_REQUIRED in page_text(response)
    assert AccessRefusal.objects.filter(path=path, zone=access.REMOTE).exists()


def test_from_home_a_password_only_session_may_still_prove_the_second_factor_or_log_out(city):
    enrol(city.applicant.user)
    client = from_home_with_a_password_only_session(city.applicant.user)
    assert client.get(reverse("telework:step_up")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_second_factor_proven_from_home_starts_a_remote_session(city):
    secret = enrol(city.applicant.user)
    client = from_home_with_a_password_only_session(city.applicant.user)
    response = client.post(reverse("telework:step_up"), {"code": next_code(secret), "next": "/personnel/me/"})
    assert response.status_code == 302
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    session = RemoteSession.objects.get(user=city.applicant.user)
    assert session.ended_at is None and str(session.ip) == REMOTE_ADDR
    assert client.get("/personnel/me/").status_code == 200
