"""The e-approval pages: the queues (承認待ち, 代理, 回覧, my requests), the document with its stamp boxes
(押印欄) and history, and the actions, each a POST that calls one service and redirects back (POST/redirect/GET).

Access is decided in personnel/access.py: the queues and the document come from approvals/selectors.py already
filtered; a document or slot the user may not see is a 404 whether or not it exists. A refusal by a service
(someone acted first, a rule says no) comes back as a message on the page the user came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from approvals import selectors, services
from approvals.forms import ReassignForm, RejectForm, SendBackForm
from approvals.models import Document, DocumentStatus, SlotState, StepApprover
from personnel import access
from personnel.shell import safe_next

QUEUE_PAGE_SIZE = 50


def _gate(request: HttpRequest) -> None:
    """Refuse the whole app with the permission model's reason (remote without OTP, no current post) instead
    of showing empty queues or 404s that would not say why."""
    access.require(request.user, "view", Document, request.access)


def _next_url(request: HttpRequest, default: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


def _not_found(request: HttpRequest, action: str, rows: QuerySet) -> Http404:
    """404 for a row the user may not `action` — or the office-only refusal (403 with its reason, logged) when the
    user could act on it from the office (a 個人情報 document opened from home)."""
    if access.hidden_only_remotely(request.user, action, rows, request.access):
        raise access.AccessDenied(str(access.REASON_OFFICE_ONLY))
    return Http404()


def _page(request: HttpRequest, rows: QuerySet) -> Page:
    return Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))


# --------------------------------------------------------------------------------------------------------
# Queues
# --------------------------------------------------------------------------------------------------------


def _queue(request: HttpRequest, *, tab: str, rows: QuerySet, template: str, fragment: str) -> HttpResponse:
    page = _page(request, rows)
    context = {"page": page, "tab": tab, "list_template": fragment, "here": request.get_full_path()}
    if request.GET.get("partial") == "1":
        # The live update (portal.js) swaps the list in place: the list alone, without the page around it.
        context["here"] = request.path + (f"?page={page.number}" if page.number > 1 else "")
        return render(request, fragment, context)
    return render(request, template, context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    _gate(request)
    rows = selectors.inbox(user=request.user, ctx=request.access)
    return _queue(
        request, tab="inbox", rows=rows, template="approvals/inbox.html", fragment="approvals/_slot_list.html"
    )


@login_required
@require_GET
def delegated(request: HttpRequest) -> HttpResponse:
    _gate(request)
    rows = selectors.delegated_to_me(user=request.user, ctx=request.access)
    return _queue(
        request, tab="delegated", rows=rows, template="approvals/inbox.html", fragment="approvals/_slot_list.html"
    )


@login_required
@require_GET
def circulated(request: HttpRequest) -> HttpResponse:
    _gate(request)
    rows = selectors.circulated_to_me(user=request.user, ctx=request.access)
    return _queue(
        request,
        tab="circulated",
        rows=rows,
        template="approvals/circulated.html",
        fragment="approvals/_circulated_list.html",
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    _gate(request)
    rows = selectors.my_requests(user=request.user, ctx=request.access)
    return _queue(request, tab="mine", rows=rows, template="approvals/mine.html", fragment="approvals/_mine_list.html")


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
        "send_back_forms": send_back_forms,
        "reject_forms": reject_forms,
        "reassign_forms": reassign_forms,
        # The forms come back here, also when this page is the answer to a refused POST (whose URL is the action's).
        "here": reverse("approvals:document", args=[document.pk]),
    }
    return render(request, "approvals/document.html", context, status=status)


def _page_or_404(request: HttpRequest, pk: int) -> selectors.DocumentPage:
    page = selectors.document_page(user=request.user, ctx=request.access, pk=pk)
    if page is None:
        raise _not_found(request, "view", Document.objects.filter(pk=pk))
    return page


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    return _document_page(request, _page_or_404(request, pk))


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
        return service(slot=slot, actor=request.user, ctx=request.access)

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


def _report_refusal(request: HttpRequest, error: Exception) -> None:
    """A service's refusal as a message. Someone acting first is a warning (the page shows what happened),
    not an error of the user's."""
    if isinstance(error, services.AlreadyHandled):
        messages.warning(request, str(error))
    elif isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error))


