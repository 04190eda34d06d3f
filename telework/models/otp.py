from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TOTPDevice(models.Model):
    """An authenticator app (RFC 6238 TOTP). The secret is stored encrypted (telework/otp.py).

    `last_step` is the last accepted 30-second time step: a code is accepted only for a later step, checked and
    advanced by one conditional UPDATE, so each code works once even across workers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_devices")
    name = models.CharField(_("name"), max_length=64)
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # Throttling: consecutive wrong codes and the earliest time the next try is looked at.
    failures = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="totpdevice_unique_name_per_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.name}"


class RecoveryCode(models.Model):
    """A single-use recovery code, stored as a keyed hash; the code itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} {'used' if self.used_at else 'unused'}"
