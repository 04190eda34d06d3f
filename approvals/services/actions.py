"""What approvers do with a document on their route: approve or decide (承認・決裁, one at a time or in bulk
一括承認), approve ahead of absent approvers (後閲), review after the fact, acknowledge a circulation (回覧), pull
back their approval (引戻し), send it back (差し戻し) or reject it (却下); and HR's change of an approver.

Each locks the document row first, so two approvers, two tabs or a double-submitted form are serialised and the
second one is told what happened instead of acting twice (`AlreadyHandled`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import live, notify, routing
from approvals.doctypes import Acting
from approvals.models import (
    AuditAction,
    Document,
    DocumentStatus,
    NotificationKind,
    RouteStep,
    SlotState,
    StepApprover,
    StepState,
)
from approvals.services._core import (
    ActionRefused,
    AlreadyHandled,
    action,
    activate,
    advance,
    approve,
    blocking,
    clean_comment,
    close,
    handled_message,
    lock,
    mark,
    record,
    require_open,
    reset,
    slot_actor,
    staff_of,
)
from personnel import absence, access
from personnel.access import AccessContext
from personnel.models import Staff
from personnel.org import assignments_current, delegations_active


def slot_approve(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """承認, or 決裁 when the slot is on the decision step."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        touched = approve(document, slot, who, ctx, clean_comment(comment, required=False))
        live.queues_changed(touched)
    return document


