"""The 総務ワークステーション pages: my payroll inputs and overtime (every staff member), the 庶務センター's work
list with its check, return (返戻), month close and exports, and HR's doctor's-interview list. Access is decided in
personnel/access.py; filing is the engine's generic page (/approvals/new/<type>/)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals import services as approval_services
from approvals.models import Document
from payroll import forms, selectors, services
from payroll.doctypes import TYPES
from payroll.models import InputState, OvertimeMonth, PayrollInput
from personnel import access, org


def _staff(request: HttpRequest):
    access.require(request.user, "file", Document, request.access)
    staff = org.staff_for_user(user=request.user)
    if staff is None:
        raise access.AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    return staff


def _month(value: str | None, default: date) -> date:
    field = forms.MonthField(required=False)
    try:
        month = field.clean(value) if value else None
    except ValidationError:
        month = None
    return month or default.replace(day=1)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """総務ワークステーション: what I can file, my inputs and where they stand, my overtime this month."""
    staff = _staff(request)
    month = _month(request.GET.get("month"), request.access.today)
    page = Paginator(selectors.my_inputs(user=request.user, ctx=request.access), 20).get_page(request.GET.get("page"))
    overtime = selectors.my_overtime(staff=staff, month=month, ctx=request.access, user=request.user)
    context = {"types": TYPES, "page": page, "overtime": overtime, "month": month}
    return render(request, "payroll/home.html", context)


def my_page_card(request: HttpRequest) -> dict | None:
    if not access.principal(request.user, request.access).on_duty:
        return None
    staff = org.staff_for_user(user=request.user)
    month = request.access.today.replace(day=1)
    ledger = OvertimeMonth.objects.filter(staff=staff, month=month).first()
    return {"month": month, "minutes": ledger.total_minutes if ledger else 0}


# --------------------------------------------------------------------------------------------------------
# 庶務センター
# --------------------------------------------------------------------------------------------------------


def _centre(request: HttpRequest) -> None:
    access.require(request.user, "process", PayrollInput, request.access)


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    _centre(request)
    form = forms.WorklistFilter(request.GET or None)
    form.fields["kind"].choices = [("", _("All types")), *selectors.type_choices()]
    form.fields["unit"].choices = [("", _("All units")), *org.unit_choices()]
    form.fields["state"].choices = [("", _("Any state")), *InputState.choices]
    data = form.cleaned_data if form.is_valid() else {}
    month = data.get("month") or request.access.today.replace(day=1)
    # Decided inputs waiting for their check, unless the filter asks for another state (or any, with "").
    state = data.get("state", "") if "state" in request.GET else InputState.DECIDED
    rows = selectors.worklist(
        user=request.user,
        ctx=request.access,
        month=month,
        kind=data.get("kind", ""),
        unit_id=data.get("unit"),
        state=state,
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "month": month,
        "month_row": selectors.month_row(month),
        "reason_form": forms.ReasonForm(),
        "types": TYPES,
    }
    return render(request, "payroll/worklist.html", context)


def _back(request: HttpRequest, month: date) -> HttpResponse:
    return redirect(f"{reverse('payroll:worklist')}?month={month:%Y-%m}")


@login_required
@require_POST
def input_check(request: HttpRequest, pk: int) -> HttpResponse:
    _centre(request)
    row = get_object_or_404(access.visible(request.user, "process", PayrollInput.objects.all(), request.access), pk=pk)
    try:
        services.input_check(payroll_input=row, actor=request.user, ctx=request.access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Checked: %(title)s") % {"title": row.document.title})
    return _back(request, row.month)


@login_required
@require_POST
def input_return(request: HttpRequest, pk: int) -> HttpResponse:
    _centre(request)
    row = get_object_or_404(access.visible(request.user, "process", PayrollInput.objects.all(), request.access), pk=pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please write why the input is returned."))
        return _back(request, row.month)
    try:
        approval_services.document_return(
            document=row.document, actor=request.user, ctx=request.access, reason=form.cleaned_data["reason"]
        )
    except approval_services.ActionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Returned to the applicant: %(title)s") % {"title": row.document.title})
    return _back(request, row.month)


@login_required
@require_POST
def month_close(request: HttpRequest) -> HttpResponse:
    month = _month(request.POST.get("month"), request.access.today)
    try:
        services.month_close(month=month, actor=request.user, ctx=request.access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(month)s is closed (締め).") % {"month": services.month_label(month)})
    return _back(request, month)


@login_required
@require_POST
def month_reopen(request: HttpRequest) -> HttpResponse:
    month = _month(request.POST.get("month"), request.access.today)
    try:
        services.month_reopen(
            month=month, actor=request.user, ctx=request.access, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(month)s is open again.") % {"month": services.month_label(month)})
    return _back(request, month)


@login_required
@require_GET
def interviews(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "interviews", OvertimeMonth, request.access)
    month = _month(request.GET.get("month"), request.access.today)
    rows = selectors.interviews(user=request.user, ctx=request.access, month=month)
    return render(request, "payroll/interviews.html", {"rows": rows, "month": month})
