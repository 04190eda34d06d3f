"""The second factor: TOTP authenticators (RFC 6238), recovery codes and re-authentication.

TOTP as authenticator apps and Debian's `oathtool --totp` make it: SHA-1, 6 digits, 30-second steps; a code of
the step before or after the current one is accepted too (clock drift), and each code only once.

Writes (services, keyword-only):
    device_start(user, name)            a new, unconfirmed authenticator -> (device, secret, otpauth URI)
    device_confirm(device, code)        a valid code confirms it -> recovery codes (the first device only)
    device_remove(device, actor)        the owner removes one (after re-authentication; audited)
    device_cancel(device)               drops an unfinished registration
    device_reset(user, actor, reason)   an administrator removes all of a user's authenticators and codes (audited)
    verify_totp(user, code)             a login's or a re-authentication's code -> VerifyResult
    reauthenticate(session, user, password, code)  before a sensitive page -> VerifyResult
    recovery_codes_generate(user)       10 new recovery codes, replacing the unused old ones
    use_recovery_code(user, code)       spends one -> bool
Reads:
    has_device(user), devices_for(user), device_get_for_user(user, pk), device_pending_get(user, pk),
    device_secret(device), recovery_codes_left(user), enrolment_refusal(ctx)

Secrets are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`, the Python
Cryptographic Authority's well-kept library, rather than anything written here. The key is
settings.TOTP_ENCRYPTION_KEY (a Fernet key: `python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`) when set, else derived from SECRET_KEY with HKDF-SHA256. Without
TOTP_ENCRYPTION_KEY, rotating SECRET_KEY makes every stored secret and recovery code unreadable: everyone must then
enrol again (an administrator resets them with device_reset). Set TOTP_ENCRYPTION_KEY to rotate SECRET_KEY freely.
"""

from __future__ import annotations

import base64
import enum
import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from personnel import access
from personnel.audit import audit_record
from telework.models import RecoveryCode, TOTPDevice

STEP = 30  # seconds (RFC 6238's default, what every authenticator app uses)
DIGITS = 6
DRIFT = 1  # steps accepted either side of the current one
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 block RFC 4226 recommends
MAX_DELAY = 300  # seconds: the throttle's longest wait between two tries on one device
RECOVERY_CODE_COUNT = 10
# Crockford's base32 alphabet: no i, l, o (read as 1, 1, 0 when typed) and no u. 12 symbols of 32 = 60 bits.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_SIZE = 4
_RECOVERY_TYPO = str.maketrans({"i": "1", "l": "1", "o": "0"})

REAUTH_SESSION_KEY = "telework_reauth_at"  # epoch seconds of the last re-authentication
REAUTH_MAX_AGE = 5 * 60
ISSUER = "Kessai Portal"  # shown in the authenticator app; settings.TOTP_ISSUER overrides it


class VerifyResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"  # right code, but its time step was already used
    MALFORMED = "malformed"  # not 6 digits
    THROTTLED = "throttled"  # tried again too soon after a failure; the code was not looked at
    NO_DEVICE = "no_device"  # the user has no confirmed authenticator


# --------------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------------


def _master() -> bytes:
    key = getattr(settings, "TOTP_ENCRYPTION_KEY", "") or ""
    return key.encode() if key else settings.SECRET_KEY.encode()


@functools.lru_cache(maxsize=4)
def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kessai-portal telework " + purpose).derive(
        master
    )


def _fernet() -> Fernet:
    key = getattr(settings, "TOTP_ENCRYPTION_KEY", "") or ""
    if key:
        try:
            return Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                "TOTP_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return Fernet(base64.urlsafe_b64encode(_derive(_master(), b"totp secrets")))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def device_secret(device: TOTPDevice) -> str:
    """The base32 secret (for the enrolment page and code checks). Raises ImproperlyConfigured when the key that
    encrypted it is gone (SECRET_KEY rotated without TOTP_ENCRYPTION_KEY): the user must enrol again."""
    try:
        return _fernet().decrypt(device.secret_encrypted.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            f"authenticator {device.pk} cannot be decrypted: was SECRET_KEY or TOTP_ENCRYPTION_KEY changed?"
        ) from None


