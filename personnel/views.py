"""Pages of the portal shell: my page (with delegations), the staff directory and the org tree.

Each view parses input, calls one selector or service and renders. Access is decided in personnel/access.py:
a refusal raises access.AccessDenied, which the 403 page shows with its reason."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from personnel import absence, access, org, selectors, services
from personnel.forms import AbsenceForm, DelegationForm, DirectorySearchForm
from personnel.models import OrgUnit, Staff, UnitKind
from personnel.shell import panels_for, service_error

DIRECTORY_PAGE_SIZE = 50


def _my_page(
    request: HttpRequest,
    form: DelegationForm | None = None,
    status: int = 200,
    absence_form: AbsenceForm | None = None,
) -> HttpResponse:
    page = selectors.my_page(user=request.user, ctx=request.access)
    on_duty = bool(page.assignments)
    if form is None and on_duty:
        form = DelegationForm(initial={"start_date": request.access.today, "end_date": request.access.today})
    context = {
        "page": page,
        "today": request.access.today,
        "form": form if on_duty else None,
        "absence_today": absence.absence_on(staff=page.staff, day=request.access.today) if page.staff else None,
        "absence_form": absence_form or AbsenceForm(),
        "no_assignment_reason": access.REASON_NO_ASSIGNMENT,
        # Cards of the apps above this layer (leave, telework, ...), registered from their ready().
        "panels": panels_for("my_page", request),
    }
    return render(request, "personnel/my_page.html", context, status=status)


@login_required
@require_GET
def my_page(request: HttpRequest) -> HttpResponse:
    return _my_page(request)


@login_required
@require_POST
def delegation_create(request: HttpRequest) -> HttpResponse:
    delegator = org.staff_for_user(user=request.user)
    if delegator is None:
        raise access.AccessDenied(_("Your login is not linked to a staff record, so you cannot delegate."))
    form = DelegationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            delegation = services.delegation_create(
                actor=request.user,
                ctx=request.access,
                delegator=delegator,
                delegate=data["delegate_number"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
            )
        except (ValidationError, access.AccessDenied) as exc:
            service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(delegate)s will act for you from %(start)s to %(end)s.")
                % {
                    "delegate": delegation.delegate,
                    "start": date_format(delegation.start_date),
                    "end": date_format(delegation.end_date),
                },
            )
            return redirect("personnel:my_page")
    return _my_page(request, form=form, status=400)


@login_required
@require_POST
def absence_mark(request: HttpRequest) -> HttpResponse:
    """Mark myself (or, for HR, the person named) absent today."""
    me = org.staff_for_user(user=request.user)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        staff = form.cleaned_data["employee_number"] or me
        if staff is None:
            raise access.AccessDenied(access.REASON_NO_ASSIGNMENT)
        try:
            absence.absence_mark(
                staff=staff, day=request.access.today, reason=form.cleaned_data["reason"], actor=request.user,
                ctx=request.access,
            )  # fmt: skip
        except (ValueError, access.AccessDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s is marked absent today.") % {"name": staff})
            return redirect("personnel:my_page")
    return _my_page(request, absence_form=form, status=400)


@login_required
@require_POST
def absence_clear(request: HttpRequest) -> HttpResponse:
    me = org.staff_for_user(user=request.user)
    if me is None:
        raise access.AccessDenied(access.REASON_NO_ASSIGNMENT)
    absence.absence_clear(staff=me, day=request.access.today, actor=request.user, ctx=request.access)
    messages.success(request, _("You are no longer marked absent today."))
    return redirect("personnel:my_page")


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if delegation is None:
        raise Http404
    try:
        services.delegation_revoke(actor=request.user, ctx=request.access, delegation=delegation)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except access.AccessDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The delegation to %(delegate)s was revoked.") % {"delegate": delegation.delegate})
    return redirect("personnel:my_page")


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "view", Staff, request.access)
    form = DirectorySearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    rows = selectors.staff_directory_rows(user=request.user, ctx=request.access, query=query)
    page = Paginator(rows, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    # Each unit with the one above it (市民部 市民課): one query for the page's units' parents.
    labels = org.unit_labels({post.unit for person in page.object_list for post in person.current_posts})
    for person in page.object_list:
        for post in person.current_posts:
            post.unit_label = labels[post.unit_id]
    return render(request, "personnel/directory.html", {"form": form, "query": query, "page": page})


@login_required
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "view", OrgUnit, request.access)
    units = selectors.orgunit_tree_with_heads(user=request.user, ctx=request.access)
    # The tree folded to a level (局まで, 部まで, 課まで) or whole (係まで, the default).
    level = request.GET.get("level", "")
    deepest = int(level) if level.isdigit() and int(level) in UnitKind.values else UnitKind.SUBSECTION
    units = units.filter(kind__lte=deepest)
    levels = [(kind, label) for kind, label in UnitKind.choices if kind > UnitKind.CITY]
    return render(request, "personnel/unit_tree.html", {"units": units, "levels": levels, "deepest": deepest})


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, "view", OrgUnit, request.access)
    page = selectors.orgunit_page(user=request.user, ctx=request.access, pk=pk)
    if page is None:
        raise Http404
    return render(request, "personnel/unit_detail.html", {"page": page})


@login_required
@require_GET
def team_calendar(request: HttpRequest) -> HttpResponse:
    """チーム予定: who in my team is on leave or telework, two weeks at a time (係長 and up, HR)."""
    start = request.access.today
    raw = request.GET.get("start", "")
    if raw:
        try:
            start = date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("The date %(date)s was not understood.") % {"date": raw})
    unit = request.GET.get("unit", "")
    page = selectors.team_calendar(
        user=request.user, ctx=request.access, unit_id=int(unit) if unit.isdigit() else None, start=start
    )
    if page is None:
        raise access.AccessDenied(_("The team calendar is for the heads of a unit (係長 and above) and HR."))
    context = {
        "page": page,
        "earlier": page.days[0] - timedelta(days=14),
        "later": page.days[-1] + timedelta(days=1),
    }
    return render(request, "personnel/team_calendar.html", context)
