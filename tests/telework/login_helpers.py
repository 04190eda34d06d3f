"""Helpers of the login tests (test_login, test_lockout, test_timeouts, test_sessions_pages): a stand-in for
telework.otp whose codes the test chooses, and the two login steps through the real views."""

from __future__ import annotations

import enum
import types

from django.test import Client
from django.urls import reverse

import telework
from tests.conftest import PASSWORD
from tests.webtools import REMOTE_ADDR

GOOD_CODE = "123456"
RECOVERY = "abcd-efgh-ijkl"
GENERIC_LOGIN_ERROR = "正しいユーザー名とパスワードを入力してください"


class VerifyResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"
    MALFORMED = "malformed"
    THROTTLED = "throttled"
    NO_DEVICE = "no_device"


class FakeOTP(types.SimpleNamespace):
    """telework.otp's interface: users in `devices` have an authenticator that accepts GOOD_CODE once (then
    REPLAYED), rejects other 6-digit codes, calls anything else MALFORMED; RECOVERY works once."""

    def __init__(self) -> None:
        super().__init__(devices=set(), used=set(), recovery_used=set(), resets=[], throttle=False)
        self.VerifyResult = VerifyResult

    def has_device(self, user) -> bool:
        return user.pk in self.devices

    def verify_totp(self, *, user, code, at=None):
        if user.pk not in self.devices:
            return VerifyResult.NO_DEVICE
        code = code.replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            return VerifyResult.MALFORMED
        if self.throttle:
            return VerifyResult.THROTTLED
        if code != GOOD_CODE:
            return VerifyResult.WRONG
        if user.pk in self.used:
            return VerifyResult.REPLAYED
        self.used.add(user.pk)
        return VerifyResult.OK

    def use_recovery_code(self, *, user, code) -> bool:
        if user.pk not in self.devices or code != RECOVERY or user.pk in self.recovery_used:
            return False
        self.recovery_used.add(user.pk)
        return True

    def device_reset(self, *, user, actor, reason, ctx) -> None:
        self.devices.discard(user.pk)
        self.resets.append((user.pk, actor.pk, reason))


def install_fake_otp(monkeypatch) -> FakeOTP:
    """Put a FakeOTP in place of telework.otp for one test (each module wraps it in a `fake_otp` fixture)."""
    fake = FakeOTP()
    monkeypatch.setattr(telework, "otp", fake, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "telework.otp", fake)
    return fake


def remote_client() -> Client:
    client = Client()
    client.defaults["REMOTE_ADDR"] = REMOTE_ADDR
    return client


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def code_step(client: Client, code: str = GOOD_CODE, **extra):
    return client.post(reverse("login_otp"), {"code": code}, **extra)
