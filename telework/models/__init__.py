"""Telework gateway data: second factors, login attempts and lockouts, remote sessions, access refusals.
Changed only by the services in telework/ (see each module)."""

from telework.models.logins import AccessRefusal, Lockout, LoginAttempt, RemoteSession
from telework.models.otp import RecoveryCode, TOTPDevice

__all__ = [
    "AccessRefusal",
    "Lockout",
    "LoginAttempt",
    "RecoveryCode",
    "RemoteSession",
    "TOTPDevice",
]
