"""The document page (its type's card, the stamp boxes 押印欄, the history) and the actions on it, each a POST
that calls one service and redirects back (POST/redirect/GET): the approvers' (approve or decide, with an optional
comment; 後閲; 引戻し; 差し戻し; 却下; 回覧 acknowledged), the applicant's (withdraw, file again, ask to cancel),
HR's change of an approver, and the attachments.

Access is decided in personnel/access.py: a document or slot the user may not see is a 404 whether or not it
exists. A refusal by a service (someone acted first, a rule says no) comes back as a message on the page the user
came from, or as the page again with the form's error (400) when something typed would otherwise be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals import selectors, services
from approvals.forms import ApproveForm, CancelForm, ReassignForm, RejectForm, SendBackForm
from approvals.models import Document, DocumentStatus, SlotState, StepApprover
from approvals.pdf import render_pdf
from approvals.views._common import REFUSALS, gate, next_url, not_found, report_refusal
from personnel import access, org

# --------------------------------------------------------------------------------------------------------
# The document page
# --------------------------------------------------------------------------------------------------------


def _document_page(
    request: HttpRequest,
    page: selectors.DocumentPage,
    *,
    bound: dict[tuple[int, str], Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the page with a form per action that needs typing; `bound` replaces one with the refused form
    the user sent (keyed by slot and action), so nothing typed is lost."""
    bound = bound or {}
    document = page.document
    send_back_forms: dict[int, SendBackForm] = {}
    reject_forms: dict[int, RejectForm] = {}
    for slot in page.my_slots:
        if slot.state == SlotState.PENDING and not slot.is_circulation:
            send_back_forms[slot.pk] = bound.get((slot.pk, "send-back")) or SendBackForm(
                slot_id=slot.pk, targets=page.send_back_targets, applicant=document.applicant
            )
            reject_forms[slot.pk] = bound.get((slot.pk, "reject")) or RejectForm(slot_id=slot.pk)
    approve_forms = {
        slot.pk: bound.get((slot.pk, "approve")) or ApproveForm(slot_id=slot.pk)
        for slot in page.my_slots
        if slot.state == SlotState.PENDING and not slot.is_circulation
    }
    reassign_forms: dict[int, ReassignForm] = {}
    if page.can_reassign:
        for step in page.steps:
            for slot in step.approvers.all():
                if slot.state in (SlotState.WAITING, SlotState.PENDING):
                    reassign_forms[slot.pk] = bound.get((slot.pk, "reassign")) or ReassignForm(slot_id=slot.pk)
    # 後閲: the user may approve ahead only from a later step, while an earlier one still waits.
    in_progress = document.status == DocumentStatus.IN_PROGRESS
    context = {
        "page": page,
        "document": document,
        "attachments": list(document.attachments.all()),
        "my_slot_ids": {s.pk for s in page.my_slots},
        "ahead_slots": [
            s for s in page.my_slots if in_progress and s.state == SlotState.WAITING and not s.is_circulation
        ],
        "pull_back_slots": [
            s for s in page.my_slots if in_progress and s.state == SlotState.APPROVED and not s.is_circulation
        ],
        "approve_forms": approve_forms,
        "send_back_forms": send_back_forms,
        "cancel_form": (bound.get((0, "cancel")) or CancelForm()) if page.can_cancel else None,
        "reject_forms": reject_forms,
        "reassign_forms": reassign_forms,
        # The forms come back here, also when this page is the answer to a refused POST (whose URL is the action's).
        "here": reverse("approvals:document", args=[document.pk]),
        "unit_label": org.unit_labels([document.drafting_unit])[document.drafting_unit_id],
    }
    return render(request, "approvals/document.html", context, status=status)


def _page_or_404(request: HttpRequest, pk: int) -> selectors.DocumentPage:
    page = selectors.document_page(user=request.user, ctx=request.access, pk=pk)
    if page is None:
        raise not_found(request, "view", Document.objects.filter(pk=pk))
    return page


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    gate(request)
    return _document_page(request, _page_or_404(request, pk))


