"""Helpers for tests that drive the pages through Django's test client."""

from __future__ import annotations

from django.test import Client

from personnel import access
from personnel.middleware import ASSURANCE_SESSION_KEY

REMOTE_ADDR = "203.0.113.5"  # TEST-NET-3: outside OFFICE_NETWORKS, so the remote (telework) zone


def log_in(client: Client, user, *, remote: bool = False, otp: bool = False) -> Client:
    """Log `user` in; `remote` sends every request from a home address, `otp` marks the second factor done."""
    client.force_login(user)
    if otp:
        session = client.session
        session[ASSURANCE_SESSION_KEY] = access.OTP
        session.save()
    if remote:
        client.defaults["REMOTE_ADDR"] = REMOTE_ADDR
    return client


def make_hr_staff(staff) -> None:
    """HR accounts carry is_staff, which Django's admin requires (the demo seed sets it the same way)."""
    staff.user.is_staff = True
    staff.user.save(update_fields=["is_staff"])


def page_text(response) -> str:
    return response.content.decode()
