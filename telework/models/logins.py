from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Factor(models.TextChoices):
    PASSWORD = "password", _("Password")
    TOTP = "totp", _("One-time password (TOTP)")
    RECOVERY = "recovery", _("Recovery code")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    THROTTLED = "throttled", _("Too soon after a wrong code")
    LOCKED = "locked", _("Locked out")


class LoginAttempt(models.Model):
    """Every login attempt, kept: who (when known), when, from where, which factor and what came of it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("login name tried"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    zone = models.CharField(_("zone"), max_length=10)
    factor = models.CharField(_("factor"), max_length=10, choices=Factor.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["user", "at"], name="loginattempt_user_at_idx"),
            models.Index(fields=["ip", "at"], name="loginattempt_ip_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username or self.user_id} {self.factor} {self.outcome}"


class LockScope(models.TextChoices):
    USER = "user", _("Account")
    IP = "ip", _("IP address")


class Lockout(models.Model):
    """A lockout of one account or one IP address until `until`, or until released by an administrator."""

    scope = models.CharField(_("scope"), max_length=4, choices=LockScope.choices)
    key = models.CharField(_("account or address"), max_length=150)
    started_at = models.DateTimeField(_("from"))
    until = models.DateTimeField(_("until"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lockout")
        verbose_name_plural = _("lockouts")
        indexes = [models.Index(fields=["scope", "key", "until"], name="lockout_scope_key_until_idx")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class RemoteSession(models.Model):
    """A session opened from the remote zone (telework): start, end, address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remote_sessions")
    session_key_hash = models.CharField(max_length=64, db_index=True)
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("ended by"), max_length=20, blank=True)  # logout, idle, absolute
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("remote session")
        verbose_name_plural = _("remote sessions")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


class AccessRefusal(models.Model):
    """A request refused by the permission model from the remote zone (office-only data, OTP missing)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    zone = models.CharField(_("zone"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("access refusal")
        verbose_name_plural = _("access refusals")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.path}"
