"""Telework application pages (在宅勤務申請): my applications (status and 決裁番号) and the form, which shows the
route the application will take before it is filed and files it through telework_applications/services.py.

Filing is the applicant's own act on an approvals document, so both pages ask for "file" on Document: a remote
session without OTP or a member without a current post gets the 403 page with the reason. A refused application
re-renders the form with what was typed and the reason (400); nothing is filed then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from approvals.models import Document, DocumentType
from approvals.routing import RouteError
from approvals.services import ActionRefused, route_preview
from personnel import access
from personnel.shell import DateInput, PortalForm, service_error
from telework_applications import services as applications


class TeleworkApplicationForm(PortalForm):
    """Parses input only: what an application may be is judged by telework/applications.py."""

    start_date = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())
    place = forms.CharField(
        label=gettext_lazy("Place of work"),
        max_length=applications.PLACE_MAX_LENGTH,
        help_text=gettext_lazy("For example: home (the address registered with HR)."),
    )
    tasks = forms.CharField(
        label=gettext_lazy("Tasks"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What you will work on during these days."),
    )

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("start_date", "end_date", "tasks", "place")}


def _gate(request: HttpRequest) -> None:
    access.require(request.user, "file", Document, request.access)


@login_required
@require_GET
def applications_page(request: HttpRequest) -> HttpResponse:
    _gate(request)
    rows = applications.telework_applications_mine(user=request.user, ctx=request.access)
    return render(request, "telework_applications/list.html", {"rows": rows})


def _form_page(request: HttpRequest, form: TeleworkApplicationForm, *, status: int = 200) -> HttpResponse:
    route, route_error = (), ""
    try:
        route = route_preview(user=request.user, ctx=request.access, doc_type=DocumentType.TELEWORK).steps
    except (RouteError, access.AccessDenied) as exc:
        route_error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    context = {"form": form, "route": route, "route_error": route_error}
    return render(request, "telework_applications/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    _gate(request)
    if request.method == "GET":
        today: date = request.access.today
        return _form_page(request, TeleworkApplicationForm(initial={"start_date": today, "end_date": today}))
    form = TeleworkApplicationForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        document = applications.telework_application_file(
            actor=request.user, ctx=request.access, **form.fields_for_service()
        )
    except (ValidationError, ActionRefused, access.AccessDenied) as exc:  # RouteError is a ValidationError
        service_error(form, exc)
        return _form_page(request, form, status=400)
    messages.success(request, _("Your telework application has been filed."))
    return redirect("approvals:document", pk=document.pk)


def my_page_card(request: HttpRequest) -> dict | None:
    """My page's telework-application card (personnel.shell panel), for staff on duty."""
    return {} if access.principal(request.user, request.access).on_duty else None