def _recovery_hash(normalised: str) -> str:
    # A keyed fast hash is enough here, unlike for passwords: each code carries 60 random bits, so trying every
    # code against a leaked table is out of reach even at GPU speed, and the key (not in the database) is needed
    # too. Being deterministic, the hash is also the lookup key (RecoveryCode.code_hash is unique).
    key = _derive(_master(), b"recovery codes")
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def has_device(user: Any) -> bool:
    """Does the user have a confirmed authenticator?"""
    if user is None or not getattr(user, "pk", None):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def devices_for(user: Any) -> QuerySet[TOTPDevice]:
    """The user's confirmed authenticators, oldest first."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).order_by("confirmed_at", "pk")


def device_get_for_user(*, user: Any, pk: int) -> TOTPDevice | None:
    """One of the user's own confirmed authenticators (nobody else's)."""
    return devices_for(user).filter(pk=pk).first()


def device_pending_get(*, user: Any, pk: Any) -> TOTPDevice | None:
    """The user's own authenticator still waiting for its first code."""
    if not isinstance(pk, int):
        return None
    return TOTPDevice.objects.filter(user=user, pk=pk, confirmed_at__isnull=True).first()


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def enrolment_refusal(ctx: access.AccessContext) -> str | None:
    """Why the authenticator pages are refused in this context, or None. From the office they are open; from
    outside only to a session that already proved a second factor — otherwise a stolen password alone could
    register the thief's phone from home."""
    if ctx.zone == access.REMOTE and ctx.assurance != access.OTP:
        return _(
            "Authenticator apps can be registered only from the city hall network, or from outside after logging "
            "in with an authenticator you already have. Please register it on a computer at the office."
        )
    return None


def provisioning_uri(*, user: Any, secret: str) -> str:
    issuer = getattr(settings, "TOTP_ISSUER", "") or ISSUER
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=user.get_username(), issuer_name=issuer
    )


def secret_grouped(secret: str) -> str:
    """The secret as it is read aloud or typed: ABCD EFGH IJKL ..."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --------------------------------------------------------------------------------------------------------
# Enrolment
# --------------------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def device_start(*, user: Any, name: str) -> tuple[TOTPDevice, str, str]:
    """A new authenticator waiting for its first code; earlier unconfirmed ones of the user are dropped."""
    name = " ".join((name or "").split())[:64]
    if not name:
        raise ValidationError(_("Give the authenticator a name, such as the phone it is on."))
    TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()
    if TOTPDevice.objects.filter(user=user, name=name).exists():
        raise ValidationError(_("You already have an authenticator named %(name)s.") % {"name": name})
    secret = base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()
    device = TOTPDevice.objects.create(user=user, name=name, secret_encrypted=_encrypt(secret))
    return device, secret, provisioning_uri(user=user, secret=secret)


def _step(at: datetime) -> int:
    return int(at.timestamp()) // STEP


def _matching_steps(secret: str, code: str, at: datetime) -> list[int]:
    """The time steps within the drift window whose code is `code` (usually none or one)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP)
    now = _step(at)
    return [
        step
        for step in range(now - DRIFT, now + DRIFT + 1)
        if hmac.compare_digest(totp.at(step * STEP).encode(), code.encode())
    ]


def _normalise_code(code: str) -> str:
    # NFKC turns full-width digits and spaces (a Japanese input method's) into ASCII ones.
    return "".join(unicodedata.normalize("NFKC", code or "").split())


