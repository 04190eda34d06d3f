"""The login policy through the real views: office password logins, the remote second step, refusals that
leak nothing, the office step-up before the admin."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse

from personnel import access
from personnel.middleware import ASSURANCE_SESSION_KEY
from telework import login, otp
from telework.models import LoginAttempt, RemoteSession
from telework.models.logins import Factor, LockScope, Outcome
from tests.telework.login_helpers import (
    GENERIC_LOGIN_ERROR,
    code_step,
    current_code,
    enrol,
    next_code,
    password_step,
    recovery_codes,
    remote_client,
    wrong_code,
)
from tests.webtools import REMOTE_ADDR, make_hr_staff, page_text

BAD_CODE_MESSAGE = "コードが正しくありません"  # the page is Japanese (the default language)


def test_it_logs_an_office_password_login_in_with_password_assurance(city, client):
    response = password_step(client, "100004")
    assert response.status_code == 302
    assert response["Location"] == reverse("personnel:my_page")
    assert client.session["_auth_user_id"] == str(city.approver.user.pk)
    assert client.session[ASSURANCE_SESSION_KEY] == access.PASSWORD
    attempt = LoginAttempt.objects.get()
    assert (attempt.user_id, attempt.zone, attempt.factor, attempt.outcome) == (
        city.approver.user.pk,
        access.OFFICE,
        Factor.PASSWORD,
        Outcome.SUCCESS,
    )


def test_it_asks_a_remote_login_for_the_code_before_logging_in(city):
    enrol(city.applicant.user)
    client = remote_client()
    response = password_step(client, "100001")
    assert response.status_code == 302 and response["Location"] == reverse("login_otp")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("personnel:my_page")).status_code == 302


def test_it_logs_a_remote_login_in_with_otp_assurance_after_the_code(city):
    secret = enrol(city.applicant.user)
    client = remote_client()
    password_step(client, "100001")
    response = code_step(client, next_code(secret))
    assert response.status_code == 302 and response["Location"] == reverse("personnel:my_page")
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    assert client.get(reverse("personnel:my_page")).status_code == 200
    session = RemoteSession.objects.get()
    assert (session.user_id, session.ip, session.ended_at) == (city.applicant.user.pk, REMOTE_ADDR, None)


def test_it_lets_a_recovery_code_stand_for_the_totp_code(city):
    enrol(city.applicant.user)
    recovery = recovery_codes(city.applicant.user)[0]
    client = remote_client()
    password_step(client, "100001")
    assert code_step(client, recovery).status_code == 302
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    assert LoginAttempt.objects.filter(factor=Factor.RECOVERY, outcome=Outcome.SUCCESS).count() == 1


def test_it_refuses_wrong_reused_malformed_codes_and_a_reused_recovery_code_alike(city, clock):
    secret = enrol(city.applicant.user)
    recovery = recovery_codes(city.applicant.user)[0]
    good = next_code(secret)
    first = remote_client()
    password_step(first, "100001")
    assert code_step(first, good).status_code == 302
    second = remote_client()
    password_step(second, "100001")
    assert code_step(second, recovery).status_code == 302  # recovery code used once
    third = remote_client()
    password_step(third, "100001")
    texts = []
    for code in (wrong_code(secret), good, "12ab5", recovery):
        # After a wrong code the device waits a second before it looks at the next one (else "throttled").
        clock.shift(timedelta(seconds=1))
        response = code_step(third, code)
        assert response.status_code == 400
        assert "_auth_user_id" not in third.session
        texts.append(response.context["form"].non_field_errors())
    assert all(BAD_CODE_MESSAGE in t[0] for t in texts) and len({tuple(t) for t in texts}) == 1
    reasons = list(LoginAttempt.objects.filter(outcome=Outcome.FAILURE).order_by("pk").values_list("reason", flat=True))
    assert reasons == ["wrong code", "reused code", "wrong or used recovery code", "wrong or used recovery code"]


def test_it_counts_a_malformed_code_as_a_failure(city):
    enrol(city.applicant.user)
    client = remote_client()
    password_step(client, "100001")
    code_step(client, "12345")
    assert LoginAttempt.objects.get(factor=Factor.TOTP).reason == "malformed code"


def test_it_counts_a_throttled_code_as_a_failure(city):
    user = city.applicant.user
    secret = enrol(user)
    # A wrong code a moment ago (on the re-authentication page, say): the device waits a second before the next.
    assert otp.verify_totp(user=user, code=wrong_code(secret)) == otp.VerifyResult.WRONG
    client = remote_client()
    password_step(client, "100001")
    assert code_step(client, next_code(secret)).status_code == 400  # the right code, not even looked at
    assert LoginAttempt.objects.get(factor=Factor.TOTP).outcome == Outcome.THROTTLED


def test_it_gives_an_unknown_user_and_a_wrong_password_the_same_message(city):
    client = remote_client()
    wrong = password_step(client, "100001", "wrong-password-1")
    unknown = password_step(client, "999999", "wrong-password-1")
    for response in (wrong, unknown):
        assert response.status_code == 200 and GENERIC_LOGIN_ERROR in page_text(response)
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert list(LoginAttempt.objects.order_by("pk").values_list("reason", flat=True)) == [
        "wrong password",
        "unknown user",
    ]


def without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_from_home_a_right_password_without_an_authenticator_is_answered_like_a_wrong_one(city):
    """No password oracle from the internet: for an account that has no authenticator, the right password and a
    wrong one get the same page (which says why either may fail), and both count towards the lockout."""
    right = password_step(remote_client(), "100001")
    wrong = password_step(remote_client(), "100001", "wrong-password-1")
    assert right.status_code == wrong.status_code == 200
    assert right.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert without_csrf_token(page_text(right)) == without_csrf_token(page_text(wrong))
    assert "認証アプリ" in page_text(right)  # the one message also says an authenticator is needed from home
    assert list(LoginAttempt.objects.order_by("pk").values_list("outcome", "reason")) == [
        (Outcome.FAILURE, "remote login without authenticator"),
        (Outcome.FAILURE, "wrong password"),
    ]


def test_right_passwords_from_home_without_an_authenticator_lock_the_account_like_wrong_ones(city, settings):
    settings.TELEWORK_LOCKOUT_THRESHOLD = 3
    for _ in range(3):
        password_step(remote_client(), "100001")
    assert login.lockout_active(scope=LockScope.USER, key=login.user_lock_key("100001", access.REMOTE)) is not None


def test_it_keeps_a_forged_forwarded_header_from_a_non_proxy_remote(city):
    client = remote_client()
    response = password_step(client, "100001", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert GENERIC_LOGIN_ERROR in page_text(response)  # remote, no authenticator: not an office password login
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.get().zone == access.REMOTE


def test_it_sends_the_second_step_back_to_the_password_after_five_minutes(city, clock):
    secret = enrol(city.applicant.user)
    client = remote_client()
    password_step(client, "100001")
    clock.shift(timedelta(minutes=6))
    response = code_step(client, current_code(secret))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_asks_office_users_with_an_authenticator_for_the_code_when_configured(city, client, settings):
    settings.TELEWORK_OTP_AT_OFFICE = True
    enrol(city.approver.user)
    assert password_step(client, "100004")["Location"] == reverse("login_otp")
    assert password_step(client, "100001").status_code == 302  # no authenticator: password only at the office
    assert client.session[ASSURANCE_SESSION_KEY] == access.PASSWORD


def test_it_steps_an_office_admin_up_to_otp_before_the_admin(city, client, clock):
    make_hr_staff(city.hr_clerk)
    secret = enrol(city.hr_clerk.user)
    password_step(client, "100007")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("telework:step_up"))
    assert client.post(response["Location"], {"code": wrong_code(secret)}).status_code == 400
    clock.shift(timedelta(seconds=1))  # the device's wait after a wrong code
    stepped = client.post(response["Location"], {"code": next_code(secret), "next": reverse("admin:index")})
    assert stepped["Location"] == reverse("admin:index")
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_does_not_step_up_when_the_setting_is_off(city, client, settings):
    settings.TELEWORK_OTP_FOR_SENSITIVE = False
    make_hr_staff(city.hr_clerk)
    enrol(city.hr_clerk.user)
    password_step(client, "100007")
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_logs_in_remotely_with_a_real_authenticator_code(city, clock):
    """Enrol (which uses up the current code), then a remote login 30 seconds later with the code shown then."""
    secret = enrol(city.applicant.user)
    clock.shift(timedelta(seconds=otp.STEP))
    client = remote_client()
    password_step(client, "100001")
    code = current_code(secret)
    assert code_step(client, code).status_code == 302
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    replay = remote_client()
    password_step(replay, "100001")
    assert code_step(replay, code).status_code == 400  # each code once
    assert LoginAttempt.objects.latest("pk").reason == "reused code"
