"""The login policy of the telework gateway: attempts, lockouts, the second step, remote sessions, step-up.

Writes (services, keyword-only):
    attempt_record(...)            one LoginAttempt row; a failure may start a Lockout of the account or the IP
    password_check(...)            step 1: lockouts, then the password -> PasswordResult
    second_factor_check(...)       step 2 (and the office step-up): a TOTP code or a recovery code -> bool
    remote_session_start / _end    the RemoteSession of a remote login
    lockout_release(...)           an administrator lifts a lockout early (audited in PersonnelAudit)
    totp_reset(...)                an administrator removes a user's authenticator (audited by otp.device_reset)
Reads:
    lockout_active(...), remote_sessions_for(...), login_attempts_for(...)

Nothing here tells an outsider why a login failed: the views show one message for an unknown login name, a wrong
password and a locked account or address; only LoginAttempt.reason says which.

The policy holds for every login, not only the gateway's pages (a login form a library adds later included):
telework.backends.PolicyBackend refuses a locked account or address before any password is checked, the
user_login_failed receiver counts every wrong password toward the lockout, and the user_logged_in receiver refuses a
login the policy does not allow (from home without the second factor; at the office for someone who must use it)
and logs the rest. The gateway's own steps (`gateway_step()`) keep their own, more detailed log.

`require_otp_assurance` guards a view behind the office step-up (/telework/step-up/); the middleware applies the
same check to settings.TELEWORK_SENSITIVE_PATHS (the Django admin by default).
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from personnel import access
from personnel.audit import audit_record
from personnel.middleware import ASSURANCE_SESSION_KEY, client_ip
from telework.models import Lockout, LoginAttempt, RemoteSession
from telework.models.logins import Factor, LockScope, Outcome

# Session keys (all JSON-serialisable). A half-authenticated login (password proven, second factor pending).
PENDING_KEY = "telework_pending"
PENDING_TTL = 5 * 60
LOGIN_AT_KEY = "telework_login_at"  # epoch seconds of the login
SEEN_KEY = "telework_seen_at"  # epoch seconds of the last request (at most a minute stale)
REMOTE_KEY = "telework_remote_session"  # RemoteSession id of a remote login
LOGOUT_REASON_KEY = "telework_logout_reason"  # why the timeout middleware ended the session (for the login page)

# LoginAttempt.reason values (for the log, never shown to the person logging in).
REASON_WRONG_PASSWORD = "wrong password"  # noqa: S105 - a log label
REASON_UNKNOWN_USER = "unknown user"
REASON_INACTIVE = "inactive account"
REASON_USER_LOCKED = "account locked"
REASON_IP_LOCKED = "address locked"
REASON_NO_DEVICE_REMOTE = "remote login without authenticator"
REASON_BAD_RECOVERY = "wrong or used recovery code"
REASON_OUTSIDE_GATEWAY = "second factor needed (login outside the gateway)"
# How the log page names them (the stored value is a stable label; the page speaks the reader's language).
REASON_LABELS = {
    REASON_WRONG_PASSWORD: gettext_lazy("Wrong password"),
    REASON_UNKNOWN_USER: gettext_lazy("Unknown login name"),
    REASON_INACTIVE: gettext_lazy("Account disabled"),
    REASON_USER_LOCKED: gettext_lazy("Account locked"),
    REASON_IP_LOCKED: gettext_lazy("Address locked"),
    REASON_NO_DEVICE_REMOTE: gettext_lazy("Remote login without an authenticator"),
    REASON_BAD_RECOVERY: gettext_lazy("Wrong or used recovery code"),
    REASON_OUTSIDE_GATEWAY: gettext_lazy("Second factor needed (login outside the gateway)"),
}


def reason_label(reason: str) -> str:
    """A logged reason in the reader's language (a reason without a label is shown as stored)."""
    return str(REASON_LABELS.get(reason, reason))


def now() -> datetime:
    return timezone.now()


