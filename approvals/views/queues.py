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

from approvals import reminders, selectors, services
from approvals.forms import MineFilterForm
from approvals.models import AuditAction, SlotState, StepApprover
from approvals.views._common import REFUSALS, RowUrl, gate, link_documents, next_url, paginate, report_refusal
from personnel import absence, access
from personnel.calendar import fiscal_year

# --------------------------------------------------------------------------------------------------------
# Queues
# --------------------------------------------------------------------------------------------------------


def _queue(request: HttpRequest, *, tab: str, rows: QuerySet, template: str, fragment: str) -> HttpResponse:
    count = None
    if tab in ("inbox", "delegated") and request.GET.get("partial") != "1":
        # The tab counts (and the header's badges, which reuse them: portal.context_processors) count exactly
        # these rows: one query fewer than the paginator counting them again.
        request.queue_counts = selectors.queue_counts(user=request.user, ctx=request.access)
        count = getattr(request.queue_counts, tab)
    page = paginate(request, rows, count=count)
    page.object_list = list(page.object_list)
    documents = selectors.attach_details(getattr(row, "document", row) for row in page.object_list)
    link_documents(documents)
    if tab in ("inbox", "delegated"):
        selectors.attach_facts(documents, request.access)
    context = {
        "page": page,
        "tab": tab,
        "list_template": fragment,
        "here": request.get_full_path(),
        "filter_form": getattr(request, "mine_filter", None),
    }
    if tab == "circulated":
        acknowledge = RowUrl("approvals:act", "acknowledge")
        for slot in page.object_list:
            slot.acknowledge_url = acknowledge(slot.pk)
    elif page.object_list and isinstance(page.object_list[0], StepApprover):
        context["rows"] = _slot_rows(page.object_list, request.user)
    if request.GET.get("partial") == "1":
        # The live update (portal.js) swaps the list in place: the list alone, without the page around it.
        query = request.GET.copy()
        query.pop("partial", None)
        context["here"] = request.path + (f"?{query.urlencode()}" if query else "")
        return render(request, fragment, context)
    return render(request, template, context)


def _slot_rows(slots: list[StepApprover], user: object) -> list[dict[str, object]]:
    """What each queue row shows, read from the slot and its document once, as plain values: a 50-row page
    renders in half the time of a template walking `item.document.applicant.full_name` per row (the template
    engine's lookups were most of the page's cost; bench/scale.py measures it)."""
    approve, post_review = RowUrl("approvals:act", "approve"), RowUrl("approvals:act", "post-review")
    rows = []
    for slot in slots:
        document = slot.document
        rows.append(
            {
                "pk": slot.pk,
                "pending": slot.state == SlotState.PENDING,
                "post_review": slot.state == SlotState.POST_REVIEW,
                "decides": slot.step.is_decision,
                "step": slot.step.label,
                "proxy_for": slot.staff.full_name if slot.staff.user_id != getattr(user, "pk", None) else "",
                "waiting_since": slot.waiting_since,
                "action_url": post_review(slot.pk) if slot.state == SlotState.POST_REVIEW else approve(slot.pk),
                "title": document.title,
                "url": document.url,
                "type_label": document.type_label,
                "applicant": document.applicant.full_name,
                "unit": document.drafting_unit.name,
                "amount": document.amount,
                "cancellation": document.is_cancellation,
                "row_template": document.doctype.row_template,
                "detail": document.detail,
                "facts": getattr(document, "facts", None),
                "facts_template": document.doctype.facts_template,
            }
        )
    return rows


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
    form = MineFilterForm(request.GET or None, fiscal_years=_fiscal_years(request))
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.MineFilter()
    rows = selectors.my_requests_filtered(user=request.user, ctx=request.access, filters=filters)
    request.mine_filter = form
    return _queue(request, tab="mine", rows=rows, template="approvals/mine.html", fragment="approvals/_mine_list.html")


def _fiscal_years(request: HttpRequest) -> list[int]:
    """This fiscal year and the four before it (what the filter offers)."""
    this_year = fiscal_year(request.access.today)
    return list(range(this_year, this_year - 5, -1))


@login_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """処理済み: what I approved, decided, sent back, rejected or acknowledged, with the date, latest first."""
    gate(request)
    action = request.GET.get("action", "")
    entries = selectors.handled_by_me(user=request.user, ctx=request.access, action=action)
    page = paginate(request, entries)
    page.object_list = list(page.object_list)
    link_documents(entry.document for entry in page.object_list)
    me = access.principal(request.user, request.access).staff_id
    for entry in page.object_list:
        # 代決: done in someone else's place (a delegate's decision names the approver it stood for).
        entry.proxy_for = entry.on_behalf_of if entry.on_behalf_of_id not in (None, me) else None
    actions = [(a.value, a.label) for a in AuditAction if a in selectors.HANDLED_ACTIONS]
    return render(request, "approvals/done.html", {"page": page, "tab": "done", "actions": actions, "action": action})


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


@login_required
@require_GET
def bcp(request: HttpRequest) -> HttpResponse:
    """The city's BCP view (情報政策, 人事): items waiting longest for an approver, per drafting unit, with how many
    working days each has waited and whether its approver is away today. It moves nothing by itself: HR changes an
    absent approver on the document's page, and reminders and escalation go out from `send_reminders`."""
    access.require(request.user, "monitor", StepApprover, request.access)
    units = selectors.waiting_longest(user=request.user, ctx=request.access)
    today = request.access.today
    approvers = {slot.staff_id for unit in units for slot in unit.items}
    away = absence.absences(approvers, today)
    link_documents(slot.document for unit in units for slot in unit.items)
    for unit in units:
        for slot in unit.items:
            slot.waited = reminders.waited(slot.waiting_since, today)
            slot.away = away.get(slot.staff_id, "")
    return render(request, "approvals/bcp.html", {"units": units, "today": today})
