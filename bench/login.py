#!/usr/bin/env python
"""Benchmark of the login: password-only (office) vs password + TOTP (remote) logins per second, same run.

    DEBUG=1 .venv/bin/python bench/login.py                   # SQLite, in its own file var/bench/db.sqlite3
    DEBUG=1 DATABASE_URL=postgres://user:pass@127.0.0.1:5432/kessai_bench .venv/bin/python bench/login.py

It WRITES to the database it uses (login attempts, remote sessions, one bench user with an authenticator). With
DATABASE_URL set, that is the configured database, so point it at a scratch one. Without DATABASE_URL it uses
a SQLite file of its own, var/bench/db.sqlite3, and leaves the development database alone.

Each login goes through the real views with django.test.Client: POST /login/ (and, for the remote run, POST
/login/otp/ with the current code from pyotp, from a home address in REMOTE_ADDR), then GET of my page to prove
the session works, then POST /logout/. Passwords are hashed by the configured PASSWORD_HASHERS (the production
one, not the tests' MD5), which dominates the cost; the output names it. Each TOTP code is accepted once, so
the remote run moves the clock one 30-second step per login (timezone.now is patched for the bench only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

import _setup  # noqa: F401 - first: the settings and the database to write to (bench/_setup.py)
import pyotp
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils import timezone

from personnel.access import AccessContext
from telework import otp
from telework.models import Lockout, TOTPDevice

USERNAME = "bench-login"
PASSWORD = "bench-login-pass-2026"  # noqa: S105 - a throwaway account of the bench database
HOME = "203.0.113.77"  # TEST-NET-3: the remote zone


def ensure_user() -> tuple[object, str]:
    """The bench user, with a fresh confirmed authenticator; returns (user, secret)."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    TOTPDevice.objects.filter(user=user).delete()
    device, secret, _uri = otp.device_start(user=user, name="bench")
    otp.device_confirm(device=device, code=pyotp.TOTP(secret).now(), ctx=AccessContext.office())
    return user, secret


class Clock:
    """timezone.now moved forward one TOTP step per remote login, so each code is new (codes work once)."""

    def __init__(self) -> None:
        self.real = timezone.now
        self.offset = timedelta(0)

    def __call__(self):
        return self.real() + self.offset

    def step(self) -> None:
        self.offset += timedelta(seconds=30)


def office_login(client: Client) -> None:
    response = client.post(reverse("login"), {"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] != reverse("login_otp"), response.status_code
    assert client.get(reverse("telework:sessions")).status_code == 200
    client.post(reverse("logout"))


def remote_login(client: Client, secret: str, clock: Clock) -> None:
    clock.step()
    response = client.post(reverse("login"), {"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login_otp"), response.status_code
    code = pyotp.TOTP(secret).at(clock())
    response = client.post(reverse("login_otp"), {"code": code})
    assert response.status_code == 302, response.status_code
    assert client.get(reverse("telework:sessions")).status_code == 200
    client.post(reverse("logout"))


def run(logins: list, repeat: int) -> list[list[float]]:
    """Each kind of login in turn, `repeat` rounds after a warm-up round, so a busy machine slows all alike."""
    times: list[list[float]] = [[] for _login in logins]
    for n in range(repeat + 1):
        for kind, login in enumerate(logins):
            started = time.perf_counter()
            login()
            if n:  # the first round is a warm-up
                times[kind].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's template signals; ALLOWED_HOSTS gets "testserver"
    _user, secret = ensure_user()
    Lockout.objects.filter(key__in=[USERNAME, HOME, "127.0.0.1"]).delete()

    clock = Clock()
    timezone.now = clock  # the views and telework.otp read timezone.now at call time
    office = Client(REMOTE_ADDR="127.0.0.1")
    remote = Client(REMOTE_ADDR=HOME)
    office_times, remote_times = run(
        [lambda: office_login(office), lambda: remote_login(remote, secret, clock)], args.repeat
    )
    rows = [("password only (office)", office_times), ("password + TOTP (remote)", remote_times)]
    timezone.now = clock.real

    hasher = get_hasher()
    iterations = getattr(hasher, "iterations", None) or getattr(hasher, "time_cost", "")
    settings_db = connection.settings_dict
    where = settings_db["NAME"] if connection.vendor == "sqlite" else f"{settings_db['HOST']}/{settings_db['NAME']}"
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    print(
        f"\n{connection.vendor} ({where}); password hasher {hasher.algorithm} ({iterations} iterations); "
        f"{args.repeat} logins each, alternating, after a warm-up; a login = POST /login/ [+ POST /login/otp/] + "
        f"one page + logout, through django.test.Client; load average {load}\n"
    )
    header = f"{'login':<26} {'logins/s':>9} {'median ms':>10} {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for label, times in rows:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{label:<26} {len(times) / sum(times):>9.1f} {statistics.median(times) * 1000:>10.1f} {p95 * 1000:>8.1f}"
        )


if __name__ == "__main__":
    main()
