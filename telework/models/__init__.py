"""Telework gateway data: second factors, login attempts and lockouts, remote sessions, access refusals and
telework applications. Changed only by the services in telework/ (see each module)."""

from telework.models.applications import TeleworkApplication
from telework.models.logins import AccessRefusal, Lockout, LoginAttempt, RemoteSession
from telework.models.otp import RecoveryCode, TOTPDevice

__all__ = [
    "AccessRefusal",
    "Lockout",
    "LoginAttempt",
    "RecoveryCode",
    "RemoteSession",
    "TOTPDevice",
    "TeleworkApplication",
]