def _ip(ip: Any) -> str | None:
    return str(ip) if ip is not None else None


# --------------------------------------------------------------------------------------------------------
# Lockouts
# --------------------------------------------------------------------------------------------------------


def lockout_active(*, scope: str, key: str, at: datetime | None = None) -> Lockout | None:
    at = at or now()
    return (
        Lockout.objects.filter(scope=scope, key=key, until__gt=at, released_at__isnull=True).order_by("-until").first()
    )


REMOTE_ROUTE = " @remote"  # the suffix of an account's lockout of the remote route


def user_lock_key(username: str, zone: str) -> str:
    """Failures from home lock the account's remote route only (`100001 @remote`): login names are employee
    numbers, and a stranger must not be able to keep someone from their work at the office. Failures at the office
    lock the account (`100001`) on both routes."""
    username = username[: 150 - len(REMOTE_ROUTE)]
    return username + REMOTE_ROUTE if zone == access.REMOTE else username


def ip_lock_key(ip: str | None) -> str | None:
    """An IPv4 address as itself; an IPv6 address as its /64, which one host or line is given whole."""
    if not ip:
        return None
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _locked_reason(*, username: str, ip: str | None, zone: str, at: datetime) -> str | None:
    if username and lockout_active(scope=LockScope.USER, key=user_lock_key(username, access.OFFICE), at=at):
        return REASON_USER_LOCKED
    if (
        username
        and zone == access.REMOTE
        and lockout_active(scope=LockScope.USER, key=user_lock_key(username, zone), at=at)
    ):
        return REASON_USER_LOCKED
    ip_key = ip_lock_key(ip)
    if ip_key and lockout_active(scope=LockScope.IP, key=ip_key, at=at):
        return REASON_IP_LOCKED
    return None


def _failures_since_last_lock(*, scope: str, key: str, at: datetime) -> int:
    """Failures in the window for this account route or address, after its latest lockout ended (so a released
    or lapsed lockout starts the count afresh)."""
    since = at - timedelta(seconds=settings.TELEWORK_LOCKOUT_WINDOW)
    last = Lockout.objects.filter(scope=scope, key=key, started_at__lte=at).order_by("-started_at").first()
    if last is not None:
        ended = min(last.until, last.released_at) if last.released_at else last.until
        since = max(since, ended)
    # Every failure counts, a right password from home for an account without an authenticator too (it is
    # answered like a wrong one, so it must be counted like one).
    rows = LoginAttempt.objects.filter(at__gte=since, outcome__in=[Outcome.FAILURE, Outcome.THROTTLED])
    if scope == LockScope.USER:
        remote = key.endswith(REMOTE_ROUTE)
        username = key.removesuffix(REMOTE_ROUTE) if remote else key
        return rows.filter(username=username, zone=access.REMOTE if remote else access.OFFICE).count()
    if "/" in key:  # an IPv6 /64: the window's few failures with an IPv6 address, matched here
        network = ipaddress.ip_network(key)
        addresses = rows.filter(ip__contains=":").values_list("ip", flat=True)
        return sum(1 for address in addresses if ipaddress.ip_address(address) in network)
    return rows.filter(ip=key).count()


def _maybe_lock(*, scope: str, key: str, at: datetime) -> Lockout | None:
    if not key or lockout_active(scope=scope, key=key, at=at):
        return None
    if _failures_since_last_lock(scope=scope, key=key, at=at) < settings.TELEWORK_LOCKOUT_THRESHOLD:
        return None
    return Lockout.objects.create(
        scope=scope, key=key, started_at=at, until=at + timedelta(seconds=settings.TELEWORK_LOCKOUT_DURATION)
    )


