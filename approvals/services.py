"""Every change to an approval document. Views, consumers and other apps call these and nothing else.

Each public action:
- checks the permission through personnel/access.py (an approver's place on the route is a `StepApprover`
  row whose "act" rule passes to a delegate during a delegation, 代理);
- locks the document row first, so two approvers, two tabs or a double-submitted form are serialised and the
  second one is told what happened instead of acting twice (`AlreadyHandled`);
- appends its hash-chained audit entry (approvals/audit.py) in the same transaction;
- announces queue changes over Channels after commit (approvals/live.py).

Bad input raises `ActionRefused` (or `RouteError` / `ValidationError` from the document type) with a message for
the user; nothing is written. Permission refusals raise `personnel.access.AccessDenied`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from approvals import audit, live, numbering, routing
from approvals.doctypes import hooks_for
from approvals.models import (
    Attachment,
    AuditAction,
    Document,
    DocumentStatus,
    DocumentType,
    RouteStep,
    SlotState,
    StepApprover,
    StepKind,
    StepState,
)
from personnel import access
from personnel.access import AccessContext, AccessDenied
from personnel.models import OrgUnit, Staff
from personnel.org import staff_current_assignments, staff_for_user

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_COMMENT_LENGTH = 2000


class ActionRefused(Exception):
    """The action cannot be done; `str(error)` is the message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AlreadyHandled(ActionRefused):
    """Someone (possibly the same user in another tab) acted first."""


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _staff(user: Any) -> Staff:
    staff = staff_for_user(user=user)
    if staff is None:
        raise AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    return staff


def _lock(document_id: int) -> Document:
    try:
        return Document.objects.select_for_update().get(pk=document_id)
    except Document.DoesNotExist:
        raise ActionRefused(_("This document does not exist.")) from None


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ActionRefused(_("Please write a comment saying why."))
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ActionRefused(_("The comment is too long (at most %(n)d characters).") % {"n": MAX_COMMENT_LENGTH})
    return comment


def _require_open(document: Document) -> None:
    if document.status == DocumentStatus.IN_PROGRESS:
        return
    messages = {
        DocumentStatus.DECIDED: _("This document has already been decided (%(number)s)."),
        DocumentStatus.REJECTED: _("This document has already been rejected."),
        DocumentStatus.WITHDRAWN: _("This document has been withdrawn by the applicant."),
        DocumentStatus.SENT_BACK: _("This document has been sent back to the applicant."),
        DocumentStatus.DRAFT: _("This document has not been filed yet."),
    }
    raise AlreadyHandled(messages[document.status] % {"number": document.number or ""})


def _handled_message(slot: StepApprover) -> str:
    if slot.state == SlotState.WAITING:
        return _("The document has not reached you yet.")
    if slot.state == SlotState.NOT_NEEDED:
        # Another approver of this "any" step acted: name them, not this slot (which nobody acted on).
        slot = (
            StepApprover.objects.filter(step_id=slot.step_id, acted_at__isnull=False, acted_by__isnull=False)
            .select_related("acted_by")
            .order_by("-acted_at")
            .first()
            or slot
        )
    if slot.acted_by_id and slot.acted_at:
        return _("This step was already handled by %(name)s at %(when)s.") % {
            "name": slot.acted_by,
            "when": _when(slot.acted_at),
        }
    return _("This step no longer awaits you.")


@dataclass
class _Actor:
    """Who pressed the button (`by`) and whose place on the route it is (`for_`)."""

    by: Staff
    for_: Staff
    delegation_id: int | None = None


def _slot_actor(*, user: Any, slot: StepApprover, ctx: AccessContext) -> _Actor:
    decision = access.require(user, "act", slot, ctx)
    by = _staff(user)
    return _Actor(by=by, for_=slot.staff, delegation_id=decision.delegation_id)


def _audit(
    document: Document,
    action: str,
    actor: _Actor | None,
    ctx: AccessContext,
    comment: str = "",
    **detail: Any,
) -> None:
    if actor is not None and actor.delegation_id:
        detail["delegation"] = actor.delegation_id
    audit.append(
        document=document,
        action=action,
        actor=actor.by if actor else None,
        on_behalf_of=actor.for_ if actor else None,
        ctx=ctx,
        comment=comment,
        detail=detail,
    )


def _blocking(steps: Iterable[RouteStep]) -> list[RouteStep]:
    return [s for s in steps if s.kind != StepKind.CIRCULATE]


