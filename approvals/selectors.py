"""Reads of approval documents and the queues. Querysets out, filtered by personnel/access.py in SQL.

Each queue page costs the same number of queries however many items it lists (asserted in the tests and
measured by bench/inbox.py): the principal (four queries, cached per request), one count, one page of rows with
the people and units joined in, and one query per document type on the page for the types' detail rows
(`attach_details`, rather than a join per registered type: that makes the rows query one the database spends longer
planning than running).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from approvals import doctypes
from approvals.models import (
    ACTIONABLE_SLOT_STATES,
    OPEN_STATUSES,
    Attachment,
    AuditEntry,
    Document,
    DocumentStatus,
    RouteStep,
    SlotState,
    StepApprover,
    StepState,
)
from personnel import access
from personnel.access import AccessContext


def attach_details(documents: Iterable[Document]) -> list[Document]:
    """Load the detail rows of a page of documents: one query per document type on the page (not a join per
    registered type in the rows query, whose planning costs more than its running), kept on each document for
    `Document.detail`."""
    documents = list(documents)
    by_type: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        if document.cancels_id is None:
            by_type[document.doc_type].append(document)
        else:
            document.keep_detail(None)
    for code, group in by_type.items():
        doctype = doctypes.get(code)
        details = doctype.detail_model.objects.filter(document_id__in=[d.pk for d in group]).order_by()
        if doctype.detail_related:  # (select_related() with no names would follow every foreign key)
            details = details.select_related(*doctype.detail_related)
        rows = {row.document_id: row for row in details}
        for document in group:
            document.keep_detail(rows.get(document.pk))
    return documents


def _slot_rows(queryset: QuerySet[StepApprover]) -> QuerySet[StepApprover]:
    return queryset.select_related("step", "staff", "document__applicant", "document__drafting_unit")


def _actionable(user: Any, ctx: AccessContext) -> QuerySet[StepApprover]:
    slots = StepApprover.objects.filter(state__in=ACTIONABLE_SLOT_STATES, is_circulation=False)
    return access.visible(user, "act", slots, ctx)


def inbox(*, user: Any, ctx: AccessContext) -> QuerySet[StepApprover]:
    """Items waiting for the user's action (承認・決裁, and 後閲 reviews), as themselves or for a delegator."""
    return _slot_rows(_actionable(user, ctx)).order_by("waiting_since", "pk")


def delegated_to_me(*, user: Any, ctx: AccessContext) -> QuerySet[StepApprover]:
    """The part of the inbox the user holds for someone else (代理)."""
    staff_id = access.principal(user, ctx).staff_id
    return inbox(user=user, ctx=ctx).exclude(staff_id=staff_id)


def circulated_to_me(*, user: Any, ctx: AccessContext) -> QuerySet[StepApprover]:
    """Documents circulated to the user (回覧・供覧): unseen first, then the ones seen in the last 30 days."""
    since = ctx.today - timedelta(days=30)
    slots = StepApprover.objects.filter(is_circulation=True).filter(
        Q(state=SlotState.PENDING) | Q(state=SlotState.ACKNOWLEDGED, acted_at__date__gte=since)
    )
    return _slot_rows(access.visible(user, "act", slots, ctx)).order_by("-state", "-waiting_since", "pk")


def my_requests(*, user: Any, ctx: AccessContext) -> QuerySet[Document]:
    """The user's own documents, open ones first, each with the step where it waits now and who holds it."""
    staff_id = access.principal(user, ctx).staff_id
    current_steps = Prefetch(
        "steps",
        queryset=RouteStep.objects.filter(state=StepState.ACTIVE)
        .exclude(kind="circulate")
        .prefetch_related(Prefetch("approvers", queryset=StepApprover.objects.select_related("staff"))),
        to_attr="current_steps",
    )
    documents = Document.objects.filter(applicant_id=staff_id)
    return (
        access.visible(user, "view", documents, ctx)
        .select_related("drafting_unit")
        .prefetch_related(current_steps)
        .order_by(F("closed_at").asc(nulls_first=True), "-filed_at", "-pk")
    )


def my_documents_of_type(*, user: Any, ctx: AccessContext, doc_type: str) -> QuerySet[Document]:
    """The user's own documents of one type (the type's list page), latest filed first, each with its detail row
    and the step it waits at now."""
    return my_requests(user=user, ctx=ctx).filter(doc_type=doc_type).order_by("-filed_at", "-pk")


@dataclass(frozen=True)
class QueueCounts:
    inbox: int
    delegated: int
    circulated: int
    my_open: int

    def as_dict(self) -> dict[str, int]:
        return {
            "inbox": self.inbox,
            "delegated": self.delegated,
            "circulated": self.circulated,
            "my_open": self.my_open,
        }


def queue_counts(*, user: Any, ctx: AccessContext) -> QueueCounts:
    """The badge counts of the portal header and the queue tabs: two queries after the principal."""
    p = access.principal(user, ctx)
    if p.staff_id is None:
        return QueueCounts(0, 0, 0, 0)
    slots = access.visible(
        user,
        "act",
        StepApprover.objects.filter(
            Q(state__in=ACTIONABLE_SLOT_STATES, is_circulation=False) | Q(state=SlotState.PENDING, is_circulation=True)
        ),
        ctx,
    ).aggregate(
        inbox=Count("pk", filter=Q(is_circulation=False)),
        delegated=Count("pk", filter=Q(is_circulation=False) & ~Q(staff_id=p.staff_id)),
        circulated=Count("pk", filter=Q(is_circulation=True)),
    )
    my_open = Document.objects.filter(applicant_id=p.staff_id, status__in=OPEN_STATUSES).count()
    return QueueCounts(slots["inbox"], slots["delegated"], slots["circulated"], my_open)


