"""What every action of the engine shares: the action's transaction, locks, refusals, the audit entry, and the
moves of a route (activate, reset, advance, close, decide). Private to approvals/services/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from approvals import audit, notify, numbering, workflow
from approvals.doctypes import Acting
from approvals.models import (
    AuditAction,
    Document,
    DocumentStatus,
    NotificationKind,
    RouteStep,
    SlotState,
    StepApprover,
    StepKind,
    StepState,
)
from personnel import access
from personnel.access import AccessContext, AccessDenied
from personnel.models import Staff
from personnel.org import staff_for_user

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


@contextmanager
def action() -> Iterator[audit.Collector]:
    """One user action: one durable transaction, whose audit entries are chained at its very end (so the chain's
    head, which every action in the city shares, is locked only for that moment; approvals/audit.py)."""
    with transaction.atomic(durable=True), audit.collecting() as collector, notify.collecting():
        yield collector


def staff_of(user: Any) -> Staff:
    staff = staff_for_user(user=user)
    if staff is None:
        raise AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    return staff


def lock(document_id: int) -> Document:
    try:
        return Document.objects.select_for_update().get(pk=document_id)
    except Document.DoesNotExist:
        raise ActionRefused(_("This document does not exist.")) from None


def when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def clean_comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ActionRefused(_("Please write a comment saying why."))
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ActionRefused(_("The comment is too long (at most %(n)d characters).") % {"n": MAX_COMMENT_LENGTH})
    return comment


def require_open(document: Document) -> None:
    if document.status == DocumentStatus.IN_PROGRESS:
        return
    messages = {
        DocumentStatus.DECIDED: _("This document has already been decided (%(number)s)."),
        DocumentStatus.REJECTED: _("This document has already been rejected."),
        DocumentStatus.WITHDRAWN: _("This document has been withdrawn by the applicant."),
        DocumentStatus.SENT_BACK: _("This document has been sent back to the applicant."),
        DocumentStatus.DRAFT: _("This document has not been filed yet."),
        DocumentStatus.CANCELLED: _("This document has been cancelled (%(number)s)."),
    }
    raise AlreadyHandled(messages[document.status] % {"number": document.number or ""})


def handled_message(slot: StepApprover) -> str:
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
            "when": when(slot.acted_at),
        }
    return _("This step no longer awaits you.")


def slot_actor(*, user: Any, slot: StepApprover, ctx: AccessContext) -> Acting:
    """Who acts on `slot`: the approver of record, or their delegate (代理). Nobody acts on a document they
    filed (the slot policy's separation of duties), in person or as a delegate."""
    decision = access.require(user, "act", slot, ctx)
    return Acting(by=staff_of(user), for_=slot.staff, delegation_id=decision.delegation_id)


def applicant_acting(document: Document) -> Acting:
    return Acting(by=document.applicant, for_=document.applicant)


def record(
    document: Document,
    action: str,
    actor: Acting | None,
    ctx: AccessContext,
    comment: str = "",
    **detail: Any,
) -> None:
    """The audit entry of one step of the action (who, for whom, from where), chained when the action ends."""
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


def refusal_message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --------------------------------------------------------------------------------------------------------
# The route
# --------------------------------------------------------------------------------------------------------


def blocking(steps: Iterable[RouteStep]) -> list[RouteStep]:
    return [s for s in steps if s.kind != StepKind.CIRCULATE]


def activate(step: RouteStep, now: Any, touched: set[int], kind: str = NotificationKind.ARRIVED) -> None:
    """The step's turn: its stamp boxes wait for their holders, who are told (`kind`: arrived, or sent back)."""
    step.state, step.activated_at, step.completed_at = StepState.ACTIVE, now, None
    step.save(update_fields=["state", "activated_at", "completed_at"])
    waiting = step.approvers.filter(state=SlotState.WAITING)
    slots = list(waiting.values_list("pk", "staff_id"))
    touched.update(staff_id for _pk, staff_id in slots)
    waiting.update(state=SlotState.PENDING, waiting_since=now)
    notify.arrived(
        [pk for pk, _staff in slots], NotificationKind.CIRCULATED if step.kind == StepKind.CIRCULATE else kind
    )


def reset(steps: Iterable[RouteStep], touched: set[int]) -> None:
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


def advance(document: Document, after_order: int, touched: set[int]) -> bool:
    """Activate the steps after `after_order` up to the next blocking one. True when none is left (decide)."""
    now = timezone.now()
    for step in document.steps.filter(order__gt=after_order, state=StepState.WAITING).order_by("order"):
        activate(step, now, touched)
        if step.kind != StepKind.CIRCULATE:
            return False
    return True


def close(document: Document, status: str, touched: set[int], *, ctx: AccessContext, actor: Acting) -> None:
    """End the flow: every slot still waiting or pending is cancelled (後閲 reviews stay open). A rejected or
    withdrawn document's type releases what its filing took (`on_closed`)."""
    now = timezone.now()
    open_slots = document.slots.filter(state__in=(SlotState.WAITING, SlotState.PENDING))
    if status == DocumentStatus.DECIDED:
        # Circulation (回覧) stays readable and acknowledgeable after the decision.
        open_slots = open_slots.filter(is_circulation=False)
    waiting_on = list(open_slots.values_list("staff_id", "state"))
    touched.update(staff_id for staff_id, _state in waiting_on)
    if status == DocumentStatus.WITHDRAWN:
        # Whoever had it in their queue learns why it left.
        pending = [staff_id for staff_id, state in waiting_on if state == SlotState.PENDING]
        notify.add(NotificationKind.WITHDRAWN, document_id=document.pk, staff_ids=pending)
    elif status == DocumentStatus.REJECTED:
        notify.add(NotificationKind.REJECTED, document_id=document.pk, staff_ids=[document.applicant_id])
    open_slots.update(state=SlotState.CANCELLED)
    steps = document.steps.filter(state__in=(StepState.WAITING, StepState.ACTIVE))
    if status == DocumentStatus.DECIDED:
        steps = steps.exclude(kind=StepKind.CIRCULATE)
    steps.update(state=StepState.CANCELLED)
    document.status, document.closed_at = status, now
    document.save(update_fields=["status", "closed_at"])
    if status != DocumentStatus.DECIDED and not document.is_cancellation:
        doctype = document.doctype
        doctype.on_closed(document=document, detail=doctype.detail_of(document), status=status, ctx=ctx, actor=actor)
    if document.process_id:
        workflow.process_finish(document)


def decide(document: Document, actor: Acting, ctx: AccessContext, comment: str, touched: set[int]) -> None:
    """決裁: the type's decision hook (or, for a cancellation request, the undoing of the cancelled document), then
    the decision number, then the end of the flow. Lock order: document → the type's rows → number (→ audit head at
    the end of the action). A ValidationError from the type refuses the decision: ActionRefused, nothing kept."""
    try:
        if document.is_cancellation:
            cancel_original(document, actor, ctx, touched)
        else:
            doctype = document.doctype
            doctype.on_decided(document=document, detail=doctype.detail_of(document), ctx=ctx, actor=actor)
    except ValidationError as error:
        raise ActionRefused(refusal_message(error)) from error
    if not document.number:  # a document returned after its decision (返戻) keeps the number it was given
        document.number = numbering.next_number(unit=document.drafting_unit, on=ctx.today)
    document.decided_at = timezone.now()
    document.save(update_fields=["number", "decided_at"])
    close(document, DocumentStatus.DECIDED, touched, ctx=ctx, actor=actor)
    touched.add(document.applicant_id)
    notify.add(NotificationKind.DECIDED, document_id=document.pk, staff_ids=[document.applicant_id])
    record(document, AuditAction.DECIDE, actor, ctx, comment, number=document.number)


def cancel_original(cancellation: Document, actor: Acting, ctx: AccessContext, touched: set[int]) -> None:
    """A cancellation request (取消) is being decided: the cancelled document's type undoes its effect, and the
    document is marked cancelled, linked to the request that cancelled it."""
    original = lock(cancellation.cancels_id)
    if original.status != DocumentStatus.DECIDED:
        raise ActionRefused(_("The document this cancellation is for is no longer decided."))
    doctype = original.doctype
    detail = doctype.detail_of(original)
    refusal = doctype.cancel_refusal(document=original, detail=detail, ctx=ctx)
    if refusal:
        raise ActionRefused(refusal)
    doctype.on_cancelled(document=original, detail=detail, ctx=ctx, actor=actor)
    original.status, original.closed_at = DocumentStatus.CANCELLED, timezone.now()
    original.save(update_fields=["status", "closed_at"])
    touched.add(original.applicant_id)
    notify.add(NotificationKind.CANCELLED, document_id=original.pk, staff_ids=[original.applicant_id])
    record(original, AuditAction.CANCEL, actor, ctx, cancellation.body, cancelled_by=cancellation.pk)


def mark(slot: StepApprover, state: str, by: Staff | None, comment: str = "") -> None:
    """Record what happened at one stamp box (押印欄): the state, who pressed the button, when, and the comment."""
    slot.state, slot.acted_by, slot.comment = state, by, comment
    slot.acted_at = timezone.now() if by is not None else None
    slot.save(update_fields=["state", "acted_at", "acted_by", "comment"])


def approve(document: Document, slot: StepApprover, actor: Acting, ctx: AccessContext, comment: str) -> set[int]:
    """Approve (or, on the decision step, decide) with the document already locked. Returns staff to notify."""
    require_open(document)
    slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
    if slot.is_circulation:
        raise ActionRefused(_("Circulated documents are acknowledged, not approved."))
    if slot.state != SlotState.PENDING:
        raise AlreadyHandled(handled_message(slot))
    touched: set[int] = {slot.staff_id}
    now = timezone.now()
    step = slot.step
    mark(slot, SlotState.APPROVED, actor.by, comment)
    others = step.approvers.exclude(pk=slot.pk)
    if step.kind == StepKind.ANY:
        touched.update(others.filter(state=SlotState.PENDING).values_list("staff_id", flat=True))
        others.filter(state=SlotState.PENDING).update(state=SlotState.NOT_NEEDED)
        step_done = True
    else:
        step_done = not others.filter(state=SlotState.PENDING).exists()
    if not step_done:
        record(document, AuditAction.APPROVE, actor, ctx, comment, step=step.order)
        return touched
    step.state, step.completed_at = StepState.DONE, now
    step.save(update_fields=["state", "completed_at"])
    if step.is_decision:
        advance(document, step.order, touched)  # circulation after the decision
        decide(document, actor, ctx, comment, touched)
    else:
        record(document, AuditAction.APPROVE, actor, ctx, comment, step=step.order)
        advance(document, step.order, touched)
    return touched