def _steps(document: Document) -> list[RouteStep]:
    return list(document.steps.order_by("order"))


def _activate(step: RouteStep, now: Any, touched: set[int]) -> None:
    step.state, step.activated_at, step.completed_at = StepState.ACTIVE, now, None
    step.save(update_fields=["state", "activated_at", "completed_at"])
    waiting = step.approvers.filter(state=SlotState.WAITING)
    touched.update(waiting.values_list("staff_id", flat=True))
    waiting.update(state=SlotState.PENDING, waiting_since=now)


def _reset(steps: Iterable[RouteStep], touched: set[int]) -> None:
    """Put blocking steps back to "not yet reached"; their approvals are undone (the audit trail keeps them).

    So are the 後閲 reviews of approvers a 後閲 skipped: the document comes back to their step, and they approve
    it like anyone else (kept as post-review slots, the step would be active with nobody able to approve it)."""
    ids = [s.pk for s in steps if s.kind != StepKind.CIRCULATE]
    if not ids:
        return
    RouteStep.objects.filter(pk__in=ids).update(state=StepState.WAITING, activated_at=None, completed_at=None)
    slots = StepApprover.objects.filter(step_id__in=ids)
    touched.update(slots.values_list("staff_id", flat=True))
    slots.update(state=SlotState.WAITING, waiting_since=None, acted_at=None, acted_by=None, comment="")


def _advance(document: Document, after_order: int, ctx: AccessContext, touched: set[int]) -> bool:
    """Activate the steps after `after_order` up to the next blocking one. True when none is left (decide)."""
    now = timezone.now()
    for step in document.steps.filter(order__gt=after_order, state=StepState.WAITING).order_by("order"):
        _activate(step, now, touched)
        if step.kind != StepKind.CIRCULATE:
            return False
    return True


def _close(document: Document, status: str, touched: set[int]) -> None:
    """End the flow: every slot still waiting or pending is cancelled (後閲 reviews stay open)."""
    from approvals import workflow

    now = timezone.now()
    open_slots = document.slots.filter(state__in=(SlotState.WAITING, SlotState.PENDING))
    if status == DocumentStatus.DECIDED:
        # Circulation (回覧) stays readable and acknowledgeable after the decision.
        open_slots = open_slots.filter(is_circulation=False)
    touched.update(open_slots.values_list("staff_id", flat=True))
    open_slots.update(state=SlotState.CANCELLED)
    steps = document.steps.filter(state__in=(StepState.WAITING, StepState.ACTIVE))
    if status == DocumentStatus.DECIDED:
        steps = steps.exclude(kind=StepKind.CIRCULATE)
    steps.update(state=StepState.CANCELLED)
    document.status, document.closed_at = status, now
    document.save(update_fields=["status", "closed_at"])
    if document.process_id:
        workflow.process_finish(document)


def _decide(document: Document, actor: _Actor, ctx: AccessContext, comment: str, touched: set[int]) -> None:
    # Lock order, everywhere: document row → audit head → the type's rows (leave balance) → number sequence.
    # A 後閲 or a bulk approval already holds the head here (it appended earlier in the transaction), and leave
    # filing takes the head before the balance; taking the balance or the number first would deadlock with them.
    audit.lock_head()
    hooks = hooks_for(document.doc_type)
    if hooks.on_decided is not None:
        try:
            hooks.on_decided(document=document, ctx=ctx)
        except ValidationError as error:
            raise ActionRefused(" ".join(error.messages)) from error
    document.number = numbering.next_number(unit=document.drafting_unit, on=ctx.today)
    document.decided_at = timezone.now()
    document.save(update_fields=["number", "decided_at"])
    _close(document, DocumentStatus.DECIDED, touched)
    touched.add(document.applicant_id)
    _audit(document, AuditAction.DECIDE, actor, ctx, comment, number=document.number)


def _mark(slot: StepApprover, state: str, by: Staff | None, comment: str = "") -> None:
    """Record what happened at one stamp box (押印欄): the state, who pressed the button, when, and the comment."""
    slot.state, slot.acted_by, slot.comment = state, by, comment
    slot.acted_at = timezone.now() if by is not None else None
    slot.save(update_fields=["state", "acted_at", "acted_by", "comment"])


