"""The leave (休暇) pages of the leave app: my leave (this year's balance, the special leave limits, my requests of
this year and next) and the leave card of my page. Filing is the approval engine's generic page, with the leave
type's fields, balance and check (leave/doctype.py).

Access is decided in personnel/access.py: the page asks for "file" on Document, so a remote session without OTP
or a member without a current post gets the 403 page with the reason.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from approvals.models import Document
from leave import selectors as leave_selectors
from leave import services as leave_services
from leave.models import LeaveType
from personnel import access, org


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


def my_page_card(request: HttpRequest) -> dict | None:
    """The leave card of my page (personnel.shell panel): this year's annual leave still available, pending
    requests counted. Only for staff on duty."""
    if not access.principal(request.user, request.access).on_duty:
        return None
    staff = org.staff_for_user(user=request.user)
    year = request.access.today.year
    return {"year": year, "available": leave_services.leave_summary(staff=staff, year=year).available}