def attempt_record(
    *,
    user: Any,
    username: str,
    ip: Any,
    zone: str,
    factor: str,
    outcome: str,
    reason: str = "",
    at: datetime | None = None,
) -> LoginAttempt:
    """Keep one attempt. A failure (or throttled code) may start a lockout of the account and of the address."""
    at = at or now()
    ip = _ip(ip)
    with transaction.atomic(durable=True):
        attempt = LoginAttempt.objects.create(
            user=user if user is not None and getattr(user, "pk", None) else None,
            username=username[:150],
            at=at,
            ip=ip,
            zone=zone,
            factor=factor,
            outcome=outcome,
            reason=reason[:100],
        )
        if outcome in (Outcome.FAILURE, Outcome.THROTTLED):
            _maybe_lock(scope=LockScope.USER, key=user_lock_key(username, zone), at=at)
            if ip:
                _maybe_lock(scope=LockScope.IP, key=ip_lock_key(ip), at=at)
    return attempt


def _office_only(ctx: access.AccessContext) -> None:
    """The login administration is office-only, like the org admin."""
    if ctx.zone != access.OFFICE:
        raise access.AccessDenied(str(access.REASON_OFFICE_ONLY))


def lockout_release(*, lockout: Lockout, actor: Any, ctx: access.AccessContext) -> Lockout:
    """An administrator (情報政策, office only as the admin is) lifts a lockout before its time; audited."""
    _office_only(ctx)
    access.require(actor, "release", lockout, ctx)
    with transaction.atomic(durable=True):
        locked = Lockout.objects.select_for_update().get(pk=lockout.pk)
        if locked.released_at is not None:
            return locked
        locked.released_at = now()
        locked.released_by = actor
        locked.save(update_fields=["released_at", "released_by"])
        audit_record(
            actor=actor,
            ctx=ctx,
            action="telework.lockout_release",
            target=locked,
            detail={"lockout": locked.pk, "scope": locked.scope, "key": locked.key, "until": locked.until},
        )
    return locked


def totp_reset(*, user: Any, actor: Any, ctx: access.AccessContext, reason: str) -> None:
    """An administrator removes a user's authenticator and recovery codes (lost phone); the user enrols again
    from the office. Allowed to whoever may release lockouts (情報政策); audited by otp.device_reset."""
    from telework import otp

    _office_only(ctx)
    access.require(actor, "release", Lockout, ctx)
    if not reason.strip():
        raise ValueError("a reason is required")
    otp.device_reset(user=user, actor=actor, reason=reason.strip(), ctx=ctx)


# --------------------------------------------------------------------------------------------------------
# Step 1: password
# --------------------------------------------------------------------------------------------------------


class Next(enum.Enum):
    REFUSED = "refused"  # the one generic message
    LOGIN = "login"  # office: log in now with password assurance
    SECOND_FACTOR = "second_factor"  # go to /login/otp/


@dataclass(frozen=True)
class PasswordResult:
    next: Next
    user: Any = None


def needs_second_factor(*, user: Any, zone: str) -> bool:
    from telework import otp

    if zone == access.REMOTE:
        return True
    return bool(settings.TELEWORK_OTP_AT_OFFICE) and otp.has_device(user)


def _account(username: str) -> Any:
    """The account a login name belongs to, active or not; None for an unknown name."""
    return get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()


def _failure_reason(known: Any) -> str:
    """Why a password was not accepted, for the log: no such login name, a disabled account, or the password."""
    if known is None:
        return REASON_UNKNOWN_USER
    return REASON_INACTIVE if not known.is_active else REASON_WRONG_PASSWORD