def _approve(document: Document, slot: StepApprover, actor: _Actor, ctx: AccessContext, comment: str) -> set[int]:
    """Approve (or, on the decision step, decide) with the document already locked. Returns staff to notify."""
    _require_open(document)
    slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
    if slot.is_circulation:
        raise ActionRefused(_("Circulated documents are acknowledged, not approved."))
    if slot.state != SlotState.PENDING:
        raise AlreadyHandled(_handled_message(slot))
    touched: set[int] = {slot.staff_id}
    now = timezone.now()
    step = slot.step
    _mark(slot, SlotState.APPROVED, actor.by, comment)
    others = step.approvers.exclude(pk=slot.pk)
    if step.kind == StepKind.ANY:
        touched.update(others.filter(state=SlotState.PENDING).values_list("staff_id", flat=True))
        others.filter(state=SlotState.PENDING).update(state=SlotState.NOT_NEEDED)
        step_done = True
    else:
        step_done = not others.filter(state=SlotState.PENDING).exists()
    if not step_done:
        _audit(document, AuditAction.APPROVE, actor, ctx, comment, step=step.order)
        return touched
    step.state, step.completed_at = StepState.DONE, now
    step.save(update_fields=["state", "completed_at"])
    if step.is_decision:
        _advance(document, step.order, ctx, touched)  # circulation after the decision
        _decide(document, actor, ctx, comment, touched)
    else:
        _audit(document, AuditAction.APPROVE, actor, ctx, comment, step=step.order)
        _advance(document, step.order, ctx, touched)
    return touched


# --------------------------------------------------------------------------------------------------------
# Filing
# --------------------------------------------------------------------------------------------------------


def route_preview(
    *,
    user: Any,
    ctx: AccessContext,
    doc_type: str,
    amount: Decimal | None = None,
    drafting_unit: OrgUnit | None = None,
    consultees: Sequence[Staff] = (),
    circulate_to: Sequence[Staff] = (),
) -> routing.Plan:
    """The route a document would take if filed now (shown before filing). Raises RouteError."""
    applicant = _staff(user)
    unit = drafting_unit or _primary_unit(applicant, ctx)
    return routing.plan_route(
        applicant=applicant,
        drafting_unit=unit,
        doc_type=doc_type,
        amount=amount,
        on=ctx.today,
        consultees=consultees,
        circulate_to=circulate_to,
    )


def _primary_unit(staff: Staff, ctx: AccessContext) -> OrgUnit:
    post = staff_current_assignments(staff=staff, on=ctx.today).first()
    if post is None:
        raise AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    return post.unit