def _well_formed(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


@transaction.atomic(durable=True)
def device_confirm(*, device: TOTPDevice, code: str, ctx: access.AccessContext) -> list[str]:
    """A valid current code confirms the authenticator (and uses up that code). Returns the new recovery codes
    when it is the user's first confirmed authenticator — shown once, never again — else []."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed_at is not None:
        raise ValidationError(_("This authenticator is already registered."))
    code = _normalise_code(code)
    at = _now()
    steps = _matching_steps(device_secret(device), code, at) if _well_formed(code) else []
    if not steps:
        raise ValidationError(
            _("The code does not match. Check that the phone's clock is right and enter the code shown now.")
        )
    first = not has_device(device.user)
    device.confirmed_at = at
    device.last_step = max(steps)
    device.last_used_at = at
    device.save(update_fields=["confirmed_at", "last_step", "last_used_at"])
    audit_record(
        actor=device.user,
        ctx=ctx,
        action="telework.totp_device_add",
        target=device,
        detail={"device": device.pk, "name": device.name},
    )
    return _recovery_codes_replace(user=device.user) if first else []


def device_cancel(*, device: TOTPDevice) -> None:
    """Drop an authenticator whose registration was not finished."""
    TOTPDevice.objects.filter(pk=device.pk, confirmed_at__isnull=True).delete()


def device_remove(*, device: TOTPDevice, actor: Any, ctx: access.AccessContext) -> None:
    """Remove one authenticator (the views require re-authentication first). The last one takes the recovery
    codes with it: the next first authenticator comes with new ones."""
    with transaction.atomic(durable=True):
        TOTPDevice.objects.filter(pk=device.pk).delete()
        if not has_device(device.user):
            RecoveryCode.objects.filter(user=device.user, used_at__isnull=True).delete()
        audit_record(
            actor=actor,
            ctx=ctx,
            action="telework.totp_device_remove",
            target=device,
            detail={"device": device.pk, "name": device.name, "user": device.user.get_username()},
            on_behalf_of=device.user,
        )


def device_reset(*, user: Any, actor: Any, reason: str, ctx: access.AccessContext) -> int:
    """An administrator's reset (lost phone): every authenticator and unused recovery code of `user` goes, and
    the user enrols again from the office. Audited with the reason. Returns the number of authenticators removed.
    The caller checks the administrator's right (telework/login.py totp_reset)."""
    with transaction.atomic(durable=True):
        removed, _detail = TOTPDevice.objects.filter(user=user).delete()
        codes, _detail = RecoveryCode.objects.filter(user=user, used_at__isnull=True).delete()
        audit_record(
            actor=actor,
            ctx=ctx,
            action="telework.totp_reset",
            target=user,
            detail={"user": user.get_username(), "reason": reason, "devices": removed, "recovery_codes": codes},
            on_behalf_of=user,
        )
    return removed


# --------------------------------------------------------------------------------------------------------
# Checking a code
# --------------------------------------------------------------------------------------------------------


def _delay(failures: int) -> int:
    """Seconds to wait after the n-th consecutive failure: 1, 2, 4, ... up to MAX_DELAY."""
    return min(2 ** min(max(failures - 1, 0), 16), MAX_DELAY)


def _fail(device: TOTPDevice, at: datetime) -> None:
    device.failures += 1
    device.next_try_at = at + timedelta(seconds=_delay(device.failures))
    device.save(update_fields=["failures", "next_try_at"])


def verify_totp(*, user: Any, code: str, at: datetime | None = None) -> VerifyResult:
    """Check a code from the user's authenticator(s). `at` (aware) replaces the clock, for tests.

    Each code is accepted once: the code's time step must be later than the device's last accepted one, and the
    one conditional UPDATE that advances `last_step` decides it, so two workers racing with the same code cannot
    both win. Each failure (wrong, reused, malformed code) makes the device wait 1, 2, 4 ... up to 300 seconds
    before the next try is even looked at; a success clears that. The devices are locked for the check so
    parallel guesses are counted one after another (PostgreSQL; SQLite serialises writers anyway)."""
    at = _now(at)
    code = _normalise_code(code)
    if user is None or not getattr(user, "pk", None):
        return VerifyResult.NO_DEVICE
    with transaction.atomic(durable=True):
        devices = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).order_by("pk")
        )
        if not devices:
            return VerifyResult.NO_DEVICE
        ready = [d for d in devices if d.next_try_at is None or d.next_try_at <= at]
        if not ready:
            return VerifyResult.THROTTLED
        if not _well_formed(code):
            for device in ready:
                _fail(device, at)
            return VerifyResult.MALFORMED
        replayed: list[TOTPDevice] = []
        for device in ready:
            steps = _matching_steps(device_secret(device), code, at)
            if not steps:
                continue
            fresh = [s for s in steps if s > device.last_step]
            if fresh:
                step = max(fresh)
                won = TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
                    last_step=step, last_used_at=at, failures=0, next_try_at=None
                )
                if won:
                    return VerifyResult.OK
            replayed.append(device)
        for device in replayed or ready:
            _fail(device, at)
        return VerifyResult.REPLAYED if replayed else VerifyResult.WRONG


