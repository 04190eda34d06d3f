"""The queues: 承認待ち (to approve), 代理 (held for others), 回覧 (circulated), my requests, and 一括承認 (bulk
approval of the items ticked in a queue). Rows come from approvals/selectors.py already filtered by the
permission model; each page costs the same number of queries however many rows it lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from approvals import selectors, services
from approvals.models import StepApprover
from approvals.views._common import REFUSALS, RowUrl, gate, link_documents, next_url, paginate, report_refusal

# --------------------------------------------------------------------------------------------------------
# Queues
# --------------------------------------------------------------------------------------------------------


def _queue(request: HttpRequest, *, tab: str, rows: QuerySet, template: str, fragment: str) -> HttpResponse:
    page = paginate(request, rows)
    page.object_list = list(page.object_list)
    link_documents(selectors.attach_details(getattr(row, "document", row) for row in page.object_list))
    if page.object_list and isinstance(page.object_list[0], StepApprover):
        act_urls = {action: RowUrl("approvals:act", action) for action in ("approve", "post-review", "acknowledge")}
        for slot in page.object_list:
            slot.urls = {action.replace("-", "_"): url(slot.pk) for action, url in act_urls.items()}
    context = {"page": page, "tab": tab, "list_template": fragment, "here": request.get_full_path()}
    if request.GET.get("partial") == "1":
        # The live update (portal.js) swaps the list in place: the list alone, without the page around it.
        context["here"] = request.path + (f"?page={page.number}" if page.number > 1 else "")
        return render(request, fragment, context)
    return render(request, template, context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    gate(request)
    rows = selectors.inbox(user=request.user, ctx=request.access)
    return _queue(
        request, tab="inbox", rows=rows, template="approvals/inbox.html", fragment="approvals/_slot_list.html"
    )


@login_required
@require_GET
def delegated(request: HttpRequest) -> HttpResponse:
    gate(request)
    rows = selectors.delegated_to_me(user=request.user, ctx=request.access)
    return _queue(
        request, tab="delegated", rows=rows, template="approvals/inbox.html", fragment="approvals/_slot_list.html"
    )


@login_required
@require_GET
def circulated(request: HttpRequest) -> HttpResponse:
    gate(request)
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
    gate(request)
    rows = selectors.my_requests(user=request.user, ctx=request.access)
    return _queue(request, tab="mine", rows=rows, template="approvals/mine.html", fragment="approvals/_mine_list.html")


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """一括承認 of the items ticked in a queue. Each is approved or reported; one refusal stops none of the others."""
    gate(request)
    back = next_url(request, reverse("approvals:inbox"))
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
        report_refusal(request, error)
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