def document_file_new(
    *,
    actor: Any,
    ctx: AccessContext,
    doc_type: DocumentType | str,
    title: str,
    body: str = "",
    amount: Decimal | None = None,
    drafting_unit: OrgUnit | None = None,
    consultees: Sequence[Staff] = (),
    circulate_to: Sequence[Staff] = (),
    attachments: Sequence[UploadedFile] = (),
    contains_personal_info: bool = False,
    extra: Callable[[Document], Any] | None = None,
) -> Document:
    """Create a document, copy its route onto it and file it. Runs inside the caller's transaction (a document
    type's own service wraps it in one durable transaction together with its detail row, `extra`)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_file_new must run inside a transaction; use document_file")
    applicant = _staff(actor)
    unit = drafting_unit or _primary_unit(applicant, ctx)
    document = Document(
        doc_type=doc_type,
        title=(title or "").strip(),
        body=body,
        applicant=applicant,
        drafting_unit=unit,
        amount=amount,
        contains_personal_info=contains_personal_info,
    )
    access.require(actor, "file", document, ctx)
    if not document.title:
        raise ActionRefused(_("Please give the document a title."))
    if amount is not None and amount < 0:
        raise ActionRefused(_("The amount cannot be negative."))
    plan = routing.plan_route(
        applicant=applicant,
        drafting_unit=unit,
        doc_type=doc_type,
        amount=amount,
        on=ctx.today,
        consultees=consultees,
        circulate_to=circulate_to,
    )
    now = timezone.now()
    document.status, document.filed_at, document.rule = DocumentStatus.IN_PROGRESS, now, plan.rule
    document.save()
    if extra is not None:
        extra(document)
    slots = []
    for order, planned in enumerate(plan.steps, start=1):
        step = RouteStep.objects.create(
            document=document,
            order=order,
            kind=planned.kind,
            is_decision=planned.is_decision,
            label=str(planned.label)[:50],
        )
        slots.extend(
            StepApprover(step=step, document=document, staff=s, is_circulation=planned.kind == StepKind.CIRCULATE)
            for s in planned.staff
        )
    StepApprover.objects.bulk_create(slots)
    participants = {s.staff.user_id for s in slots if s.staff.user_id}
    access.grant("view", document, participants)
    me = _Actor(by=applicant, for_=applicant)
    for upload in attachments:
        _attach(document, upload, me, ctx)
    _audit(document, AuditAction.FILE, me, ctx, rule=plan.rule.pk, steps=len(plan.steps))
    from approvals import workflow

    workflow.process_start(document)
    touched: set[int] = set()
    _advance(document, 0, ctx, touched)
    live.queues_changed(touched | {applicant.pk})
    return document


def document_file(**kwargs: Any) -> Document:
    """File a document of a type that has no detail row of its own (see document_file_new)."""
    with transaction.atomic(durable=True):
        return document_file_new(**kwargs)


def document_resubmit(*, document: Document, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """The applicant files a sent-back document again; the route starts over from its first step."""
    with transaction.atomic(durable=True):
        document = _lock(document.pk)
        access.require(actor, "resubmit", document, ctx)
        if document.status != DocumentStatus.SENT_BACK:
            raise AlreadyHandled(_("Only a document sent back to you can be filed again."))
        comment = _comment(comment, required=False)
        me = _Actor(by=document.applicant, for_=document.applicant)
        document.status = DocumentStatus.IN_PROGRESS
        document.save(update_fields=["status"])
        touched: set[int] = {document.applicant_id}
        _audit(document, AuditAction.RESUBMIT, me, ctx, comment)
        _advance(document, 0, ctx, touched)
        live.queues_changed(touched)
    return document


def _attach(document: Document, upload: UploadedFile, actor: _Actor, ctx: AccessContext) -> Attachment:
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if not name or upload.size is None or upload.size == 0:
        raise ActionRefused(_("The attached file %(name)s is empty.") % {"name": name or "?"})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ActionRefused(
            _("The attached file %(name)s is larger than %(mb)d MB.") % {"name": name, "mb": MAX_ATTACHMENT_BYTES >> 20}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        document=document,
        name=name,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor.by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _audit(document, AuditAction.ATTACH, actor, ctx, name=name, sha256=attachment.sha256, size=upload.size)
    return attachment


def attachment_add(*, document: Document, actor: Any, ctx: AccessContext, upload: UploadedFile) -> Attachment:
    """Attach a file while the document is a draft or sent back to the applicant."""
    with transaction.atomic(durable=True):
        document = _lock(document.pk)
        access.require(actor, "attach", document, ctx)
        if document.status not in (DocumentStatus.DRAFT, DocumentStatus.SENT_BACK):
            raise ActionRefused(_("Files can only be attached before filing or after the document is sent back."))
        me = _Actor(by=document.applicant, for_=document.applicant)
        return _attach(document, upload, me, ctx)


# --------------------------------------------------------------------------------------------------------
# Approvers' actions
# --------------------------------------------------------------------------------------------------------


def slot_approve(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """承認, or 決裁 when the slot is on the decision step."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        touched = _approve(document, slot, who, ctx, _comment(comment, required=False))
        live.queues_changed(touched)
    return document


@dataclass
class BulkResult:
    approved: list[Document] = field(default_factory=list)
    decided: list[Document] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (slot id, message)


def slots_bulk_approve(*, slot_ids: Iterable[int], actor: Any, ctx: AccessContext) -> BulkResult:
    """一括承認: approve each selected queue item. Items someone else handled, or that the user may not act on,
    are reported and skipped; the others are approved (each in its own savepoint, one transaction in all)."""
    ids = sorted({int(i) for i in slot_ids})
    result = BulkResult()
    if not ids:
        return result
    with transaction.atomic(durable=True):
        by = _staff(actor)
        allowed = {
            s.pk: s
            for s in access.visible(actor, "act", StepApprover.objects.filter(pk__in=ids), ctx).select_related("staff")
        }
        document_ids = sorted({s.document_id for s in allowed.values()})
        documents = {
            d.pk: d
            for d in Document.objects.select_for_update(of=("self",))
            .select_related("drafting_unit")
            .filter(pk__in=document_ids)
            .order_by("pk")
        }
        delegations = {i.staff_id: i.delegation_id for i in access.principal(actor, ctx).delegated}
        touched: set[int] = set()
        for slot_id in ids:
            slot = allowed.get(slot_id)
            if slot is None:
                result.refused.append((slot_id, str(access.REASON_NOT_ALLOWED)))
                continue
            document = documents[slot.document_id]
            who = _Actor(by=by, for_=slot.staff, delegation_id=delegations.get(slot.staff_id))
            try:
                with transaction.atomic():
                    touched |= _approve(document, slot, who, ctx, "")
            except ActionRefused as refusal:
                document.refresh_from_db()
                result.refused.append(
                    (slot_id, _("%(title)s: %(message)s") % {"title": document.title, "message": refusal.message})
                )
                continue
            (result.decided if document.status == DocumentStatus.DECIDED else result.approved).append(document)
        live.queues_changed(touched)
    return result