def password_check(*, request: HttpRequest, username: str, password: str, ip: Any, zone: str) -> PasswordResult:
    """Step 1. A locked account or address is refused like a wrong password (the password is still hashed, so
    the answer takes as long); unknown login names and wrong passwords are logged apart, answered alike."""
    from telework import otp

    at = now()
    locked = _locked_reason(username=username, ip=_ip(ip), zone=zone, at=at)
    with gateway_step():
        user = authenticate(request, username=username, password=password)
    known = user or _account(username)
    if locked:
        attempt_record(
            user=known, username=username, ip=ip, zone=zone, factor=Factor.PASSWORD, outcome=Outcome.LOCKED,
            reason=locked, at=at,
        )  # fmt: skip
        return PasswordResult(Next.REFUSED)
    if user is None:
        attempt_record(
            user=known, username=username, ip=ip, zone=zone, factor=Factor.PASSWORD, outcome=Outcome.FAILURE,
            reason=_failure_reason(known), at=at,
        )  # fmt: skip
        return PasswordResult(Next.REFUSED)
    if zone == access.REMOTE and not otp.has_device(user):
        # Answered and counted like a wrong password: from the internet, a different answer would tell anyone
        # holding a list of employee numbers which password is right (the log keeps the real reason).
        attempt_record(
            user=user, username=username, ip=ip, zone=zone, factor=Factor.PASSWORD, outcome=Outcome.FAILURE,
            reason=REASON_NO_DEVICE_REMOTE, at=at,
        )  # fmt: skip
        return PasswordResult(Next.REFUSED)
    attempt_record(
        user=user, username=username, ip=ip, zone=zone, factor=Factor.PASSWORD, outcome=Outcome.SUCCESS, at=at
    )
    if needs_second_factor(user=user, zone=zone):
        return PasswordResult(Next.SECOND_FACTOR, user)
    return PasswordResult(Next.LOGIN, user)


def pending_start(*, session: Any, user: Any, redirect_to: str) -> None:
    session.cycle_key()
    session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "at": now().timestamp(),
        "next": redirect_to,
    }


def pending_get(*, session: Any) -> dict | None:
    """The half-authenticated login in the session, or None (none, or older than PENDING_TTL)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if now().timestamp() - float(pending.get("at", 0)) > PENDING_TTL:
        session.pop(PENDING_KEY, None)
        return None
    return pending


# --------------------------------------------------------------------------------------------------------
# Step 2: TOTP or recovery code (also the office step-up)
# --------------------------------------------------------------------------------------------------------


def _looks_like_totp(code: str) -> bool:
    """Digits (half- or full-width, spaces allowed) shorter than a recovery code are an authenticator code,
    however malformed; anything else is a recovery code."""
    compact = "".join(unicodedata.normalize("NFKC", code).split())
    return compact == "" or (compact.isdigit() and len(compact) < 12)


def second_factor_check(*, user: Any, code: str, ip: Any, zone: str) -> bool:
    """Check a TOTP code or a recovery code for `user`; every outcome is a LoginAttempt and every failure
    (wrong, reused, malformed, throttled code, bad recovery code, locked) counts toward a lockout."""
    from telework import otp

    at = now()
    username = user.get_username()
    code = (code or "").strip()
    locked = _locked_reason(username=username, ip=_ip(ip), zone=zone, at=at)
    factor = Factor.TOTP if _looks_like_totp(code) else Factor.RECOVERY
    if locked:
        attempt_record(
            user=user, username=username, ip=ip, zone=zone, factor=factor, outcome=Outcome.LOCKED, reason=locked,
            at=at,
        )  # fmt: skip
        return False
    if factor == Factor.TOTP:
        result = otp.verify_totp(user=user, code=code)
        name = getattr(result, "name", str(result))
        if name == "OK":
            outcome, reason = Outcome.SUCCESS, ""
        elif name == "THROTTLED":
            outcome, reason = Outcome.THROTTLED, "throttled"
        else:
            outcome, reason = (
                Outcome.FAILURE,
                {
                    "WRONG": "wrong code",
                    "REPLAYED": "reused code",
                    "MALFORMED": "malformed code",
                    "NO_DEVICE": "no authenticator",
                }.get(name, name.lower()),
            )
    else:
        ok = otp.use_recovery_code(user=user, code=code)
        outcome, reason = (Outcome.SUCCESS, "") if ok else (Outcome.FAILURE, REASON_BAD_RECOVERY)
    attempt_record(user=user, username=username, ip=ip, zone=zone, factor=factor, outcome=outcome, reason=reason, at=at)
    return outcome == Outcome.SUCCESS


# --------------------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------------------


def session_key_hash(session_key: str) -> str:
    return salted_hmac("telework.remote_session", session_key, algorithm="sha256").hexdigest()


def remote_session_start(*, request: HttpRequest, user: Any, ip: Any) -> RemoteSession:
    """After a remote login (the session key is the new one login() made)."""
    at = now()
    if not request.session.session_key:
        request.session.save()
    row = RemoteSession.objects.create(
        user=user,
        session_key_hash=session_key_hash(request.session.session_key),
        started_at=at,
        last_seen_at=at,
        ip=_ip(ip),
    )
    request.session[REMOTE_KEY] = row.pk
    return row


def remote_session_end(*, session: Any, reason: str, at: datetime | None = None) -> None:
    """End the session's RemoteSession (logout, idle, absolute); nothing when it has none or it ended."""
    pk = session.get(REMOTE_KEY) if session is not None else None
    if not pk:
        return
    RemoteSession.objects.filter(pk=pk, ended_at__isnull=True).update(ended_at=at or now(), end_reason=reason)


