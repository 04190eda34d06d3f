"""The leave (休暇) pages: my leave (balance, limits and requests) and the request form, which shows the
balance and the route before filing, checks a request on demand (確認) and files it through leave_services.

Access is decided in personnel/access.py: filing is the applicant's own act on an approvals document, so both
pages ask for "file" on Document — a remote session without OTP or a member without a current post gets the
403 page with the reason. A refused request re-renders the form with what was typed and the reason (400);
nothing is filed then.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from approvals.models import Document
from approvals.services import ActionRefused
from leave import selectors as leave_selectors
from leave import services as leave_services
from leave.forms import LeaveRequestForm
from leave.models import LeaveType
from leave.selectors import LeaveCheck, LeaveFilingPage
from personnel import access, org
from personnel.shell import service_error


def _gate(request: HttpRequest) -> None:
    access.require(request.user, "file", Document, request.access)


def _no_staff() -> access.AccessDenied:
    return access.AccessDenied(_("Only staff members can apply for leave."))


@login_required
@require_GET
def leave(request: HttpRequest) -> HttpResponse:
    _gate(request)
    page = leave_selectors.leave_page(user=request.user, ctx=request.access)
    if page is None:
        raise _no_staff()
    summary = page.summary
    limits = [{"label": LeaveType(t).label, "usage": usage} for t, usage in summary.limits.items()]
    context = {"page": page, "summary": summary, "limits": limits}
    return render(request, "leave/list.html", context)


def _form_page(
    request: HttpRequest,
    form: LeaveRequestForm,
    page: LeaveFilingPage,
    *,
    check: LeaveCheck | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "page": page,
        "summary": page.summary,
        "check": check,
        # A file input cannot be filled in again by the server: say so when a posted form comes back.
        "files_dropped": bool(request.FILES),
    }
    return render(request, "leave/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def leave_new(request: HttpRequest) -> HttpResponse:
    _gate(request)
    today = request.access.today
    if request.method == "GET":
        form = LeaveRequestForm(initial={"start_date": today})
    else:
        form = LeaveRequestForm(request.POST, request.FILES)
    valid = request.method == "POST" and form.is_valid()
    page = leave_selectors.leave_filing_page(user=request.user, ctx=request.access, year=form.year(today.year))
    if page is None:
        raise _no_staff()
    if request.method == "GET":
        return _form_page(request, form, page)
    if not valid:
        return _form_page(request, form, page, status=400)

    if "file" not in request.POST:  # the 確認 button (or Enter in a field): check only, file nothing
        try:
            check = leave_selectors.leave_check(staff=page.staff, summary=page.summary, **form.leave_fields())
        except ValidationError as exc:
            service_error(form, exc)
            return _form_page(request, form, page, status=400)
        return _form_page(request, form, page, check=check)

    try:
        document = leave_services.leave_request_file(
            actor=request.user,
            ctx=request.access,
            **form.leave_fields(),
            reason=form.cleaned_data["reason"],
            attachments=form.cleaned_data["attachments"],
        )
    except (ValidationError, ActionRefused, access.AccessDenied) as exc:  # RouteError is a ValidationError
        service_error(form, exc)
        return _form_page(request, form, page, status=400)
    messages.success(request, _("Your leave request has been filed."))
    return redirect("approvals:document", pk=document.pk)


def my_page_card(request: HttpRequest) -> dict | None:
    """The leave card of my page (personnel.shell panel): this year's annual leave still available, pending
    requests counted. Only for staff on duty."""
    if not access.principal(request.user, request.access).on_duty:
        return None
    staff = org.staff_for_user(user=request.user)
    year = request.access.today.year
    return {"year": year, "available": leave_services.leave_summary(staff=staff, year=year).available}
