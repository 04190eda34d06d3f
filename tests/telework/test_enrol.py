"""Authenticator pages (telework/enrol_views.py): enrolment by QR code, recovery codes shown once,
re-authentication before new recovery codes or removing an authenticator, and who may enrol from where."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from telework import otp
from telework.models import TOTPDevice
from tests.conftest import PASSWORD
from tests.webtools import log_in, page_text

ENROL = "/telework/authenticator/"


@pytest.fixture
def user(city):
    return city.applicant.user


@pytest.fixture
def client(user) -> Client:
    return log_in(Client(), user)


def start(client: Client, name: str = "My phone") -> str:
    """Start an enrolment through the page; returns the secret it shows."""
    response = client.post(ENROL, {"action": "start", "name": name})
    assert response.status_code == 302
    page = page_text(client.get(ENROL))
    return re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")


def enrol(client: Client) -> tuple[str, list[str]]:
    secret = start(client)
    response = client.post(ENROL, {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    return secret, re.findall(r"data-code>([0-9a-z-]+)<", page_text(response))


def next_code(secret: str) -> str:
    """The code of the step after the last one used (the current one confirmed the device a moment ago)."""
    device = next(d for d in TOTPDevice.objects.all() if otp.device_secret(d) == secret)
    return pyotp.TOTP(secret).at((device.last_step + 1) * 30)


def reauth(client: Client, secret: str) -> None:
    code = next_code(secret)
    response = client.post(reverse("telework:reauth"), {"password": PASSWORD, "code": code})
    assert response.status_code == 302


def test_it_shows_a_qr_code_and_the_secret_in_groups_of_four(client, user):
    client.post(ENROL, {"action": "start", "name": "My phone"})
    response = client.get(ENROL)
    page = page_text(response)
    assert response.status_code == 200
    assert "<svg" in page and "data-qr" in page
    shown = re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed_at is None and otp.device_secret(device) == shown.replace(" ", "")


def test_it_confirms_with_a_code_and_shows_the_recovery_codes_once(client, user):
    secret, codes = enrol(client)
    assert otp.has_device(user)
    assert len(codes) == 10
    assert otp.use_recovery_code(user=user, code=codes[0])
    # Never again: the authenticator page lists the device, not the codes.
    page = page_text(client.get(ENROL))
    assert "My phone" in page and codes[1] not in page and "data-code" not in page
    assert secret not in page


def test_it_refuses_a_wrong_code_and_keeps_the_enrolment_open(client, user):
    secret = start(client)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    response = client.post(ENROL, {"action": "confirm", "code": wrong})
    assert response.status_code == 400
    assert "data-qr" in page_text(response)
    assert not otp.has_device(user)


def test_it_cancels_an_unfinished_enrolment(client, user):
    start(client)
    client.post(ENROL, {"action": "cancel"})
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_it_refuses_enrolment_from_remote_without_otp(user):
    client = log_in(Client(), user, remote=True)
    response = client.post(ENROL, {"action": "start", "name": "Thief's phone"})
    assert response.status_code == 403
    assert client.get(ENROL).status_code == 403  # a password-only session from home gets nothing
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_it_allows_enrolment_from_remote_with_otp(user):
    client = log_in(Client(), user, remote=True, otp=True)
    assert client.get(ENROL).status_code == 200
    start(client, name="Second phone")
    assert TOTPDevice.objects.filter(user=user, name="Second phone").exists()


def test_it_asks_for_reauthentication_before_new_recovery_codes(client, user):
    secret, codes = enrol(client)
    url = reverse("telework:recovery_codes")
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("telework:reauth"))
    assert otp.use_recovery_code(user=user, code=codes[0])  # nothing was replaced
    reauth(client, secret)
    response = client.post(url)
    new = re.findall(r"data-code>([0-9a-z-]+)<", page_text(response))
    assert len(new) == 10
    assert not otp.use_recovery_code(user=user, code=codes[1])
    assert otp.use_recovery_code(user=user, code=new[0])


def test_it_asks_for_reauthentication_before_removing_a_device(client, user):
    secret, _codes = enrol(client)
    device = TOTPDevice.objects.get(user=user)
    url = reverse("telework:device_remove", args=[device.pk])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("telework:reauth"))
    assert otp.has_device(user)
    reauth(client, secret)
    assert client.post(url).status_code == 302
    assert not otp.has_device(user)


def test_it_refuses_reauthentication_with_a_wrong_password(client, user):
    secret, _codes = enrol(client)
    response = client.post(reverse("telework:reauth"), {"password": "wrong", "code": next_code(secret)})
    assert response.status_code == 400
    assert not otp.recently_reauthenticated(client.session)


def test_it_does_not_let_one_remove_anothers_device(client, city):
    other = log_in(Client(), city.colleague.user)
    enrol(other)
    device = TOTPDevice.objects.get(user=city.colleague.user)
    session = client.session
    otp.mark_reauthenticated(session)
    session.save()
    response = client.post(reverse("telework:device_remove", args=[device.pk]))
    assert response.status_code == 302 and response["Location"] == ENROL
    assert otp.has_device(city.colleague.user)


def test_a_second_authenticator_needs_the_first(client, user):
    """Attack: someone at the office who has the password alone (an unlocked desk, a shoulder) adds their own phone
    to an account that already has an authenticator, and then logs in from home as its owner."""
    secret, _codes = enrol(client)
    response = client.post(ENROL, {"action": "start", "name": "Not mine"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("telework:reauth"))
    assert not TOTPDevice.objects.filter(name="Not mine").exists()

    reauth(client, secret)  # the password and a code of the first authenticator
    second = start(client, name="Second phone")
    response = client.post(ENROL, {"action": "confirm", "code": pyotp.TOTP(second).now()})
    assert response.status_code == 200
    assert set(TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).values_list("name", flat=True)) == {
        "My phone",
        "Second phone",
    }


def test_a_recovery_code_stands_for_the_first_authenticator_when_adding_another(client, user):
    _secret, codes = enrol(client)
    response = client.post(reverse("telework:reauth"), {"password": PASSWORD, "code": codes[0]})
    assert response.status_code == 302
    start(client, name="Replacement phone")
    assert TOTPDevice.objects.filter(user=user, name="Replacement phone").exists()