def remote_session_seen(*, session: Any, at: datetime) -> None:
    pk = session.get(REMOTE_KEY)
    if pk:
        RemoteSession.objects.filter(pk=pk, ended_at__isnull=True).update(last_seen_at=at)


def _stamp_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """user_logged_in: the session's clock starts (login time and last activity)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    stamp = now().timestamp()
    session[LOGIN_AT_KEY] = stamp
    session[SEEN_KEY] = stamp


def _end_on_logout(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """user_logged_out: a remote session still open ends as a logout (the timeouts end theirs first)."""
    remote_session_end(session=getattr(request, "session", None), reason="logout")


user_logged_in.connect(_stamp_login, dispatch_uid="telework.login.stamp_login")
user_logged_out.connect(_end_on_logout, dispatch_uid="telework.login.end_on_logout")


# --------------------------------------------------------------------------------------------------------
# The policy for every other login (telework.backends.PolicyBackend and these receivers)
# --------------------------------------------------------------------------------------------------------

_in_gateway: ContextVar[bool] = ContextVar("telework_in_gateway", default=False)
_logged: ContextVar[bool] = ContextVar("telework_attempt_logged", default=False)


@contextmanager
def gateway_step() -> Iterator[None]:
    """The gateway's own password check or login: it applies and logs the policy itself."""
    token = _in_gateway.set(True)
    try:
        yield
    finally:
        _in_gateway.reset(token)


def client_of(request: Any) -> tuple[str, str | None] | None:
    """(zone, ip) of a client's request; None for a login made in code (no request, or one that did not come
    through the portal's middleware: the test client's force_login, a management command)."""
    context = getattr(request, "access", None)
    if context is None:
        return None
    return context.zone, _ip(client_ip(request))


def policy_refuses_locked(*, request: Any, username: str) -> bool:
    """PolicyBackend, before a password is checked outside the gateway: a locked account or address is refused
    (and logged as such)."""
    client = client_of(request)
    if _in_gateway.get() or client is None or not username:
        return False
    zone, ip = client
    locked = _locked_reason(username=username, ip=ip, zone=zone, at=now())
    if not locked:
        return False
    known = _account(username)
    attempt_record(
        user=known, username=username, ip=ip, zone=zone, factor=Factor.PASSWORD, outcome=Outcome.LOCKED, reason=locked
    )
    _logged.set(True)
    return True


def _count_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """user_login_failed outside the gateway: the wrong password counts toward the lockout like the gateway's."""
    if _logged.get():
        _logged.set(False)
        return
    client = client_of(request)
    if _in_gateway.get() or client is None:
        return
    zone, ip = client
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    known = _account(username)
    attempt_record(
        user=known,
        username=username,
        ip=ip,
        zone=zone,
        factor=Factor.PASSWORD,
        outcome=Outcome.FAILURE,
        reason=_failure_reason(known),
    )


