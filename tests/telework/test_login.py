"""The login policy through the real views: office password logins, the remote second step, refusals that
leak nothing, the office step-up before the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from personnel import access
from personnel.access import AccessContext
from personnel.middleware import ASSURANCE_SESSION_KEY
from telework.models import LoginAttempt, RemoteSession
from telework.models.logins import Factor, Outcome
from tests.telework.login_helpers import (
    GENERIC_LOGIN_ERROR,
    GOOD_CODE,
    RECOVERY,
    code_step,
    install_fake_otp,
    password_step,
    remote_client,
)
from tests.webtools import REMOTE_ADDR, make_hr_staff, page_text


@pytest.fixture
def fake_otp(monkeypatch):
    return install_fake_otp(monkeypatch)


BAD_CODE_MESSAGE = "コードが正しくありません"  # the page is Japanese (the default language)


def test_it_logs_an_office_password_login_in_with_password_assurance(city, client, fake_otp):
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


def test_it_asks_a_remote_login_for_the_code_before_logging_in(city, fake_otp):
    fake_otp.devices.add(city.applicant.user.pk)
    client = remote_client()
    response = password_step(client, "100001")
    assert response.status_code == 302 and response["Location"] == reverse("login_otp")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("personnel:my_page")).status_code == 302


def test_it_logs_a_remote_login_in_with_otp_assurance_after_the_code(city, fake_otp):
    fake_otp.devices.add(city.applicant.user.pk)
    client = remote_client()
    password_step(client, "100001")
    response = code_step(client)
    assert response.status_code == 302 and response["Location"] == reverse("personnel:my_page")
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    assert client.get(reverse("personnel:my_page")).status_code == 200
    session = RemoteSession.objects.get()
    assert (session.user_id, session.ip, session.ended_at) == (city.applicant.user.pk, REMOTE_ADDR, None)


def test_it_lets_a_recovery_code_stand_for_the_totp_code(city, fake_otp):
    fake_otp.devices.add(city.applicant.user.pk)
    client = remote_client()
    password_step(client, "100001")
    assert code_step(client, RECOVERY).status_code == 302
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    assert LoginAttempt.objects.filter(factor=Factor.RECOVERY, outcome=Outcome.SUCCESS).count() == 1


def test_it_refuses_wrong_reused_malformed_codes_and_a_reused_recovery_code_alike(city, fake_otp):
    fake_otp.devices.add(city.applicant.user.pk)
    first = remote_client()
    password_step(first, "100001")
    code_step(first, GOOD_CODE)
    second = remote_client()
    password_step(second, "100001")
    code_step(second, RECOVERY)  # recovery code used once
    third = remote_client()
    password_step(third, "100001")
    texts = []
    for code in ("654321", GOOD_CODE, "12ab5", RECOVERY):
        response = code_step(third, code)
        assert response.status_code == 400
        assert "_auth_user_id" not in third.session
        texts.append(response.context["form"].non_field_errors())
    assert all(BAD_CODE_MESSAGE in t[0] for t in texts) and len({tuple(t) for t in texts}) == 1
    reasons = list(LoginAttempt.objects.filter(outcome=Outcome.FAILURE).order_by("pk").values_list("reason", flat=True))
    assert reasons == ["wrong code", "reused code", "wrong or used recovery code", "wrong or used recovery code"]


def test_it_counts_a_malformed_code_as_a_failure(city, fake_otp):
    fake_otp.devices.add(city.applicant.user.pk)
    client = remote_client()
    password_step(client, "100001")
    code_step(client, "12345")
    assert LoginAttempt.objects.get(factor=Factor.TOTP).reason == "malformed code"


def test_it_counts_a_throttled_code_as_a_failure(city, fake_otp):
    fake_otp.devices.add(city.applicant.user.pk)
    fake_otp.throttle = True
    client = remote_client()
    password_step(client, "100001")
    assert code_step(client).status_code == 400
    assert LoginAttempt.objects.get(factor=Factor.TOTP).outcome == Outcome.THROTTLED


def test_it_gives_an_unknown_user_and_a_wrong_password_the_same_message(city, fake_otp):
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


def test_it_refuses_a_remote_login_without_an_authenticator_and_says_to_enrol_at_the_office(city, fake_otp):
    client = remote_client()
    response = password_step(client, "100001")
    assert response.status_code == 403
    assert "city hall network" in page_text(response) or "市役所" in page_text(response)
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.get().reason == "remote login without authenticator"


def test_it_keeps_a_forged_forwarded_header_from_a_non_proxy_remote(city, fake_otp):
    client = remote_client()
    response = password_step(client, "100001", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 403  # remote, no authenticator: not an office password login
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.get().zone == access.REMOTE


def test_it_sends_the_second_step_back_to_the_password_after_five_minutes(city, fake_otp, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    fake_otp.devices.add(city.applicant.user.pk)
    client = remote_client()
    password_step(client, "100001")
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = code_step(client)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_asks_office_users_with_an_authenticator_for_the_code_when_configured(city, client, fake_otp, settings):
    settings.TELEWORK_OTP_AT_OFFICE = True
    fake_otp.devices.add(city.approver.user.pk)
    assert password_step(client, "100004")["Location"] == reverse("login_otp")
    assert password_step(client, "100001").status_code == 302  # no authenticator: password only at the office
    assert client.session[ASSURANCE_SESSION_KEY] == access.PASSWORD


def test_it_steps_an_office_admin_up_to_otp_before_the_admin(city, client, fake_otp):
    make_hr_staff(city.hr_clerk)
    fake_otp.devices.add(city.hr_clerk.user.pk)
    password_step(client, "100007")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("telework:step_up"))
    assert client.post(response["Location"], {"code": "000000"}).status_code == 400
    stepped = client.post(response["Location"], {"code": GOOD_CODE, "next": reverse("admin:index")})
    assert stepped["Location"] == reverse("admin:index")
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_does_not_step_up_when_the_setting_is_off(city, client, fake_otp, settings):
    settings.TELEWORK_OTP_FOR_SENSITIVE = False
    make_hr_staff(city.hr_clerk)
    fake_otp.devices.add(city.hr_clerk.user.pk)
    password_step(client, "100007")
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_logs_in_remotely_with_a_real_authenticator_code(city, monkeypatch):
    """The real telework.otp (no stand-in): enrol, then a remote login with the next 30-second code."""
    from datetime import timedelta

    import pyotp
    from django.utils import timezone

    from telework import otp

    user = city.applicant.user
    device, secret, _uri = otp.device_start(user=user, name="phone")
    otp.device_confirm(device=device, code=pyotp.TOTP(secret).now(), ctx=AccessContext.office())
    later = timezone.now() + timedelta(seconds=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = remote_client()
    password_step(client, "100001")
    code = pyotp.TOTP(secret).at(later)
    assert code_step(client, code).status_code == 302
    assert client.session[ASSURANCE_SESSION_KEY] == access.OTP
    replay = remote_client()
    password_step(replay, "100001")
    assert code_step(replay, code).status_code == 400  # each code once
    assert LoginAttempt.objects.latest("pk").reason == "reused code"