def slot_approve_ahead(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """Approve ahead of absent approvers (後閲): the route jumps to the user's step; the approvers skipped keep
    the document in their queue to review after the fact, and the record shows it."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        _require_open(document)
        slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
        if slot.is_circulation or slot.state != SlotState.WAITING:
            raise AlreadyHandled(
                _handled_message(slot) if slot.state != SlotState.PENDING else _("It is already your turn.")
            )
        skipped_steps = [
            s
            for s in _blocking(document.steps.filter(order__lt=slot.step.order).order_by("order"))
            if s.state in (StepState.WAITING, StepState.ACTIVE)
        ]
        skipped = StepApprover.objects.filter(
            step__in=skipped_steps, state__in=(SlotState.WAITING, SlotState.PENDING)
        ).select_related("staff")
        names = [str(s.staff) for s in skipped]
        touched: set[int] = {s.staff_id for s in skipped}
        skipped.update(state=SlotState.POST_REVIEW, waiting_since=timezone.now())
        RouteStep.objects.filter(pk__in=[s.pk for s in skipped_steps]).update(
            state=StepState.DONE, completed_at=timezone.now()
        )
        _audit(document, AuditAction.POST_REVIEW, who, ctx, _comment(comment, required=False), skipped=names)
        # Circulation steps passed over are opened now; then the user's own step.
        _advance(document, 0, ctx, touched)
        touched |= _approve(document, slot, who, ctx, _comment(comment, required=False))
        live.queues_changed(touched)
    return document


def slot_post_review(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """The approver who was absent reviews a document approved past them (後閲済). Possible after the decision."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        slot = StepApprover.objects.get(pk=slot.pk)
        if slot.state != SlotState.POST_REVIEW:
            raise AlreadyHandled(_handled_message(slot))
        comment = _comment(comment, required=False)
        _mark(slot, SlotState.POST_REVIEWED, who.by, comment)
        _audit(document, AuditAction.POST_REVIEWED, who, ctx, comment)
        live.queues_changed({slot.staff_id})
    return document


def slot_acknowledge(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """Mark a circulated document as seen (回覧・供覧)."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        slot = StepApprover.objects.get(pk=slot.pk)
        if not slot.is_circulation:
            raise ActionRefused(_("Only circulated documents are acknowledged."))
        if slot.state != SlotState.PENDING:
            raise AlreadyHandled(_handled_message(slot))
        comment = _comment(comment, required=False)
        _mark(slot, SlotState.ACKNOWLEDGED, who.by, comment)
        _audit(document, AuditAction.ACKNOWLEDGE, who, ctx, comment)
        live.queues_changed({slot.staff_id})
    return document


def slot_pull_back(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """引戻し: take back one's own approval while nobody after it has acted yet."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        _require_open(document)
        slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
        if slot.state != SlotState.APPROVED:
            raise ActionRefused(_("Only an approval can be pulled back."))
        # Later steps are reset whenever the route moves back past them, so any act recorded there came after
        # this approval (compared by state, not by time: two acts may share a clock reading).
        later = StepApprover.objects.filter(
            document=document, step__order__gt=slot.step.order, is_circulation=False, acted_at__isnull=False
        )
        if later.exists():
            raise AlreadyHandled(
                _("Someone after you has already acted, so your approval can no longer be pulled back.")
            )
        touched: set[int] = {slot.staff_id}
        step = slot.step
        later_steps = _blocking(document.steps.filter(order__gt=step.order))
        _reset(later_steps, touched)
        siblings = step.approvers.filter(state=SlotState.NOT_NEEDED)
        touched.update(siblings.values_list("staff_id", flat=True))
        siblings.update(state=SlotState.PENDING)
        _mark(slot, SlotState.PENDING, None)
        step.state, step.completed_at = StepState.ACTIVE, None
        step.save(update_fields=["state", "completed_at"])
        _audit(document, AuditAction.PULL_BACK, who, ctx, _comment(comment, required=False), step=step.order)
        live.queues_changed(touched)
    return document


def document_send_back(*, slot: StepApprover, actor: Any, ctx: AccessContext, to_order: int, comment: str) -> Document:
    """差し戻し to an earlier step (`to_order` >= 1; the flow stays open) or to the applicant (`to_order` 0)."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        comment = _comment(comment, required=True)
        _require_open(document)
        slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
        if slot.is_circulation:
            raise ActionRefused(_("Circulated documents are acknowledged, not sent back."))
        if slot.state != SlotState.PENDING:
            raise AlreadyHandled(_handled_message(slot))
        current = slot.step.order
        targets = {s.order: s for s in _blocking(document.steps.filter(order__lt=current))}
        if to_order != 0 and to_order not in targets:
            raise ActionRefused(_("Choose the applicant or an earlier step of the route to send the document back to."))
        touched: set[int] = {document.applicant_id}
        _reset(_blocking(document.steps.filter(order__gte=to_order or 1)), touched)
        _audit(document, AuditAction.SEND_BACK, who, ctx, comment, to_step=to_order, from_step=current)
        if to_order == 0:
            document.status = DocumentStatus.SENT_BACK
            document.save(update_fields=["status"])
        else:
            _activate(targets[to_order], timezone.now(), touched)
        live.queues_changed(touched)
    return document


def document_reject(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str) -> Document:
    """却下: the flow ends; nothing the document would have done happens."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        who = _slot_actor(user=actor, slot=slot, ctx=ctx)
        comment = _comment(comment, required=True)
        _require_open(document)
        slot = StepApprover.objects.get(pk=slot.pk)
        if slot.is_circulation:
            raise ActionRefused(_("Circulated documents are acknowledged, not rejected."))
        if slot.state != SlotState.PENDING:
            raise AlreadyHandled(_handled_message(slot))
        _mark(slot, SlotState.REJECTED, who.by, comment)
        touched: set[int] = {document.applicant_id, slot.staff_id}
        _close(document, DocumentStatus.REJECTED, touched)
        _audit(document, AuditAction.REJECT, who, ctx, comment)
        live.queues_changed(touched)
    return document


def document_withdraw(*, document: Document, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """取り下げ by the applicant, possible until the document is decided."""
    with transaction.atomic(durable=True):
        document = _lock(document.pk)
        access.require(actor, "withdraw", document, ctx)
        if document.status not in (DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK):
            _require_open(document)
        me = _Actor(by=document.applicant, for_=document.applicant)
        touched: set[int] = {document.applicant_id}
        _close(document, DocumentStatus.WITHDRAWN, touched)
        _audit(document, AuditAction.WITHDRAW, me, ctx, _comment(comment, required=False))
        live.queues_changed(touched)
    return document


def slot_reassign(*, slot: StepApprover, new_staff: Staff, actor: Any, ctx: AccessContext, reason: str) -> Document:
    """HR or the system administrators put someone else in a pending step (logged with who, when and why)."""
    with transaction.atomic(durable=True):
        document = _lock(slot.document_id)
        access.require(actor, "reassign", document, ctx)
        reason = _comment(reason, required=True)
        if document.status not in (DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK):
            _require_open(document)
        slot = StepApprover.objects.select_related("staff").get(pk=slot.pk)
        if slot.state not in (SlotState.WAITING, SlotState.PENDING):
            raise AlreadyHandled(_("Only an approver who has not acted yet can be changed."))
        if slot.step.approvers.filter(staff=new_staff).exists() or new_staff.pk == document.applicant_id:
            raise ActionRefused(_("%(name)s is already on this step or is the applicant.") % {"name": new_staff})
        if not routing._on_duty([new_staff.pk], ctx.today):
            raise ActionRefused(_("%(name)s holds no post today.") % {"name": new_staff})
        old = slot.staff
        slot.staff = new_staff
        slot.save(update_fields=["staff"])
        if new_staff.user_id:
            access.grant("view", document, [new_staff.user_id])
        me = _staff(actor)
        _audit(
            document,
            AuditAction.REASSIGN,
            _Actor(by=me, for_=me),
            ctx,
            reason,
            step=slot.step.order,
            old=old.pk,
            old_name=str(old),
            new=new_staff.pk,
            new_name=str(new_staff),
        )
        live.queues_changed({old.pk, new_staff.pk})
    return document