def _police_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """user_logged_in outside the gateway: only what the gateway would allow with a password alone — at the office,
    not locked, and for someone not bound to the second factor there. Anything else is undone (403) and logged."""
    client = client_of(request)
    if _in_gateway.get() or client is None:
        return
    zone, ip = client
    username = user.get_username()
    locked = _locked_reason(username=username, ip=ip, zone=zone, at=now())
    refused = locked or (REASON_OUTSIDE_GATEWAY if needs_second_factor(user=user, zone=zone) else "")
    outcome = Outcome.LOCKED if locked else (Outcome.FAILURE if refused else Outcome.SUCCESS)
    attempt_record(
        user=user, username=username, ip=ip, zone=zone, factor=Factor.PASSWORD, outcome=outcome, reason=refused
    )
    if refused:
        request.session.flush()
        request.user = AnonymousUser()
        raise PermissionDenied(refused)
    request.session[ASSURANCE_SESSION_KEY] = access.PASSWORD


user_login_failed.connect(_count_failure, dispatch_uid="telework.login.count_failure")
user_logged_in.connect(_police_login, dispatch_uid="telework.login.police_login")


# --------------------------------------------------------------------------------------------------------
# Office step-up before sensitive actions
# --------------------------------------------------------------------------------------------------------


def needs_step_up(request: HttpRequest) -> bool:
    """An office session proven by password only, of a user with an authenticator, when the setting asks for
    OTP before sensitive actions. (Remote sessions are OTP-assured or refused everything already; a user with
    no authenticator cannot step up and keeps the password assurance.)"""
    from telework import otp

    ctx = getattr(request, "access", None)
    if not settings.TELEWORK_OTP_FOR_SENSITIVE or ctx is None or ctx.zone != access.OFFICE:
        return False
    if ctx.assurance == access.OTP or not request.user.is_authenticated:
        return False
    return otp.has_device(request.user)


def step_up_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("telework:step_up") + "?" + urlencode({"next": request.get_full_path()}))


def require_otp_assurance(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator: an office session with password assurance steps up to OTP first (see needs_step_up)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if needs_step_up(request):
            return step_up_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


def is_sensitive_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.TELEWORK_SENSITIVE_PATHS)


def assurance_raise(*, session: Any) -> None:
    session[ASSURANCE_SESSION_KEY] = access.OTP


# --------------------------------------------------------------------------------------------------------
# Reads for the pages
# --------------------------------------------------------------------------------------------------------


def remote_sessions_for(*, user: Any, ctx: access.AccessContext, staff_number: str = "") -> QuerySet[RemoteSession]:
    """Remote sessions the user may see (their own; HR everyone's), optionally of one employee number."""
    rows = access.visible(user, "view", RemoteSession.objects.all(), ctx)
    if staff_number:
        rows = rows.filter(user__staff__employee_number=staff_number)
    return rows.select_related("user__staff").order_by("-started_at", "-pk")


def may_see_all_sessions(*, user: Any, ctx: access.AccessContext) -> bool:
    p = access.principal(user, ctx)
    return p.is_superuser or access.Role.HR in p.roles


def login_attempts_for(
    *, user: Any, ctx: access.AccessContext, username: str = "", outcome: str = "", day: Any = None
) -> QuerySet[LoginAttempt]:
    """The login audit log (情報政策): refused with the reason for anyone else."""
    access.require(user, "view", LoginAttempt, ctx)
    rows = access.visible(user, "view", LoginAttempt.objects.all(), ctx)
    if username:
        rows = rows.filter(Q(username=username) | Q(user__username=username))
    if outcome:
        rows = rows.filter(outcome=outcome)
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        rows = rows.filter(at__gte=start, at__lt=start + timedelta(days=1))
    return rows.order_by("-at", "-pk")