def _print_context(request: HttpRequest, pk: int, *, for_pdf: bool) -> dict[str, Any]:
    page = _page_or_404(request, pk)
    unit = page.document.drafting_unit
    return {
        "page": page,
        "document": page.document,
        "unit_label": org.unit_labels([unit])[unit.pk],
        "for_pdf": for_pdf,
        "printed_at": timezone.now(),
    }


@login_required
@require_GET
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as a formal 決裁文書 for the browser's print (A4, print CSS)."""
    gate(request)
    return render(request, "approvals/print.html", _print_context(request, pk, for_pdf=False))


@login_required
@require_GET
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same 決裁文書 as a PDF download (WeasyPrint)."""
    gate(request)
    context = _print_context(request, pk, for_pdf=True)
    html = render_to_string("approvals/print.html", context, request=request)
    document = context["document"]
    name = f"{document.number or document.pk}.pdf"
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


# --------------------------------------------------------------------------------------------------------
# Actions on an approver slot
# --------------------------------------------------------------------------------------------------------


def _done_message(document: Document, verb: str) -> str:
    title = document.title
    if document.status == DocumentStatus.DECIDED and verb in ("approve", "approve-ahead"):
        return _("Decided “%(title)s” (%(number)s).") % {"title": title, "number": document.number}
    messages_by_verb = {
        "approve": _("Approved “%(title)s”."),
        "approve-ahead": _("Approved “%(title)s” ahead of the absent approvers (後閲)."),
        "post-review": _("Reviewed “%(title)s” after the fact (後閲済)."),
        "acknowledge": _("Marked “%(title)s” as seen."),
        "pull-back": _("Your approval of “%(title)s” was pulled back."),
        "reject": _("“%(title)s” was rejected."),
    }
    return messages_by_verb[verb] % {"title": title}


def _simple(service: Callable[..., Document]) -> Callable[..., Document]:
    def run(request: HttpRequest, slot: StepApprover) -> Document:
        # An optional comment (the document page offers one with each button; a queue row's one tap has none).
        return service(slot=slot, actor=request.user, ctx=request.access, comment=request.POST.get("comment", ""))

    return run


SIMPLE_ACTIONS: dict[str, Callable[..., Document]] = {
    "approve": _simple(services.slot_approve),
    "approve-ahead": _simple(services.slot_approve_ahead),
    "post-review": _simple(services.slot_post_review),
    "acknowledge": _simple(services.slot_acknowledge),
    "pull-back": _simple(services.slot_pull_back),
}
FORM_ACTIONS = ("send-back", "reject")
ACTIONS = (*SIMPLE_ACTIONS, *FORM_ACTIONS)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    gate(request)
    slot = selectors.slot_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if slot is None:
        raise not_found(request, "act", StepApprover.objects.filter(pk=pk))
    back = next_url(request, reverse("approvals:inbox"))
    try:
        if action in FORM_ACTIONS:
            outcome = _form_action(request, slot, action)
            if isinstance(outcome, HttpResponse):
                return outcome  # the page again, with the form's errors
            message = outcome
        else:
            message = _done_message(SIMPLE_ACTIONS[action](request, slot), action)
    except REFUSALS as error:
        report_refusal(request, error)
    else:
        messages.success(request, message)
    return redirect(back)


def _form_action(request: HttpRequest, slot: StepApprover, action: str) -> str | HttpResponse:
    """Send back or reject. The reason is required: an empty one shows the document page again with the form
    error (status 400), keeping what the user chose and typed. Returns the success message or that page."""
    page = None
    if action == "reject":
        form: RejectForm | SendBackForm = RejectForm(request.POST, slot_id=slot.pk)
        if form.is_valid():
            document = services.document_reject(
                slot=slot, actor=request.user, ctx=request.access, comment=form.cleaned_data["comment"]
            )
            return _done_message(document, "reject")
    else:
        page = _page_or_404(request, slot.document_id)
        form = SendBackForm(
            request.POST, slot_id=slot.pk, targets=page.send_back_targets, applicant=page.document.applicant
        )
        if form.is_valid():
            to_order = form.cleaned_data["to_order"]
            document = services.document_send_back(
                slot=slot,
                actor=request.user,
                ctx=request.access,
                to_order=to_order,
                comment=form.cleaned_data["comment"],
            )
            if to_order == 0:
                return _("“%(title)s” was sent back to the applicant.") % {"title": document.title}
            step = dict(form.fields["to_order"].choices)[to_order]
            return _("“%(title)s” was sent back to %(step)s.") % {"title": document.title, "step": step}
    page = page or _page_or_404(request, slot.document_id)
    if not any(s.pk == slot.pk and s.state == SlotState.PENDING for s in page.my_slots):
        # Handled meanwhile (another tab, a delegate): the form is gone from the page, so say that instead.
        raise services.AlreadyHandled(_("This step no longer awaits you."))
    return _document_page(request, page, bound={(slot.pk, action): form}, status=400)


# --------------------------------------------------------------------------------------------------------
# The applicant's actions, HR's change of approver, attachments
# --------------------------------------------------------------------------------------------------------


def _applicant_action(request: HttpRequest, pk: int, service: Callable[..., Document], done: str) -> HttpResponse:
    gate(request)
    document = selectors.document_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if document is None:
        raise not_found(request, "view", Document.objects.filter(pk=pk))
    back = next_url(request, reverse("approvals:document", args=[document.pk]))
    try:
        # Not the applicant: AccessDenied propagates to the 403 page, which gives the reason.
        document = service(document=document, actor=request.user, ctx=request.access)
    except (services.ActionRefused, ValidationError) as error:
        report_refusal(request, error)
    else:
        messages.success(request, done % {"title": document.title})
    return redirect(back)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _applicant_action(request, pk, services.document_withdraw, _("“%(title)s” was withdrawn."))


@login_required
@require_POST
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _applicant_action(request, pk, services.document_resubmit, _("“%(title)s” was filed again."))


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """取消申請: the applicant asks to cancel a decided document, with the reason; the request goes along the
    type's route and opens as a document of its own. An empty reason shows the page again (400)."""
    gate(request)
    page = _page_or_404(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        if not page.can_cancel:
            messages.warning(request, page.cancel_refusal or _("This document cannot be cancelled now."))
            return redirect("approvals:document", pk=pk)
        return _document_page(request, page, bound={(0, "cancel"): form}, status=400)
    try:
        cancellation = services.document_cancel_request(
            document=page.document, actor=request.user, ctx=request.access, reason=form.cleaned_data["reason"]
        )
    except (services.ActionRefused, ValidationError) as error:
        report_refusal(request, error)
        return redirect("approvals:document", pk=pk)
    messages.success(
        request,
        _("The cancellation of “%(title)s” was filed; it goes along the same route.") % {"title": page.document.title},
    )
    return redirect("approvals:document", pk=cancellation.pk)


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    gate(request)
    slot = selectors.slot_get_for_reassign(user=request.user, ctx=request.access, pk=pk)
    if slot is None:
        # Not HR: the same refusal whether or not the slot exists.
        raise access.AccessDenied(str(access.REASON_NOT_ALLOWED))
    # HR need not be able to read the document; the form on the document page says where to go back to.
    back = next_url(request, reverse("approvals:inbox"))
    form = ReassignForm(request.POST, slot_id=slot.pk)
    if not form.is_valid():
        page = selectors.document_page(user=request.user, ctx=request.access, pk=slot.document_id)
        if page is not None:
            return _document_page(request, page, bound={(slot.pk, "reassign"): form}, status=400)
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    new_staff = form.cleaned_data["employee_number"]
    try:
        document = services.slot_reassign(
            slot=slot, new_staff=new_staff, actor=request.user, ctx=request.access, reason=form.cleaned_data["reason"]
        )
    except REFUSALS as error:
        report_refusal(request, error)
    else:
        messages.success(
            request,
            _("%(name)s now holds this step of “%(title)s”.") % {"name": new_staff, "title": document.title},
        )
    return redirect(back)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    gate(request)
    row = selectors.attachment_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if row is None:
        raise not_found(request, "view", Document.objects.filter(attachments__pk=pk))
    try:
        stored = row.file.open("rb")
    except OSError:  # the row outlived its file (a restore without the media volume): nothing to send
        raise Http404 from None
    return FileResponse(
        stored,
        as_attachment=True,
        filename=row.name,
        content_type=row.content_type or "application/octet-stream",
    )
