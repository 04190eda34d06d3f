"""One login path: the admins' own login views and Wagtail's password reset hand over to the portal's login
(lockout, log, OTP from home) instead of taking passwords themselves. A login form that hands over nothing is in
test_login_policy_everywhere.py: the policy holds there too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from telework.models import Lockout, LoginAttempt
from telework.models.logins import LockScope
from tests.conftest import PASSWORD
from tests.telework.login_helpers import remote_client
from tests.webtools import log_in, make_hr_staff

pytestmark = pytest.mark.django_db

ADMIN_LOGINS = ["/admin/login/", "/cms-admin/login/"]


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_an_admin_login_page_sends_the_browser_to_the_portal_login(url):
    response = Client().get(url + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("where", ["office", "remote", "locked"])
@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_a_password_posted_to_an_admin_login_logs_nobody_in(city, url, where):
    """Attack: the admins' login forms took passwords without lockout, log or OTP, also from home and for a locked
    account; posted there, a right password must not make a session."""
    make_hr_staff(city.hr_clerk)
    if where == "locked":
        Lockout.objects.create(
            scope=LockScope.USER, key="100007", started_at=timezone.now(), until=timezone.now() + timedelta(hours=1)
        )
    client = remote_client() if where == "remote" else Client()
    response = client.post(url, {"username": "100007", "password": PASSWORD})
    assert response.status_code in (302, 403)
    assert "_auth_user_id" not in client.session
    assert not response.get("Location", "").startswith(("/admin/", "/cms-admin/"))


@pytest.mark.parametrize("url", ["/cms-admin/password_reset/", "/admin/password_reset/"])
def test_self_service_password_reset_is_off(city, url):
    response = Client().post(url, {"email": "someone@example.lg.jp"})
    assert response.status_code in (302, 404)
    assert not response.get("Location", "").endswith("done/")


def test_the_portal_login_still_logs_its_attempts(city):
    Client().post("/login/", {"username": "100007", "password": "wrong-password-1"})
    assert LoginAttempt.objects.count() == 1


@pytest.mark.parametrize("url", ["/admin/", "/cms-admin/"])
def test_a_logged_in_user_without_admin_rights_is_told_so_not_sent_round_in_circles(city, url):
    client = log_in(Client(), city.applicant.user)
    response = client.get(url, follow=True)  # the test client raises RedirectCycleError on a loop
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("url", ["/admin/", "/cms-admin/"])
def test_an_anonymous_visitor_of_an_admin_is_sent_to_the_portal_login(city, url):
    response = Client().get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/?next=")
    assert response.status_code == 200
