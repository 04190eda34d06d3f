"""Helpers of the login tests (test_login, test_lockout, test_timeouts): a real authenticator enrolled through
telework.otp's services, the codes it shows on the test's frozen clock, and the two login steps through the real
views.

The clock is frozen (tests/conftest.py `clock`), so the codes are known in advance; remember telework/otp.py's
rules: a code of the step before or after the current one is accepted too, each step's code only once (enrolling
uses up the current step: log in with `next_code`, or move the clock on 30 seconds), and after a failure the
device waits 1, 2, 4 ... seconds before it looks at the next code (move the clock on, or get THROTTLED)."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from personnel.access import AccessContext
from telework import otp
from tests.conftest import PASSWORD
from tests.webtools import REMOTE_ADDR

GENERIC_LOGIN_ERROR = "正しいユーザー名とパスワードを入力してください"


def enrol(user, *, name: str = "phone") -> str:
    """Give `user` a confirmed authenticator, as the enrolment page does (start, then the code shown now);
    returns its secret. The confirmation uses up the current step's code."""
    device, secret, _uri = otp.device_start(user=user, name=name)
    otp.device_confirm(device=device, code=pyotp.TOTP(secret).now(), ctx=AccessContext.office())
    return secret


def recovery_codes(user) -> list[str]:
    """Ten fresh recovery codes for `user` (the unused old ones stop working)."""
    return otp.recovery_codes_generate(user=user, ctx=AccessContext.office())


def code_at(secret: str, steps: int = 0) -> str:
    """The authenticator's code `steps` time steps from the (frozen) now."""
    return pyotp.TOTP(secret, digits=otp.DIGITS, interval=otp.STEP).at(
        timezone.now() + timedelta(seconds=otp.STEP * steps)
    )


def current_code(secret: str) -> str:
    return code_at(secret, 0)


def next_code(secret: str) -> str:
    """The next step's code: still inside the drift window, and unused right after an enrolment or a login in
    the current step."""
    return code_at(secret, 1)


def wrong_codes(secret: str) -> list[str]:
    """Well-formed codes (000000, 111111 ...) that no step near now gives: WRONG, whatever the secret."""
    taken = {code_at(secret, steps) for steps in range(-otp.DRIFT - 1, otp.DRIFT + 2)}
    return [code for code in (str(digit) * otp.DIGITS for digit in range(10)) if code not in taken]


def wrong_code(secret: str) -> str:
    return wrong_codes(secret)[0]


def remote_client() -> Client:
    client = Client()
    client.defaults["REMOTE_ADDR"] = REMOTE_ADDR
    return client


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def code_step(client: Client, code: str, **extra):
    return client.post(reverse("login_otp"), {"code": code}, **extra)
