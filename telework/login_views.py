"""Login pages: the password step (/login/), the second step (/login/otp/), the office step-up
(/telework/step-up/), my remote sessions (/telework/sessions/) and the login audit log (/telework/logins/).

The policy itself is in telework/login.py; these views parse input, call it and render. /login/ and /login/otp/
are routed in portal/urls.py (names "login" and "login_otp"); the others are this module's `urlpatterns`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from personnel import access
from personnel.middleware import ASSURANCE_SESSION_KEY, client_ip
from personnel.shell import safe_next
from telework import login
from telework.models.logins import Outcome

PAGE_SIZE = 50

MSG_BAD_CODE = gettext_lazy(
    "The code was not accepted. Enter the current code from your authenticator app (each code works once), "
    "or one of your recovery codes."
)
MSG_REMOTE_NEEDS_DEVICE = gettext_lazy(
    "Logging in from outside the city hall also needs an authenticator app, registered from a computer on the "
    "city hall network."
)
MSG_PENDING_EXPIRED = gettext_lazy("The login took too long. Please enter your login name and password again.")


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    return safe_next(request, candidate, reverse(settings.LOGIN_REDIRECT_URL))


def _logout_message(info: dict) -> str:
    from telework.middleware import ABSOLUTE, timeouts

    idle, absolute = timeouts(remote=bool(info.get("remote")))
    if info.get("reason") == ABSOLUTE:
        hours = absolute / 3600
        return _("You were logged out because sessions end %(hours)s hours after logging in. Please log in again.") % {
            "hours": f"{hours:g}"
        }
    return _("You were logged out after %(minutes)s minutes without activity.") % {"minutes": f"{idle / 60:g}"}


class LoginForm(AuthenticationForm):
    """Django's form and its one message for every refusal; the policy decides in login.password_check."""

    result: login.PasswordResult | None = None

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        if request is not None and request.access.zone == access.REMOTE:
            # From home the one refusal also names the other reason a login fails there, so that a right password
            # of an account without an authenticator is answered exactly like a wrong one (login.password_check).
            self.error_messages = {
                **self.error_messages,
                "invalid_login": format_lazy("{} {}", self.error_messages["invalid_login"], MSG_REMOTE_NEEDS_DEVICE),
            }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.result = login.password_check(
                request=self.request,
                username=username,
                password=password,
                ip=client_ip(self.request),
                zone=self.request.access.zone,
            )
            if self.result.next == login.Next.REFUSED:
                raise self.get_invalid_login_error()
            self.user_cache = self.result.user
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time password or recovery code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
    )


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    redirect_to = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(redirect_to)
    ended = request.session.pop(login.LOGOUT_REASON_KEY, None)
    if isinstance(ended, dict):
        messages.info(request, _logout_message(ended))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = form.result
        if result.next == login.Next.SECOND_FACTOR:
            login.pending_start(session=request.session, user=result.user, redirect_to=redirect_to)
            return redirect("login_otp")
        else:
            with login.gateway_step():
                auth_login(request, result.user)
            request.session[ASSURANCE_SESSION_KEY] = access.PASSWORD
            return redirect(redirect_to)
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "registration/login.html", context)


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_otp_view(request: HttpRequest) -> HttpResponse:
    pending = login.pending_get(session=request.session)
    user = None
    if pending is not None:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(login.PENDING_KEY, None)
        messages.info(request, MSG_PENDING_EXPIRED)
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        zone = request.access.zone
        ip = client_ip(request)
        if login.second_factor_check(user=user, code=form.cleaned_data["code"], ip=ip, zone=zone):
            request.session.pop(login.PENDING_KEY, None)
            with login.gateway_step():
                auth_login(request, user, backend=pending["backend"])
            login.assurance_raise(session=request.session)
            if zone == access.REMOTE:
                login.remote_session_start(request=request, user=user, ip=ip)
            return redirect(_safe_next(request, pending.get("next")))
        form.add_error(None, MSG_BAD_CODE)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "telework/login_otp.html", {"form": form}, status=status)


@login_required
@sensitive_post_parameters()
@never_cache
def step_up(request: HttpRequest) -> HttpResponse:
    """A session proves the second factor: at the office before a sensitive page, from home before anything."""
    redirect_to = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.access.assurance == access.OTP:
        return redirect(redirect_to)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip, zone = client_ip(request), request.access.zone
        if login.second_factor_check(user=request.user, code=form.cleaned_data["code"], ip=ip, zone=zone):
            login.assurance_raise(session=request.session)
            if zone == access.REMOTE and not request.session.get(login.REMOTE_KEY):
                # The factor proven from home makes this a remote session like a login from home does.
                login.remote_session_start(request=request, user=request.user, ip=ip)
            return redirect(redirect_to)
        form.add_error(None, MSG_BAD_CODE)
        status = 400
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "telework/login_step_up.html", context, status=status)


class SessionFilterForm(forms.Form):
    staff = forms.CharField(label=gettext_lazy("Employee number"), required=False, max_length=20)


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET)
    staff = form.cleaned_data["staff"].strip() if form.is_valid() else ""
    see_all = login.may_see_all_sessions(user=request.user, ctx=request.access)
    rows = login.remote_sessions_for(user=request.user, ctx=request.access, staff_number=staff if see_all else "")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"staff": staff}) if staff else ""
    context = {"page": page, "form": form, "see_all": see_all, "query": query}
    return render(request, "telework/sessions.html", context)


class LoginFilterForm(forms.Form):
    user = forms.CharField(label=gettext_lazy("Login name"), required=False, max_length=150)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False, choices=[("", gettext_lazy("All")), *Outcome.choices]
    )
    day = forms.DateField(label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
@require_GET
def logins(request: HttpRequest) -> HttpResponse:
    form = LoginFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    username = (data.get("user") or "").strip()
    outcome = data.get("outcome") or ""
    day: date | None = data.get("day")
    rows = login.login_attempts_for(user=request.user, ctx=request.access, username=username, outcome=outcome, day=day)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.reason_label = login.reason_label(row.reason) if row.reason else ""
    query = urlencode({k: v for k, v in (("user", username), ("outcome", outcome), ("day", day or "")) if v})
    return render(request, "telework/logins.html", {"page": page, "form": form, "query": query})


urlpatterns = [
    path("step-up/", step_up, name="step_up"),
    path("sessions/", sessions, name="sessions"),
    path("logins/", logins, name="logins"),
]
