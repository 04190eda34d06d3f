"""TOTP authenticators and recovery codes (telework/otp.py): drift, replay, throttling, storage at rest."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.db import connection

from personnel.access import AccessContext
from personnel.models import PersonnelAudit
from telework import otp
from telework.models import RecoveryCode, TOTPDevice

R = otp.VerifyResult
# A moment in the middle of a 30-second step, so ±1 step is unambiguous.
T0 = datetime(2026, 11, 23, 9, 0, 15, tzinfo=UTC)


def enrolled(user, *, name="phone", at=None):
    """A confirmed device and its secret (confirmed with the code of a step well before T0)."""
    device, secret, _uri = otp.device_start(user=user, name=name)
    codes = otp.device_confirm(device=device, code=pyotp.TOTP(secret).now(), ctx=AccessContext.office())
    # The confirming code used the real clock's step; tests run at T0, so start from a clean slate.
    TOTPDevice.objects.filter(pk=device.pk).update(last_step=0)
    return TOTPDevice.objects.get(pk=device.pk), secret, codes


def code_at(secret: str, at: datetime, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at + timedelta(seconds=30 * steps))


@pytest.fixture
def user(city):
    return city.applicant.user


# -- enrolment -------------------------------------------------------------------------------------------


def test_it_starts_an_unconfirmed_device_with_a_160_bit_secret(user):
    device, secret, uri = otp.device_start(user=user, name="iPhone")
    assert device.confirmed_at is None
    assert len(base64.b32decode(secret)) == 20
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert not otp.has_device(user)


def test_it_confirms_a_device_with_a_valid_code_and_gives_ten_recovery_codes_once(user):
    device, secret, _uri = otp.device_start(user=user, name="iPhone")
    codes = otp.device_confirm(device=device, code=pyotp.TOTP(secret).now(), ctx=AccessContext.office())
    assert otp.has_device(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    second, secret2, _uri = otp.device_start(user=user, name="iPad")
    assert otp.device_confirm(device=second, code=pyotp.TOTP(secret2).now(), ctx=AccessContext.office()) == []


def test_it_refuses_to_confirm_a_device_with_a_wrong_code(user):
    device, secret, _uri = otp.device_start(user=user, name="iPhone")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError):
        otp.device_confirm(device=device, code=wrong, ctx=AccessContext.office())
    assert not otp.has_device(user)


def test_it_keeps_the_secret_encrypted_at_rest(user):
    device, secret, _uri = otp.device_start(user=user, name="iPhone")
    stored = TOTPDevice.objects.values_list("secret_encrypted", flat=True).get(pk=device.pk)
    assert secret not in stored and secret.lower() not in stored
    assert otp.device_secret(TOTPDevice.objects.get(pk=device.pk)) == secret


def test_it_encrypts_with_the_configured_fernet_key(user, settings):
    settings.TOTP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    device, secret, _uri = otp.device_start(user=user, name="iPhone")
    assert Fernet(settings.TOTP_ENCRYPTION_KEY).decrypt(device.secret_encrypted.encode()).decode() == secret


# -- verifying codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_it_accepts_a_code_one_step_either_side(user, steps):
    _device, secret, _codes = enrolled(user)
    assert otp.verify_totp(user=user, code=code_at(secret, T0, steps), at=T0) == R.OK


@pytest.mark.parametrize("steps", [-2, 2])
def test_it_refuses_a_code_two_steps_away(user, steps):
    _device, secret, _codes = enrolled(user)
    assert otp.verify_totp(user=user, code=code_at(secret, T0, steps), at=T0) == R.WRONG


def test_it_accepts_each_code_once(user):
    _device, secret, _codes = enrolled(user)
    code = code_at(secret, T0)
    assert otp.verify_totp(user=user, code=code, at=T0) == R.OK
    later = T0 + timedelta(seconds=10)  # same step, after any throttle
    assert otp.verify_totp(user=user, code=code, at=later) == R.REPLAYED


def test_it_refuses_an_older_code_once_a_newer_one_was_used(user):
    _device, secret, _codes = enrolled(user)
    assert otp.verify_totp(user=user, code=code_at(secret, T0, 1), at=T0) == R.OK
    assert otp.verify_totp(user=user, code=code_at(secret, T0), at=T0 + timedelta(seconds=5)) == R.REPLAYED


def test_it_accepts_a_code_with_spaces_and_full_width_digits(user):
    _device, secret, _codes = enrolled(user)
    code = code_at(secret, T0)
    typed = f" {code[:3]}\u3000{code[3:]} ".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert otp.verify_totp(user=user, code=typed, at=T0) == R.OK


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "abcdef", "12-456"])
def test_it_refuses_malformed_codes(user, code):
    enrolled(user)
    assert otp.verify_totp(user=user, code=code, at=T0) == R.MALFORMED


def test_it_says_no_device_without_a_confirmed_one(user):
    otp.device_start(user=user, name="unfinished")
    assert otp.verify_totp(user=user, code="123456", at=T0) == R.NO_DEVICE


def test_it_tries_each_of_several_devices(user):
    enrolled(user, name="phone")
    _second, secret2, _codes = enrolled(user, name="tablet")
    assert otp.verify_totp(user=user, code=code_at(secret2, T0), at=T0) == R.OK


# -- throttling ------------------------------------------------------------------------------------------


def wrong_code(secret: str, at: datetime) -> str:
    near = {code_at(secret, at, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def test_it_throttles_with_a_growing_delay_after_wrong_codes(user):
    device, secret, _codes = enrolled(user)
    at = T0
    for expected_delay in (1, 2, 4, 8):
        assert otp.verify_totp(user=user, code=wrong_code(secret, at), at=at) == R.WRONG
        device.refresh_from_db()
        assert device.next_try_at == at + timedelta(seconds=expected_delay)
        # Even the right code is not looked at before then.
        just_before = at + timedelta(seconds=expected_delay) - timedelta(milliseconds=1)
        assert otp.verify_totp(user=user, code=code_at(secret, just_before), at=just_before) == R.THROTTLED
        at += timedelta(seconds=expected_delay)
    assert device.failures == 4


def test_it_caps_the_delay_at_five_minutes(user):
    device, secret, _codes = enrolled(user)
    TOTPDevice.objects.filter(pk=device.pk).update(failures=20)
    otp.verify_totp(user=user, code=wrong_code(secret, T0), at=T0)
    device.refresh_from_db()
    assert device.next_try_at == T0 + timedelta(seconds=300)


def test_it_lifts_the_throttle_with_time_and_a_success_resets_it(user):
    device, secret, _codes = enrolled(user)
    for i in range(3):  # delays 1, 2, 4
        at = T0 + timedelta(seconds=[0, 1, 3][i])
        assert otp.verify_totp(user=user, code=wrong_code(secret, at), at=at) == R.WRONG
    later = T0 + timedelta(seconds=7)
    assert otp.verify_totp(user=user, code=code_at(secret, later), at=later) == R.OK
    device.refresh_from_db()
    assert (device.failures, device.next_try_at) == (0, None)


@pytest.mark.parametrize("kind", ["replayed", "malformed"])
def test_it_counts_replayed_and_malformed_codes_as_failures(user, kind):
    device, secret, _codes = enrolled(user)
    code = code_at(secret, T0)
    assert otp.verify_totp(user=user, code=code, at=T0) == R.OK
    bad = code if kind == "replayed" else "12 34"
    otp.verify_totp(user=user, code=bad, at=T0 + timedelta(seconds=1))
    device.refresh_from_db()
    assert device.failures == 1
    assert device.next_try_at == T0 + timedelta(seconds=2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_accepts_a_code_once_when_two_workers_race_with_it(city):
    user = city.applicant.user
    _device, secret, _codes = enrolled(user)
    code = code_at(secret, T0)
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            results[i] = otp.verify_totp(user=user, code=code, at=T0)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(str(r) for r in results) == sorted([str(R.OK), str(R.REPLAYED)])


# -- recovery codes --------------------------------------------------------------------------------------


def test_it_makes_recovery_codes_of_sixty_bits_from_an_unambiguous_alphabet(user):
    codes = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())
    assert len(codes) == 10
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(otp.RECOVERY_ALPHABET)
    assert len(otp.RECOVERY_ALPHABET) ** 12 >= 2**60
    assert not set("ilou") & set(otp.RECOVERY_ALPHABET)


def test_it_stores_recovery_codes_only_hashed(user):
    codes = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert all(code not in h and code.replace("-", "") not in h for h in stored)


def test_it_accepts_each_recovery_code_once(user):
    code = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())[0]
    assert otp.use_recovery_code(user=user, code=code)
    assert not otp.use_recovery_code(user=user, code=code)


def test_it_forgives_case_spaces_and_lookalikes_in_recovery_codes(user):
    code = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())[0]
    typed = " " + code.upper().replace("-", " ").replace("0", "O").replace("1", "l") + " "
    assert otp.use_recovery_code(user=user, code=typed)


def test_it_refuses_another_users_recovery_code(user, city):
    code = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())[0]
    assert not otp.use_recovery_code(user=city.colleague.user, code=code)
    assert otp.use_recovery_code(user=user, code=code)


def test_it_replaces_unused_recovery_codes_when_new_ones_are_made(user):
    old = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())
    assert otp.use_recovery_code(user=user, code=old[0])
    new = otp.recovery_codes_generate(user=user, ctx=AccessContext.office())
    assert not otp.use_recovery_code(user=user, code=old[1])
    assert otp.use_recovery_code(user=user, code=new[0])
    assert otp.recovery_codes_left(user) == 9


# -- removal and the administrator's reset ---------------------------------------------------------------


def test_it_removes_a_device_and_with_the_last_one_the_recovery_codes(user):
    device, _secret, codes = enrolled(user)
    otp.device_remove(device=device, actor=user, ctx=AccessContext.office())
    assert not otp.has_device(user)
    assert not otp.use_recovery_code(user=user, code=codes[0])
    assert PersonnelAudit.objects.filter(action="telework.totp_device_remove").exists()


def test_it_resets_all_of_a_users_devices_with_an_audit_entry(user, city):
    enrolled(user, name="phone")
    enrolled(user, name="tablet")
    admin = city.approver.user
    assert otp.device_reset(user=user, actor=admin, reason="phone lost", ctx=AccessContext.office()) == 2
    assert not otp.has_device(user) and otp.recovery_codes_left(user) == 0
    entry = PersonnelAudit.objects.get(action="telework.totp_reset")
    assert entry.actor == admin
    assert entry.detail["reason"] == "phone lost" and entry.detail["user"] == user.get_username()


# -- re-authentication -----------------------------------------------------------------------------------


def test_it_marks_a_session_reauthenticated_for_five_minutes(clock):
    session: dict = {}
    assert not otp.recently_reauthenticated(session)
    otp.mark_reauthenticated(session)
    assert otp.recently_reauthenticated(session)
    clock.shift(timedelta(seconds=300))
    assert otp.recently_reauthenticated(session)
    clock.shift(timedelta(seconds=1))
    assert not otp.recently_reauthenticated(session)