REFUSALS = (services.ActionRefused, ValidationError, access.AccessDenied)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    _gate(request)
    slot = selectors.slot_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if slot is None:
        raise _not_found(request, "act", StepApprover.objects.filter(pk=pk))
    back = _next_url(request, reverse("approvals:inbox"))
    try:
        if action in FORM_ACTIONS:
            outcome = _form_action(request, slot, action)
            if isinstance(outcome, HttpResponse):
                return outcome  # the page again, with the form's errors
            message = outcome
        else:
            message = _done_message(SIMPLE_ACTIONS[action](request, slot), action)
    except REFUSALS as error:
        _report_refusal(request, error)
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


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """一括承認 of the items ticked in a queue. Each is approved or reported; one refusal stops none of the others."""
    _gate(request)
    back = _next_url(request, reverse("approvals:inbox"))
    try:
        slot_ids = sorted({int(value) for value in request.POST.getlist("slot")})
    except ValueError:
        slot_ids = []
    if not slot_ids:
        messages.error(request, _("Select at least one item to approve."))
        return redirect(back)
    try:
        result = services.slots_bulk_approve(slot_ids=slot_ids, actor=request.user, ctx=request.access)
    except REFUSALS as error:
        _report_refusal(request, error)
        return redirect(back)
    if result.approved or result.decided:
        messages.success(
            request,
            _("%(approved)s, %(decided)s.")
            % {
                "approved": ngettext("%(n)d approved", "%(n)d approved", len(result.approved))
                % {"n": len(result.approved)},
                "decided": ngettext("%(n)d decided", "%(n)d decided", len(result.decided)) % {"n": len(result.decided)},
            },
        )
    if result.refused:
        reasons = " / ".join(message for _slot_id, message in result.refused)
        messages.warning(
            request,
            ngettext(
                "%(n)d item could not be approved: %(reasons)s",
                "%(n)d items could not be approved: %(reasons)s",
                len(result.refused),
            )
            % {"n": len(result.refused), "reasons": reasons},
        )
    return redirect(back)


# --------------------------------------------------------------------------------------------------------
# The applicant's actions, HR's change of approver, attachments
# --------------------------------------------------------------------------------------------------------


def _applicant_action(request: HttpRequest, pk: int, service: Callable[..., Document], done: str) -> HttpResponse:
    _gate(request)
    document = selectors.document_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if document is None:
        raise _not_found(request, "view", Document.objects.filter(pk=pk))
    back = _next_url(request, reverse("approvals:document", args=[document.pk]))
    try:
        # Not the applicant: AccessDenied propagates to the 403 page, which gives the reason.
        document = service(document=document, actor=request.user, ctx=request.access)
    except (services.ActionRefused, ValidationError) as error:
        _report_refusal(request, error)
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
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    _gate(request)
    slot = selectors.slot_get_for_reassign(user=request.user, ctx=request.access, pk=pk)
    if slot is None:
        # Not HR: the same refusal whether or not the slot exists.
        raise access.AccessDenied(str(access.REASON_NOT_ALLOWED))
    # HR need not be able to read the document; the form on the document page says where to go back to.
    back = _next_url(request, reverse("approvals:inbox"))
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
        _report_refusal(request, error)
    else:
        messages.success(
            request,
            _("%(name)s now holds this step of “%(title)s”.") % {"name": new_staff, "title": document.title},
        )
    return redirect(back)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    _gate(request)
    row = selectors.attachment_get_for_user(user=request.user, ctx=request.access, pk=pk)
    if row is None:
        raise _not_found(request, "view", Document.objects.filter(attachments__pk=pk))
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
