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
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Concat, RowNumber

from approvals import doctypes
from approvals.models import (
    ACTIONABLE_SLOT_STATES,
    OPEN_STATUSES,
    Attachment,
    AuditAction,
    AuditEntry,
    Document,
    DocumentStatus,
    Notification,
    RouteStep,
    SlotState,
    StepApprover,
    StepState,
)
from personnel import access, org, text
from personnel.access import AccessContext
from personnel.models import OrgUnit, Staff


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


def attach_facts(documents: Iterable[Document], ctx: AccessContext) -> None:
    """Each document's facts for the approver (DocumentType.facts, one call per type on the page), kept as
    `document.facts` (None when its type has none). The details must be loaded (`attach_details`)."""
    by_type: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        document.facts = None
        if document.cancels_id is None and document.detail is not None and document.doctype.facts_template:
            by_type[document.doc_type].append(document)
    for code, group in by_type.items():
        found = doctypes.get(code).facts(documents=group, ctx=ctx)
        for document in group:
            document.facts = found.get(document.pk)


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


@dataclass(frozen=True)
class MineFilter:
    """The filters of 自分の申請: type, status, fiscal year (年度, by the filing date)."""

    doc_type: str = ""
    status: str = ""
    fiscal_year: int | None = None


def my_requests_filtered(*, user: Any, ctx: AccessContext, filters: MineFilter) -> QuerySet[Document]:
    documents = my_requests(user=user, ctx=ctx)
    if filters.doc_type:
        documents = documents.filter(doc_type=filters.doc_type)
    if filters.status:
        documents = documents.filter(status=filters.status)
    if filters.fiscal_year:
        documents = documents.filter(
            filed_at__date__gte=date(filters.fiscal_year, 4, 1),
            filed_at__date__lte=date(filters.fiscal_year + 1, 3, 31),
        )
    return documents


# What an approver did, as the audit trail recorded it (a stamp box forgets an approval undone by a send-back; the
# trail does not).
HANDLED_ACTIONS = (
    AuditAction.APPROVE,
    AuditAction.DECIDE,
    AuditAction.SEND_BACK,
    AuditAction.REJECT,
    AuditAction.ACKNOWLEDGE,
    AuditAction.POST_REVIEW,
    AuditAction.POST_REVIEWED,
)


