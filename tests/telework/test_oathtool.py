"""A real authenticator, not only pyotp: codes made by Debian's `oathtool --totp` (OATH Toolkit) enrol a device
through the enrolment page, are accepted by the code check, and log in from home (password, then the code).

Without oathtool these tests skip; under CI (CI=true) they fail instead, so CI must install the `oathtool` package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from personnel import access
from personnel.middleware import ASSURANCE_SESSION_KEY
from telework import otp
from telework.models import TOTPDevice
from tests.conftest import PASSWORD
from tests.webtools import REMOTE_ADDR, log_in, page_text

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
OATHTOOL = shutil.which("oathtool")
ENROL = "/telework/authenticator/"


@pytest.fixture(autouse=True)
def _oathtool():
    if OATHTOOL is None:
        if IN_CI:
            pytest.fail("CI must have oathtool: .ci/run installs Debian's oathtool package")
        pytest.skip("oathtool is not installed (apt-get install oathtool)")


def oathtool(secret: str, *, step: int | None = None) -> str:
    """The code `oathtool --totp -b SECRET` prints for the test's (frozen) now, or for the 30-second time step
    `step`. oathtool reads the real clock, so it is always told the moment."""
    moment = step * otp.STEP if step is not None else int(time.time())
    args = [OATHTOOL, "--totp", "-b", "--now", f"@{moment}"]
    out = subprocess.run([*args, secret], capture_output=True, text=True, check=True, timeout=10)  # noqa: S603
    return out.stdout.strip()


def enrol_with_oathtool(client: Client, user) -> str:
    """Enrol through the page: read the key it shows (as a person would type it into an app), confirm with
    oathtool's code. Returns the key."""
    client.post(ENROL, {"action": "start", "name": "oathtool"})
    page = page_text(client.get(ENROL))
    secret = re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    response = client.post(ENROL, {"action": "confirm", "code": oathtool(secret)})
    assert response.status_code == 200, page_text(response)
    assert otp.has_device(user)
    return secret


def next_step(user) -> int:
    """The step after the one the enrolment used: its code is within the ±1 window for the next ~30 s."""
    return TOTPDevice.objects.get(user=user).last_step + 1


def test_it_enrols_with_an_oathtool_code_and_accepts_the_next_one_once(city):
    user = city.applicant.user
    secret = enrol_with_oathtool(log_in(Client(), user), user)
    code = oathtool(secret, step=next_step(user))
    assert otp.verify_totp(user=user, code=code) == otp.VerifyResult.OK
    assert otp.verify_totp(user=user, code=code) in (otp.VerifyResult.REPLAYED, otp.VerifyResult.THROTTLED)


def test_it_logs_in_remotely_with_password_and_an_oathtool_code(city):
    user = city.applicant.user
    secret = enrol_with_oathtool(log_in(Client(), user), user)
    home = Client(REMOTE_ADDR=REMOTE_ADDR)
    response = home.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login_otp")
    assert home.session.get(ASSURANCE_SESSION_KEY) != access.OTP
    response = home.post(reverse("login_otp"), {"code": oathtool(secret, step=next_step(user))})
    assert response.status_code == 302, page_text(response)
    assert home.session[SESSION_KEY] == str(user.pk)
    assert home.session[ASSURANCE_SESSION_KEY] == access.OTP
    # The OTP-assured remote session reaches the portal's pages.
    assert home.get(reverse("personnel:my_page")).status_code == 200
