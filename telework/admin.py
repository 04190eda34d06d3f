"""The login administration in the Django admin, for 情報政策 from the office (like the org admin):

- login attempts: the audit log, read-only;
- lockouts: read-only, with the action "release" (telework.login.lockout_release, audited in PersonnelAudit);
- authenticators: read-only, with the action "reset" (telework.login.totp_reset -> otp.device_reset), which asks
  for a reason on an intermediate page.

Every permission answer comes from personnel/access.py (telework/policies.py); nothing is added, changed or
deleted through the admin's forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from personnel import access
from telework import login
from telework.models import Lockout, LoginAttempt, TOTPDevice


def login_admin_check(user: Any, ctx: access.AccessContext) -> access.Decision:
    """May `user` use the login administration? 情報政策, office only."""
    if ctx.zone != access.OFFICE:
        return access.Decision(False, access.REASON_OFFICE_ONLY)
    return access.check(user, "view", Lockout, ctx)


class LoginAdmin(admin.ModelAdmin):
    """Read-only; the permission model answers every hook. `policy_model` is the model whose policy decides."""

    policy_model: type[Model] = Lockout

    def _allowed(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(login_admin_check(request.user, request.access)) and access.can(
            request.user, "view", obj if obj is not None and type(obj) is self.policy_model else self.policy_model,
            request.access,
        )  # fmt: skip

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        login_admin_check(request.user, request.access).raise_if_denied()
        return super().changelist_view(request, extra_context)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(LoginAdmin):
    policy_model = LoginAttempt
    list_display = ["at", "username", "user", "ip", "zone", "factor", "outcome", "reason"]
    list_filter = ["outcome", "factor", "zone"]
    search_fields = ["username", "ip", "reason"]
    date_hierarchy = "at"
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return access.visible(request.user, "view", super().get_queryset(request), request.access)


@admin.register(Lockout)
class LockoutAdmin(LoginAdmin):
    policy_model = Lockout
    list_display = ["scope", "key", "started_at", "until", "released_at", "released_by"]
    list_filter = ["scope"]
    search_fields = ["key"]
    actions = ["release"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return access.visible(request.user, "view", super().get_queryset(request), request.access)

    def has_release_permission(self, request: HttpRequest) -> bool:
        return bool(login_admin_check(request.user, request.access)) and access.can(
            request.user, "release", Lockout, request.access
        )

    @admin.action(description=_("Release the selected lockouts"), permissions=["release"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> None:
        released = 0
        for lockout in queryset:
            if lockout.released_at is None:
                login.lockout_release(lockout=lockout, actor=request.user, ctx=request.access)
                released += 1
        self.message_user(request, gettext("%(count)d lockouts released.") % {"count": released}, messages.SUCCESS)


class ResetReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reset"), max_length=200, help_text=_("For example: lost phone, reported by phone.")
    )


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(LoginAdmin):
    policy_model = Lockout  # who may reset authenticators is who may release lockouts (情報政策)
    list_display = ["user", "name", "created_at", "confirmed_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    fields = ["user", "name", "created_at", "confirmed_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset"]

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return bool(login_admin_check(request.user, request.access)) and access.can(
            request.user, "release", Lockout, request.access
        )

    @admin.action(description=_("Reset the authenticator of the selected users"), permissions=["reset"])
    def reset(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = ResetReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            users = {device.user_id: device.user for device in queryset.select_related("user")}
            for user in users.values():
                login.totp_reset(user=user, actor=request.user, ctx=request.access, reason=form.cleaned_data["reason"])
            self.message_user(
                request, gettext("%(count)d authenticators reset.") % {"count": len(users)}, messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reset authenticators"),
            "form": form,
            "queryset": queryset.select_related("user"),
            "action": "reset",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "telework/login_admin_reset.html", context)
