"""Lockout per account and per address after N failures in a window; lifting by itself and by an audited
admin release; a locked account answers like a wrong password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from personnel import access
from personnel.models import PersonnelAudit
from telework import login, otp
from telework.models import Lockout, LoginAttempt, TOTPDevice
from telework.models.logins import Factor, LockScope, Outcome
from tests.telework.login_helpers import (
    GENERIC_LOGIN_ERROR,
    code_step,
    enrol,
    next_code,
    password_step,
    remote_client,
    wrong_codes,
)
from tests.webtools import REMOTE_ADDR, log_in, page_text


@pytest.fixture
def small_limits(settings):
    settings.TELEWORK_LOCKOUT_THRESHOLD = 3
    settings.TELEWORK_LOCKOUT_WINDOW = 600
    settings.TELEWORK_LOCKOUT_DURATION = 900


def fail(client, username: str, times: int, *, same_address: bool = False) -> None:
    """Wrong passwords, each from another office address unless `same_address` (so only the account locks)."""
    for n in range(times):
        extra = {} if same_address else {"REMOTE_ADDR": f"127.0.0.{10 + n}"}
        password_step(client, username, "wrong-password-1", **extra)


def test_it_locks_an_account_after_the_threshold_and_refuses_the_right_password_alike(city, client, small_limits):
    fail(client, "100001", 3)
    lock = Lockout.objects.get(scope=LockScope.USER)
    assert lock.key == "100001"
    response = password_step(client, "100001")
    assert response.status_code == 200 and GENERIC_LOGIN_ERROR in page_text(response)
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.latest("pk").outcome == Outcome.LOCKED
    assert LoginAttempt.objects.latest("pk").reason == login.REASON_USER_LOCKED


def test_it_does_not_lock_below_the_threshold(city, client, small_limits):
    fail(client, "100001", 2)
    assert not Lockout.objects.exists()
    assert password_step(client, "100001").status_code == 302


def test_it_locks_an_address_after_failures_on_several_accounts(city, small_limits):
    client = remote_client()
    for username in ("100001", "100002", "999999"):
        fail(client, username, 1, same_address=True)
    assert Lockout.objects.get(scope=LockScope.IP).key == REMOTE_ADDR
    enrol(city.chief.user)
    assert password_step(client, "100003").status_code == 200  # refused, though the password is right
    assert LoginAttempt.objects.latest("pk").reason == login.REASON_IP_LOCKED


def test_it_counts_wrong_codes_toward_the_lockout(city, small_limits, clock):
    secret = enrol(city.applicant.user)
    client = remote_client()
    password_step(client, "100001")
    for code, wait in zip(wrong_codes(secret)[:3], (1, 2, 4), strict=True):
        code_step(client, code)
        clock.shift(timedelta(seconds=wait))  # the device's wait after the n-th wrong code: wrong, not throttled
    assert list(LoginAttempt.objects.filter(factor=Factor.TOTP).values_list("reason", flat=True)) == ["wrong code"] * 3
    assert Lockout.objects.filter(scope=LockScope.USER, key="100001 @remote").exists()  # the remote route's lock
    assert code_step(client, next_code(secret)).status_code == 400  # the right code is refused while locked
    assert LoginAttempt.objects.latest("pk").outcome == Outcome.LOCKED


def test_it_forgets_failures_outside_the_window(city, client, small_limits, clock):
    fail(client, "100001", 2)
    clock.shift(timedelta(seconds=601))
    fail(client, "100001", 1)
    assert not Lockout.objects.exists()


def test_it_lifts_the_lockout_by_itself_after_the_duration(city, client, small_limits, clock):
    fail(client, "100001", 3)
    clock.shift(timedelta(seconds=901))
    response = password_step(client, "100001")
    assert response.status_code == 302
    fail(client, "100001", 1)  # the count starts afresh after a lockout: one more failure does not lock again
    assert Lockout.objects.count() == 1


def test_an_it_administrator_releases_a_lockout_and_it_is_audited(city, client, small_limits):
    fail(client, "100001", 3)
    admin_user = city.payroll_chief.user
    admin_user.groups.add(Group.objects.get(name=access.Role.IT))
    lock = Lockout.objects.get()
    released = login.lockout_release(lockout=lock, actor=admin_user, ctx=access.AccessContext.office())
    assert released.released_by_id == admin_user.pk and released.released_at is not None
    entry = PersonnelAudit.objects.get(action="telework.lockout_release")
    assert entry.actor_id == admin_user.pk and entry.detail["key"] == "100001"
    assert password_step(client, "100001").status_code == 302


def test_the_admin_action_releases_the_selected_lockouts(city, small_limits, client):
    fail(remote_client(), "100001", 3, same_address=True)
    admin_user = city.payroll_chief.user
    admin_user.groups.add(Group.objects.get(name=access.Role.IT))
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    log_in(client, admin_user)
    lock = Lockout.objects.get(scope=LockScope.USER)
    url = reverse("admin:telework_lockout_changelist")
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "release", "_selected_action": [lock.pk]})
    assert response.status_code == 302
    lock.refresh_from_db()
    assert lock.released_by_id == admin_user.pk
    assert PersonnelAudit.objects.filter(action="telework.lockout_release", actor=admin_user).count() == 1


def test_it_refuses_the_release_to_anyone_but_it(city, small_limits, client):
    fail(client, "100001", 3)
    with pytest.raises(access.AccessDenied):
        login.lockout_release(
            lockout=Lockout.objects.get(), actor=city.hr_clerk.user, ctx=access.AccessContext.office()
        )


def test_it_refuses_the_release_remotely(city, small_limits, client):
    fail(client, "100001", 3)
    admin_user = city.payroll_chief.user
    admin_user.groups.add(Group.objects.get(name=access.Role.IT))
    with pytest.raises(access.AccessDenied):
        login.lockout_release(lockout=Lockout.objects.get(), actor=admin_user, ctx=access.AccessContext.remote())


def test_the_admin_resets_an_authenticator_with_a_reason(city, client):
    user = city.applicant.user
    enrol(user)
    device = TOTPDevice.objects.get(user=user)
    admin_user = city.payroll_chief.user
    admin_user.groups.add(Group.objects.get(name=access.Role.IT))
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    log_in(client, admin_user)
    url = reverse("admin:telework_totpdevice_changelist")
    asked = client.post(url, {"action": "reset", "_selected_action": [device.pk]})
    assert asked.status_code == 200 and "reason" in page_text(asked)
    assert otp.has_device(user) and otp.recovery_codes_left(user) == 10  # nothing happens before the reason
    done = client.post(url, {"action": "reset", "_selected_action": [device.pk], "reason": "lost phone"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists() and not otp.has_device(user)
    assert otp.recovery_codes_left(user) == 0
    entry = PersonnelAudit.objects.get(action="telework.totp_reset")
    assert (entry.actor_id, entry.on_behalf_of_id) == (admin_user.pk, user.pk)
    assert entry.detail["reason"] == "lost phone" and entry.detail["user"] == user.get_username()


def test_failures_from_home_do_not_lock_the_office_login(city, client, small_limits):
    """Attack: login names are employee numbers; wrong passwords from the internet locked the account at the office
    too, keeping its owner from their work. They now lock the remote route only."""
    secret = enrol(city.applicant.user)
    home = remote_client()
    for n in range(3):
        password_step(home, "100001", "wrong-password-1", REMOTE_ADDR=f"203.0.113.{10 + n}")
    assert password_step(client, "100001").status_code == 302  # at the office: logged in
    assert client.session["_auth_user_id"] == str(city.applicant.user.pk)
    again = remote_client()
    password_step(again, "100001", REMOTE_ADDR="203.0.113.99")  # from home the account stays locked
    assert LoginAttempt.objects.latest("pk").reason == login.REASON_USER_LOCKED
    code_step(again, next_code(secret))
    assert "_auth_user_id" not in again.session


def test_failures_at_the_office_still_lock_the_account_everywhere(city, client, small_limits):
    fail(client, "100001", 3)
    password_step(remote_client(), "100001", REMOTE_ADDR="203.0.113.99")
    assert LoginAttempt.objects.latest("pk").reason == login.REASON_USER_LOCKED


def test_ipv6_addresses_are_counted_per_64(city, small_limits):
    """Attack: an IPv6 host owns a /64 and changes address for every try; the address lockout counted each alone."""
    client = remote_client()
    for n, username in enumerate(("100001", "100002", "999999"), start=1):
        password_step(client, username, "wrong-password-1", REMOTE_ADDR=f"2001:db8:1:2::{n:x}")
    assert Lockout.objects.get(scope=LockScope.IP).key == "2001:db8:1:2::/64"
    password_step(client, "100003", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert LoginAttempt.objects.latest("pk").reason == login.REASON_IP_LOCKED
    password_step(client, "100003", "wrong-password-1", REMOTE_ADDR="2001:db8:1:3::1")  # another /64: not locked
    assert LoginAttempt.objects.latest("pk").reason == login.REASON_WRONG_PASSWORD
