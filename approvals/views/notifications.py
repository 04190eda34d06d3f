"""お知らせ: the user's notifications (the bell in the header counts the unread ones, live), marking them read one
at a time (opening one marks it) or all at once, and the choice of mail (at once, daily digest, off)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals import notify, selectors
from approvals.forms import MailModeForm
from approvals.views._common import gate, paginate
from personnel import access, org
from personnel.models import Staff


def staff_or_403(request: HttpRequest) -> Staff:
    staff = org.staff_for_user(user=request.user)
    if staff is None:
        raise access.AccessDenied(access.REASON_NO_ASSIGNMENT)
    return staff


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    gate(request)
    staff = staff_or_403(request)
    page = paginate(request, selectors.my_notifications(user=request.user, ctx=request.access))
    form = MailModeForm(initial={"mail": notify.mail_mode_of(staff)})
    return render(request, "approvals/notifications.html", {"page": page, "mail_form": form})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification's document, marking the notification read."""
    gate(request)
    staff = staff_or_403(request)
    row = selectors.my_notifications(user=request.user, ctx=request.access).filter(pk=pk).first()
    if row is None:
        messages.warning(request, _("This notification no longer exists."))
        return redirect("approvals:notifications")
    notify.mark_read(staff=staff, ids=[row.pk])
    return redirect("approvals:document", pk=row.document_id)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification read (すべて既読)."""
    gate(request)
    staff = staff_or_403(request)
    ids = selectors.my_notifications(user=request.user, ctx=request.access).values_list("pk", flat=True)
    changed = notify.mark_read(staff=staff, ids=list(ids))
    if changed:
        messages.success(request, _("All notifications marked as read."))
    return redirect("approvals:notifications")


@login_required
@require_POST
def mail_setting(request: HttpRequest) -> HttpResponse:
    gate(request)
    staff = staff_or_403(request)
    form = MailModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how you want to be mailed."))
    else:
        notify.mail_mode_set(staff=staff, mode=form.cleaned_data["mail"])
        messages.success(request, _("Your mail setting was saved."))
    return redirect(reverse("approvals:notifications") + "#mail")
