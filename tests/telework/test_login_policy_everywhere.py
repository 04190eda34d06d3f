"""The login policy lives where every login passes (issue 9): the authentication backend refuses a locked
account or address and counts every wrong password, and Django's login signal refuses a login the policy does
not allow (from home without the second factor, at the office where the person must use it) and logs every
login. So a login form a library adds later — here django.contrib.auth's own form and login() — cannot skip it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from telework.models import Lockout, LoginAttempt
from telework.models.logins import LockScope, Outcome
from tests.conftest import PASSWORD
from tests.telework.login_helpers import enrol, remote_client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.telework.library_login_urls")]

URL = "/library-login/"


def post(client: Client, password: str = PASSWORD, username: str = "100001"):
    return client.post(URL, {"username": username, "password": password})


def test_from_home_a_right_password_alone_makes_no_session(city):
    enrol(city.applicant.user)
    client = remote_client()

    response = post(client)

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    attempt = LoginAttempt.objects.get(username="100001")
    assert (attempt.zone, attempt.outcome) == ("remote", Outcome.FAILURE)


def test_from_home_an_account_without_an_authenticator_is_refused_too(city):
    client = remote_client()

    assert post(client).status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_locked_account_cannot_log_in_through_another_form(city):
    Lockout.objects.create(
        scope=LockScope.USER, key="100001", started_at=timezone.now(), until=timezone.now() + timedelta(minutes=15)
    )
    client = Client()

    post(client)

    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.get(username="100001").outcome == Outcome.LOCKED


def test_wrong_passwords_through_another_form_lock_the_account(city):
    client = Client()
    for _ in range(settings.TELEWORK_LOCKOUT_THRESHOLD):
        assert post(client, password="wrong-password-2026").status_code == 400

    post(client)

    assert "_auth_user_id" not in client.session
    assert Lockout.objects.filter(scope=LockScope.USER, key="100001").exists()
    assert LoginAttempt.objects.filter(username="100001", outcome=Outcome.FAILURE).count() == 10


def test_at_the_office_a_login_the_policy_allows_is_logged(city):
    client = Client()

    response = post(client)

    assert response.status_code == 200
    assert int(client.session["_auth_user_id"]) == city.applicant.user.pk
    attempt = LoginAttempt.objects.get(username="100001")
    assert (attempt.zone, attempt.outcome, attempt.user) == ("office", Outcome.SUCCESS, city.applicant.user)


def test_at_the_office_someone_who_must_use_the_second_factor_is_refused(city, settings):
    settings.TELEWORK_OTP_AT_OFFICE = True
    enrol(city.applicant.user)
    client = Client()

    assert post(client).status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_portal_login_is_logged_once(city):
    Client().post("/login/", {"username": "100001", "password": PASSWORD})

    assert LoginAttempt.objects.filter(username="100001").count() == 1