def document_get_for_user(*, user: Any, ctx: AccessContext, pk: int, action: str = "view") -> Document | None:
    """The document if it exists and the user may `action` it; None otherwise (the view says 404 either way, so
    nobody learns which documents exist)."""
    return (
        access.visible(user, action, Document.objects.filter(pk=pk), ctx)
        .select_related("applicant", "drafting_unit", "rule", "cancels")
        .first()
    )


def slot_get_for_user(*, user: Any, ctx: AccessContext, pk: int) -> StepApprover | None:
    """An approver slot the user may act on (their own, or a delegator's)."""
    return access.visible(user, "act", StepApprover.objects.filter(pk=pk), ctx).select_related("staff").first()


def slot_get_for_reassign(*, user: Any, ctx: AccessContext, pk: int) -> StepApprover | None:
    """A slot whose approver the user may change (HR, 情報政策), whether or not they may read the document."""
    slot = StepApprover.objects.filter(pk=pk).only("pk", "document_id").first()
    if slot is None or document_get_for_user(user=user, ctx=ctx, pk=slot.document_id, action="reassign") is None:
        return None
    return slot


def attachment_get_for_user(*, user: Any, ctx: AccessContext, pk: int) -> Attachment | None:
    """An attachment of a document the user may see."""
    row = Attachment.objects.filter(pk=pk).first()
    if row is None or document_get_for_user(user=user, ctx=ctx, pk=row.document_id) is None:
        return None
    return row


@dataclass(frozen=True)
class DocumentPage:
    document: Document
    steps: list[RouteStep]
    history: list[AuditEntry]
    my_slots: list[StepApprover]  # the user's places on the route (own or delegated), any state
    can_withdraw: bool
    can_resubmit: bool
    can_reassign: bool
    doctype: doctypes.DocumentType
    detail: Any  # the type's detail row (the cancelled document's, for a cancellation request)
    cancellations: list[Document]  # cancellation requests of this document, latest first
    can_cancel: bool  # the applicant may ask to cancel it now (取消申請)
    cancel_refusal: str  # why not, when the document is decided but its type refuses (shown beside the button)

    @property
    def actionable(self) -> list[StepApprover]:
        return [s for s in self.my_slots if s.state in ACTIONABLE_SLOT_STATES]

    @property
    def send_back_targets(self) -> list[RouteStep]:
        current = min((s.step.order for s in self.my_slots if s.state == SlotState.PENDING), default=0)
        return [s for s in self.steps if s.order < current and s.kind != "circulate"]


def document_page(*, user: Any, ctx: AccessContext, pk: int) -> DocumentPage | None:
    document = document_get_for_user(user=user, ctx=ctx, pk=pk)
    if document is None:
        # HR and the system administrators manage the route of any open document (change an absent approver),
        # so they may open its page while it is open, even outside their own units.
        document = document_get_for_user(user=user, ctx=ctx, pk=pk, action="reassign")
        if document is None or document.status not in OPEN_STATUSES:
            return None
    steps = list(
        document.steps.order_by("order").prefetch_related(
            Prefetch("approvers", queryset=StepApprover.objects.select_related("staff", "acted_by").order_by("pk"))
        )
    )
    history = list(AuditEntry.objects.filter(document=document).select_related("actor", "on_behalf_of").order_by("seq"))
    mine = set(access.visible(user, "act", document.slots.all(), ctx).values_list("pk", flat=True))
    my_slots = [slot for step in steps for slot in step.approvers.all() if slot.pk in mine]
    for slot in my_slots:
        slot.step = next(s for s in steps if s.pk == slot.step_id)
    is_applicant = access.principal(user, ctx).staff_id == document.applicant_id
    doctype = document.doctype
    detail = document.detail
    cancellations = list(document.cancellations.order_by("-pk")) if not document.is_cancellation else []
    can_cancel, refusal = False, ""
    live_cancellation = any(c.status in (*OPEN_STATUSES, DocumentStatus.DECIDED) for c in cancellations)
    if is_applicant and document.status == DocumentStatus.DECIDED and not document.is_cancellation:
        if not live_cancellation and access.can(user, "cancel", document, ctx):
            refusal = doctype.cancel_refusal(document=document, detail=detail, ctx=ctx) or ""
            can_cancel = not refusal
    return DocumentPage(
        document=document,
        steps=steps,
        history=history,
        my_slots=my_slots,
        can_withdraw=is_applicant and document.status in OPEN_STATUSES and access.can(user, "withdraw", document, ctx),
        can_resubmit=is_applicant and document.status == DocumentStatus.SENT_BACK,
        can_reassign=document.status in OPEN_STATUSES and access.can(user, "reassign", document, ctx),
        doctype=doctype,
        detail=detail,
        cancellations=cancellations,
        can_cancel=can_cancel,
        cancel_refusal=refusal,
    )
