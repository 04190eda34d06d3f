"""Authenticator pages: register an authenticator app (QR code, then a code to confirm), my authenticators,
new recovery codes and removing an authenticator — the last two after re-authentication (password + current code,
valid 5 minutes). The rules are in telework/otp.py; these views parse input, call it and render.

Every page here is refused remotely unless the session already proved a second factor (otp.enrolment_refusal):
otherwise a stolen password alone could register a new authenticator from outside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from personnel import access
from personnel.shell import PortalForm, safe_next
from telework import otp

PENDING_KEY = "telework_enrol_device"  # the pk of the authenticator being registered


class DeviceNameForm(PortalForm):
    name = forms.CharField(
        label=gettext_lazy("Name of the authenticator"),
        max_length=64,
        help_text=gettext_lazy("To tell your authenticators apart, e.g. the phone it is on."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ConfirmForm(PortalForm):
    code = forms.CharField(
        label=gettext_lazy("Code shown in the app (6 digits)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ReauthForm(PortalForm):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code shown in your authenticator app (6 digits), or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    return image.to_string(encoding="unicode")


def _enrolment_gate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and in a context that may manage authenticators; else a page that says why (403)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reason = otp.enrolment_refusal(request.access)
        if reason is not None:
            return render(request, "telework/enrol_refused.html", {"reason": reason}, status=403)
        return view(request, *args, **kwargs)

    return login_required(never_cache(wrapped))


def _reauth_redirect(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(f"{reverse('telework:reauth')}?{urlencode({'next': request.get_full_path()})}")


def _enrol_page(
    request: HttpRequest,
    *,
    name_form: DeviceNameForm | None = None,
    confirm_form: ConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pending = otp.device_pending_get(user=request.user, pk=request.session.get(PENDING_KEY))
    context: dict[str, Any] = {
        "devices": list(otp.devices_for(request.user)),
        "codes_left": otp.recovery_codes_left(request.user),
        "pending": pending,
        "name_form": name_form or DeviceNameForm(),
    }
    if pending is not None:
        secret = otp.device_secret(pending)
        context.update(
            qr_svg=mark_safe(_qr_svg(otp.provisioning_uri(user=request.user, secret=secret))),  # noqa: S308 - qrcode's own SVG
            secret=otp.secret_grouped(secret),
            confirm_form=confirm_form or ConfirmForm(),
        )
    return render(request, "telework/enrol.html", context, status=status)


@_enrolment_gate
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _enrol_page(request)
    action = request.POST.get("action")
    if (
        action in ("start", "confirm")
        and otp.has_device(request.user)
        and not otp.recently_reauthenticated(request.session)
    ):
        # Another authenticator needs the first one (or a recovery code), as removing one does: the password
        # alone must not be enough to add a phone that then logs in from home.
        return _reauth_redirect(request)
    if action == "start":
        form = DeviceNameForm(request.POST)
        if form.is_valid():
            try:
                device, _secret, _uri = otp.device_start(user=request.user, name=form.cleaned_data["name"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[PENDING_KEY] = device.pk
                return redirect("telework:enrol")
        return _enrol_page(request, name_form=form, status=400)
    pending = otp.device_pending_get(user=request.user, pk=request.session.get(PENDING_KEY))
    if action == "cancel":
        if pending is not None:
            otp.device_cancel(device=pending)
        request.session.pop(PENDING_KEY, None)
        return redirect("telework:enrol")
    if action == "confirm" and pending is not None:
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                codes = otp.device_confirm(device=pending, code=form.cleaned_data["code"], ctx=request.access)
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                request.session.pop(PENDING_KEY, None)
                context = {"device": pending, "codes": codes}
                return render(request, "telework/enrol_done.html", context)
        return _enrol_page(request, confirm_form=form, status=400)
    messages.warning(request, _("That registration is no longer open. Please start again."))
    return redirect("telework:enrol")


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    return safe_next(request, candidate, reverse("telework:enrol"))


@_enrolment_gate
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if not otp.has_device(request.user):
        messages.warning(request, _("Register an authenticator first."))
        return redirect("telework:enrol")
    form = ReauthForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = otp.reauthenticate(
                session=request.session,
                user=request.user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
            if result is otp.VerifyResult.OK:
                return redirect(next_url)
            if result is otp.VerifyResult.THROTTLED:
                form.add_error(None, _("Too many tries. Wait a moment, then enter the code shown now."))
            else:
                form.add_error(
                    None, _("The password or the code was not accepted. Each code works once: wait for the next.")
                )
    context = {"form": form, "next": next_url}
    return render(request, "telework/reauth.html", context, status=status)


@_enrolment_gate
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not otp.has_device(request.user):
        messages.warning(request, _("Register an authenticator first."))
        return redirect("telework:enrol")
    if not otp.recently_reauthenticated(request.session):
        return _reauth_redirect(request)
    if request.method == "POST":
        codes = otp.recovery_codes_generate(user=request.user, ctx=request.access)
        return render(request, "telework/recovery_codes.html", {"codes": codes})
    context = {"codes_left": otp.recovery_codes_left(request.user)}
    return render(request, "telework/recovery_codes.html", context)


@_enrolment_gate
@require_http_methods(["GET", "POST"])
def device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    device = otp.device_get_for_user(user=request.user, pk=pk)
    if device is None:
        messages.warning(request, _("That authenticator is not (or no longer) registered."))
        return redirect("telework:enrol")
    if not otp.recently_reauthenticated(request.session):
        return _reauth_redirect(request)
    if request.method == "POST":
        otp.device_remove(device=device, actor=request.user, ctx=request.access)
        messages.success(request, _("The authenticator %(name)s was removed.") % {"name": device.name})
        return redirect("telework:enrol")
    is_last = otp.devices_for(request.user).count() == 1
    return render(request, "telework/enrol_remove.html", {"device": device, "is_last": is_last})


urlpatterns = [
    path("authenticator/", enrol, name="enrol"),
    path("authenticator/confirm-identity/", reauth, name="reauth"),
    path("authenticator/recovery-codes/", recovery_codes, name="recovery_codes"),
    path("authenticator/<int:pk>/remove/", device_remove, name="device_remove"),
]


def my_page_card(request: HttpRequest) -> dict:
    """The telework card of my page (personnel.shell panel): enrolment, sessions, and the logs for 情報政策."""
    me = access.principal(request.user, request.access)
    return {"is_it_admin": access.Role.IT in me.roles}