def handled_by_me(*, user: Any, ctx: AccessContext, action: str = "") -> QuerySet[AuditEntry]:
    """処理済み: what the user approved, decided, sent back, rejected or acknowledged (in person or as a delegate,
    代決), latest first, on documents they may still see."""
    staff_id = access.principal(user, ctx).staff_id
    if staff_id is None:
        return AuditEntry.objects.none()
    documents = access.visible(user, "view", Document.objects.all(), ctx)
    entries = AuditEntry.objects.filter(
        actor_id=staff_id, action__in=[action] if action in HANDLED_ACTIONS else HANDLED_ACTIONS
    )
    return (
        entries.filter(document__in=documents.values("pk"))
        .select_related("document__applicant", "document__drafting_unit", "on_behalf_of")
        .order_by("-seq")
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
    notifications: int = 0  # unread お知らせ (the bell)

    def as_dict(self) -> dict[str, int]:
        return {
            "inbox": self.inbox,
            "delegated": self.delegated,
            "circulated": self.circulated,
            "my_open": self.my_open,
            "notifications": self.notifications,
        }


def queue_counts(*, user: Any, ctx: AccessContext) -> QueueCounts:
    """The badge counts of the portal header and the queue tabs: two queries after the principal (the open
    requests and the unread notifications are counted in one, as subqueries)."""
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
    mine = Staff.objects.filter(pk=p.staff_id).values(
        my_open=Subquery(
            Document.objects.filter(applicant_id=p.staff_id, status__in=OPEN_STATUSES)
            .order_by()
            .values("applicant_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        unread=Subquery(
            _notifications(p.staff_id, ctx)
            .filter(read_at__isnull=True)
            .order_by()
            .values("recipient_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
    )[0]
    return QueueCounts(
        slots["inbox"], slots["delegated"], slots["circulated"], mine["my_open"] or 0, mine["unread"] or 0
    )


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
    document.keep_detail(detail)
    attach_facts([document], ctx)
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


# --------------------------------------------------------------------------------------------------------
# 決裁文書検索
# --------------------------------------------------------------------------------------------------------

SEARCH_SORTS: dict[str, tuple[Any, ...]] = {
    "-filed": (F("filed_at").desc(nulls_last=True), "-pk"),
    "filed": (F("filed_at").asc(nulls_last=True), "pk"),
    "-decided": (F("decided_at").desc(nulls_last=True), "-pk"),
    "decided": (F("decided_at").asc(nulls_last=True), "pk"),
    "number": (F("number").asc(nulls_last=True), "pk"),
    "-amount": (F("amount").desc(nulls_last=True), "-pk"),
    "amount": (F("amount").asc(nulls_last=True), "pk"),
}


@dataclass(frozen=True)
class DocumentSearch:
    """What the search page asks for; every criterion left empty matches everything."""

    text: str = ""  # words of the title and body, each must match
    number: str = ""  # 決裁番号 or a part of it
    doc_type: str = ""
    applicant: str = ""  # name or kana, words
    unit: OrgUnit | None = None  # the drafting unit and the units below it
    status: str = ""
    filed_from: date | None = None
    filed_to: date | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    sort: str = "-filed"

    def as_log(self) -> dict[str, Any]:
        """The criteria that were set, for the export log."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["unit"] = self.unit.pk if self.unit else None
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def search_documents(*, user: Any, ctx: AccessContext, criteria: DocumentSearch) -> QuerySet[Document]:
    """Filed documents the user may see (the permission model's "view", in SQL) that meet every criterion.

    Text is compared folded (personnel/text.py): the title and body through the folded column the engine keeps,
    names as stored and folded (kana names are katakana)."""
    c = criteria
    documents = Document.objects.exclude(status=DocumentStatus.DRAFT)
    for word in text.words(c.text):
        documents = documents.filter(search_text__contains=word)
    if c.number.strip():
        documents = documents.filter(number__icontains=text.fold(c.number))
    if c.doc_type:
        documents = documents.filter(doc_type=c.doc_type)
    if c.status:
        documents = documents.filter(status=c.status)
    if c.unit is not None:
        documents = documents.filter(drafting_unit__path__startswith=c.unit.path)
    if c.applicant.strip():
        documents = documents.annotate(
            applicant_name=Concat("applicant__family_name", "applicant__given_name"),
            applicant_kana=Concat("applicant__family_name_kana", "applicant__given_name_kana"),
        )
        for word in c.applicant.split():
            matches = Q()
            for variant in text.variants(word):
                matches |= Q(applicant_name__contains=variant) | Q(applicant_kana__contains=variant)
            documents = documents.filter(matches)
    if c.filed_from:
        documents = documents.filter(filed_at__date__gte=c.filed_from)
    if c.filed_to:
        documents = documents.filter(filed_at__date__lte=c.filed_to)
    if c.decided_from:
        documents = documents.filter(decided_at__date__gte=c.decided_from)
    if c.decided_to:
        documents = documents.filter(decided_at__date__lte=c.decided_to)
    if c.amount_min is not None:
        documents = documents.filter(amount__gte=c.amount_min)
    if c.amount_max is not None:
        documents = documents.filter(amount__lte=c.amount_max)
    return (
        access.visible(user, "view", documents, ctx)
        .select_related("applicant", "drafting_unit")
        .order_by(*SEARCH_SORTS.get(c.sort, SEARCH_SORTS["-filed"]))
    )


def _notifications(staff_id: int, ctx: AccessContext) -> QuerySet[Notification]:
    """A person's notifications as the zone may show them: from home, none about a document with personal
    information (個人情報 stays in the office, its title too). The list and the bell count the same rows."""
    rows = Notification.objects.filter(recipient_id=staff_id)
    if ctx.zone == access.REMOTE:
        rows = rows.exclude(document__contains_personal_info=True)
    return rows


def my_notifications(*, user: Any, ctx: AccessContext) -> QuerySet[Notification]:
    """The user's お知らせ, unread first, then latest first. Each names its document (the link opens it while the
    user may still see it: a withdrawn document leaves its approvers' view)."""
    staff_id = access.principal(user, ctx).staff_id
    if staff_id is None:
        return Notification.objects.none()
    return (
        _notifications(staff_id, ctx)
        .select_related("document", "about")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def waiting_items() -> QuerySet[StepApprover]:
    """Every stamp box waiting for its approver's decision on an open document (what reminders count and the BCP
    view lists)."""
    return StepApprover.objects.filter(
        state=SlotState.PENDING,
        is_circulation=False,
        waiting_since__isnull=False,
        document__status=DocumentStatus.IN_PROGRESS,
    )


@dataclass
class WaitingUnit:
    """One drafting unit's items waiting for an approver (the BCP view), longest first."""

    unit_id: int
    label: str
    count: int
    items: list[StepApprover]


BCP_ITEMS_PER_UNIT = 5


def waiting_longest(*, user: Any, ctx: AccessContext) -> list[WaitingUnit]:
    """Items waiting for an approver's decision, per drafting unit, the units whose oldest item waits longest first;
    each unit's count and its longest waiting items with their approvers (who may be absent). Three queries."""
    slots = access.visible(user, "monitor", waiting_items(), ctx)
    per_unit = list(
        slots.values("document__drafting_unit")
        .annotate(n=Count("pk"), oldest=Min("waiting_since"))
        .order_by("oldest", "document__drafting_unit")
    )
    if not per_unit:
        return []
    ranked = (
        slots.annotate(
            place=Window(
                RowNumber(), partition_by=[F("document__drafting_unit")], order_by=[F("waiting_since").asc(), "pk"]
            )
        )
        .filter(place__lte=BCP_ITEMS_PER_UNIT)
        .select_related("staff", "step", "document__applicant", "document__drafting_unit")
        .order_by("waiting_since", "pk")
    )
    items: dict[int, list[StepApprover]] = defaultdict(list)
    for slot in ranked:
        items[slot.document.drafting_unit_id].append(slot)
    units = {u: s[0].document.drafting_unit for u, s in items.items()}
    labels = org.unit_labels(units.values())
    return [
        WaitingUnit(
            row["document__drafting_unit"],
            labels[row["document__drafting_unit"]],
            row["n"],
            items[row["document__drafting_unit"]],
        )
        for row in per_unit
    ]