def slot_approve_ahead(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """Approve ahead of absent approvers (後閲): the route jumps to the user's step; the approvers skipped keep
    the document in their queue to review after the fact, and the record shows it and why each was away. Refused
    when any of them is not absent today (personnel/absence.py: decided leave, an absence marked for the day)."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        require_open(document)
        slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
        if slot.is_circulation or slot.state != SlotState.WAITING:
            raise AlreadyHandled(
                handled_message(slot) if slot.state != SlotState.PENDING else _("It is already your turn.")
            )
        skipped_steps = [
            s
            for s in blocking(document.steps.filter(order__lt=slot.step.order).order_by("order"))
            if s.state in (StepState.WAITING, StepState.ACTIVE)
        ]
        skipped = StepApprover.objects.filter(
            step__in=skipped_steps, state__in=(SlotState.WAITING, SlotState.PENDING)
        ).select_related("staff")
        names = [str(s.staff) for s in skipped]
        absent = absence.absences([s.staff_id for s in skipped], ctx.today)
        present = [str(s.staff) for s in skipped if s.staff_id not in absent]
        if present:
            raise ActionRefused(
                _(
                    "%(names)s: not absent today (no decided leave, no absence marked for the day). 後閲 passes over "
                    "only approvers who are away; otherwise the document waits for them."
                )
                % {"names": "、".join(present)}
            )
        reasons = {str(s.staff): absent[s.staff_id] for s in skipped}
        touched: set[int] = {s.staff_id for s in skipped}
        skipped_ids = [s.pk for s in skipped]
        skipped.update(state=SlotState.POST_REVIEW, waiting_since=timezone.now())
        notify.arrived(skipped_ids, NotificationKind.POST_REVIEW)
        RouteStep.objects.filter(pk__in=[s.pk for s in skipped_steps]).update(
            state=StepState.DONE, completed_at=timezone.now()
        )
        record(
            document,
            AuditAction.POST_REVIEW,
            who,
            ctx,
            clean_comment(comment, required=False),
            skipped=names,
            absent=reasons,
        )
        # Circulation steps passed over are opened now; then the user's own step.
        advance(document, 0, touched)
        touched |= approve(document, slot, who, ctx, clean_comment(comment, required=False))
        live.queues_changed(touched)
    return document


def slot_post_review(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """The approver who was absent reviews a document approved past them (後閲済). Possible after the decision."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        slot = StepApprover.objects.get(pk=slot.pk)
        if slot.state != SlotState.POST_REVIEW:
            raise AlreadyHandled(handled_message(slot))
        comment = clean_comment(comment, required=False)
        mark(slot, SlotState.POST_REVIEWED, who.by, comment)
        record(document, AuditAction.POST_REVIEWED, who, ctx, comment)
        live.queues_changed({slot.staff_id})
    return document


def slot_acknowledge(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """Mark a circulated document as seen (回覧・供覧)."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        slot = StepApprover.objects.get(pk=slot.pk)
        if not slot.is_circulation:
            raise ActionRefused(_("Only circulated documents are acknowledged."))
        if slot.state != SlotState.PENDING:
            raise AlreadyHandled(handled_message(slot))
        comment = clean_comment(comment, required=False)
        mark(slot, SlotState.ACKNOWLEDGED, who.by, comment)
        record(document, AuditAction.ACKNOWLEDGE, who, ctx, comment)
        live.queues_changed({slot.staff_id})
    return document


def slot_pull_back(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """引戻し: take back one's own approval while nobody after it has acted yet."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        require_open(document)
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
        later_steps = blocking(document.steps.filter(order__gt=step.order))
        reset(later_steps, touched)
        siblings = step.approvers.filter(state=SlotState.NOT_NEEDED)
        touched.update(siblings.values_list("staff_id", flat=True))
        siblings.update(state=SlotState.PENDING)
        mark(slot, SlotState.PENDING, None)
        step.state, step.completed_at = StepState.ACTIVE, None
        step.save(update_fields=["state", "completed_at"])
        record(document, AuditAction.PULL_BACK, who, ctx, clean_comment(comment, required=False), step=step.order)
        live.queues_changed(touched)
    return document


def document_send_back(*, slot: StepApprover, actor: Any, ctx: AccessContext, to_order: int, comment: str) -> Document:
    """差し戻し to an earlier step (`to_order` >= 1; the flow stays open) or to the applicant (`to_order` 0)."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        comment = clean_comment(comment, required=True)
        require_open(document)
        slot = StepApprover.objects.select_related("step").get(pk=slot.pk)
        if slot.is_circulation:
            raise ActionRefused(_("Circulated documents are acknowledged, not sent back."))
        if slot.state != SlotState.PENDING:
            raise AlreadyHandled(handled_message(slot))
        current = slot.step.order
        targets = {s.order: s for s in blocking(document.steps.filter(order__lt=current))}
        if to_order != 0 and to_order not in targets:
            raise ActionRefused(_("Choose the applicant or an earlier step of the route to send the document back to."))
        touched: set[int] = {document.applicant_id}
        reset(blocking(document.steps.filter(order__gte=to_order or 1)), touched)
        record(document, AuditAction.SEND_BACK, who, ctx, comment, to_step=to_order, from_step=current)
        if to_order == 0:
            document.status = DocumentStatus.SENT_BACK
            document.save(update_fields=["status"])
            notify.add(NotificationKind.SENT_BACK, document_id=document.pk, staff_ids=[document.applicant_id])
        else:
            activate(targets[to_order], timezone.now(), touched, NotificationKind.SENT_BACK)
        live.queues_changed(touched)
    return document


def document_reject(*, slot: StepApprover, actor: Any, ctx: AccessContext, comment: str) -> Document:
    """却下: the flow ends; nothing the document would have done happens."""
    with action():
        document = lock(slot.document_id)
        who = slot_actor(user=actor, slot=slot, ctx=ctx)
        comment = clean_comment(comment, required=True)
        require_open(document)
        slot = StepApprover.objects.get(pk=slot.pk)
        if slot.is_circulation:
            raise ActionRefused(_("Circulated documents are acknowledged, not rejected."))
        if slot.state != SlotState.PENDING:
            raise AlreadyHandled(handled_message(slot))
        mark(slot, SlotState.REJECTED, who.by, comment)
        touched: set[int] = {document.applicant_id, slot.staff_id}
        close(document, DocumentStatus.REJECTED, touched, ctx=ctx, actor=who)
        record(document, AuditAction.REJECT, who, ctx, comment)
        live.queues_changed(touched)
    return document


def _highest_rank(staff_id: int, days: set[Any]) -> int:
    """The highest rank of the posts `staff_id` holds on any of `days` (0 for none)."""
    ranks = [
        rank
        for day in days
        for rank in assignments_current(on=day).filter(staff_id=staff_id).values_list("position__rank", flat=True)
    ]
    return max(ranks, default=0)


def _require_rank_or_delegate(*, document: Document, old: Staff, new: Staff, ctx: AccessContext) -> None:
    """A step goes only to someone who holds its rank or higher — the rank its approver held when the document
    was filed, or holds today — or to that approver's active delegate (代理)."""
    if delegations_active(on=ctx.today).filter(delegator_id=old.pk, delegate_id=new.pk).exists():
        return
    days = {ctx.today} | ({timezone.localdate(document.filed_at)} if document.filed_at else set())
    needed = _highest_rank(old.pk, days)
    if _highest_rank(new.pk, {ctx.today}) < needed:
        raise ActionRefused(
            _(
                "%(name)s holds no post of this step's rank or higher today (nor acts for %(old)s): a step goes to "
                "someone of its rank, or to its approver's delegate."
            )
            % {"name": new, "old": old}
        )


def slot_reassign(*, slot: StepApprover, new_staff: Staff, actor: Any, ctx: AccessContext, reason: str) -> Document:
    """HR or the system administrators put someone else in a pending step (logged with who, when and why)."""
    with action():
        document = lock(slot.document_id)
        access.require(actor, "reassign", document, ctx)
        reason = clean_comment(reason, required=True)
        if document.status not in (DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK):
            require_open(document)
        slot = StepApprover.objects.select_related("staff").get(pk=slot.pk)
        if slot.state not in (SlotState.WAITING, SlotState.PENDING):
            raise AlreadyHandled(_("Only an approver who has not acted yet can be changed."))
        if slot.step.approvers.filter(staff=new_staff).exists() or new_staff.pk == document.applicant_id:
            raise ActionRefused(_("%(name)s is already on this step or is the applicant.") % {"name": new_staff})
        me = staff_of(actor)
        if me is not None and new_staff.pk == me.pk:
            raise ActionRefused(_("You cannot put yourself in a step of a document: ask a colleague to do it."))
        if not routing.on_duty([new_staff.pk], ctx.today):
            raise ActionRefused(_("%(name)s holds no post today.") % {"name": new_staff})
        old = slot.staff
        _require_rank_or_delegate(document=document, old=old, new=new_staff, ctx=ctx)
        slot.staff = new_staff
        slot.save(update_fields=["staff"])  # the new approver reads the document from now on, the old one no longer
        record(
            document,
            AuditAction.REASSIGN,
            Acting(by=me, for_=me),
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