# --------------------------------------------------------------------------------------------------------
# Recovery codes
# --------------------------------------------------------------------------------------------------------


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_GROUPS * RECOVERY_GROUP_SIZE))
    return "-".join(raw[i : i + RECOVERY_GROUP_SIZE] for i in range(0, len(raw), RECOVERY_GROUP_SIZE))


def _recovery_normalise(code: str) -> str | None:
    """The code's 12 symbols (typing slips forgiven: case, spaces, hyphens, i/l for 1, o for 0), or None."""
    raw = re.sub(r"[\s\-‐-―ー−]", "", unicodedata.normalize("NFKC", code or "").lower()).translate(_RECOVERY_TYPO)
    if len(raw) != RECOVERY_GROUPS * RECOVERY_GROUP_SIZE or any(c not in RECOVERY_ALPHABET for c in raw):
        return None
    return raw


def _recovery_codes_replace(*, user: Any) -> list[str]:
    RecoveryCode.objects.filter(user=user, used_at__isnull=True).delete()
    codes = [_recovery_code_new() for _i in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(_recovery_normalise(c) or "")) for c in codes]
    )
    return codes


def recovery_codes_generate(*, user: Any, ctx: access.AccessContext) -> list[str]:
    """Ten new single-use codes; the unused old ones stop working. The codes exist in plain text only in the
    return value: the database keeps their keyed hashes."""
    with transaction.atomic(durable=True):
        codes = _recovery_codes_replace(user=user)
        audit_record(
            actor=user, ctx=ctx, action="telework.recovery_codes_generate", target=user, detail={"count": len(codes)}
        )
    return codes


def use_recovery_code(*, user: Any, code: str) -> bool:
    """Spend one recovery code: true once per code, false for a wrong, used or malformed one."""
    normalised = _recovery_normalise(code)
    if normalised is None or user is None or not getattr(user, "pk", None):
        return False
    spent = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(normalised), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return spent == 1


# --------------------------------------------------------------------------------------------------------
# Re-authentication (before new recovery codes or removing an authenticator)
# --------------------------------------------------------------------------------------------------------


def _recovery_code_unused(*, user: Any, code: str) -> bool:
    normalised = _recovery_normalise(code)
    return normalised is not None and (
        RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(normalised), used_at__isnull=True).exists()
    )


def reauthenticate(*, session: Any, user: Any, password: str, code: str) -> VerifyResult:
    """Password and a current code (or one of the recovery codes, which it spends) again, for a sensitive page:
    another authenticator, new recovery codes, removing one. OK marks the session for REAUTH_MAX_AGE seconds.

    The code is checked first (a TOTP code with its throttle): whether the password was right is told only
    together with a valid code, so a borrowed session cannot be used to guess the password; and a wrong password
    does not spend a recovery code."""
    if _recovery_normalise(code) is not None:
        if not _recovery_code_unused(user=user, code=code) or not user.check_password(password):
            return VerifyResult.WRONG
        if not use_recovery_code(user=user, code=code):  # spent by another request meanwhile
            return VerifyResult.WRONG
        mark_reauthenticated(session)
        return VerifyResult.OK
    result = verify_totp(user=user, code=code)
    if result is not VerifyResult.OK:
        return result
    if not user.check_password(password):
        return VerifyResult.WRONG
    mark_reauthenticated(session)
    return VerifyResult.OK


def mark_reauthenticated(session: Any) -> None:
    session[REAUTH_SESSION_KEY] = timezone.now().timestamp()


def recently_reauthenticated(session: Any, max_age: int = REAUTH_MAX_AGE) -> bool:
    at = session.get(REAUTH_SESSION_KEY) if session is not None else None
    if not isinstance(at, int | float):
        return False
    return 0 <= timezone.now().timestamp() - at <= max_age
