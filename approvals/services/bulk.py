"""一括承認・決裁: approve or decide many queue items in one action, as a set.

The single path (`_core.approve`) replays per item what the bulk does for all of them here in a fixed number of
statements: every row is read once, under the document locks, and written back in bulk; only the document types'
decision hooks run per item (each in a savepoint, so a type that refuses one decision refuses that item alone);
the numbers are taken in one batch per department, viewflow's rows written in batch, the audit entries hashed and
inserted together at the end of the action, and one live announcement goes out. The result — states, audit
entries, numbers, viewflow rows — is what approving the items one by one in the same order gives
(tests/approvals/test_bulk.py compares the two).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import live, notify, numbering, workflow
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
from approvals.selectors import attach_details
from approvals.services._core import (
    ActionRefused,
    AlreadyHandled,
    action,
    cancel_original,
    handled_message,
    record,
    refusal_message,
    require_open,
    staff_of,
)
from personnel import access
from personnel.access import AccessContext


@dataclass
class BulkResult:
    approved: list[Document] = field(default_factory=list)
    decided: list[Document] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (slot id, message)


def _refusal(actor: Any, slot_id: int, ctx: AccessContext) -> str:
    """Why the user may not act on a slot they ticked (e.g. their own document: separation of duties)."""
    slot = StepApprover.objects.select_related("document").filter(pk=slot_id).first()
    if slot is None or not access.can(actor, "view", slot.document, ctx):
        return str(access.REASON_NOT_ALLOWED)  # nothing about a document the user may not even read
    return _("%(title)s: %(message)s") % {
        "title": slot.document.title,
        "message": access.check(actor, "act", slot, ctx).reason or access.REASON_NOT_ALLOWED,
    }


class _Route:
    """One locked document's steps and stamp boxes, changed in memory as the bulk walks it; what changed is
    written back in bulk afterwards."""

    def __init__(self, document: Document, steps: list[RouteStep], slots: list[StepApprover]) -> None:
        self.document = document
        self.steps = steps
        self.slots = {s.pk: s for s in slots}
        self.by_step: dict[int, list[StepApprover]] = defaultdict(list)
        for slot in slots:
            self.by_step[slot.step_id].append(slot)
        self.changed_steps: dict[int, RouteStep] = {}
        self.changed_slots: dict[int, StepApprover] = {}
        self.changed_fields: dict[tuple[type, int], frozenset[str]] = {}  # what each changed row had set

    def _note(self, row: Any, names: Iterable[str]) -> None:
        key = (type(row), row.pk)
        self.changed_fields[key] = self.changed_fields.get(key, frozenset()) | frozenset(names)

    def step_of(self, slot: StepApprover) -> RouteStep:
        return next(s for s in self.steps if s.pk == slot.step_id)

    def set_slot(self, slot: StepApprover, **values: Any) -> None:
        for name, value in values.items():
            setattr(slot, name, value)
        self.changed_slots[slot.pk] = slot
        self._note(slot, values)

    def set_step(self, step: RouteStep, **values: Any) -> None:
        for name, value in values.items():
            setattr(step, name, value)
        self.changed_steps[step.pk] = step
        self._note(step, values)

    def advance(self, after_order: int, now: Any, touched: set[int]) -> None:
        """`_core.advance` in memory: activate the steps after `after_order` up to the next blocking one."""
        for step in self.steps:
            if step.order <= after_order or step.state != StepState.WAITING:
                continue
            self.set_step(step, state=StepState.ACTIVE, activated_at=now, completed_at=None)
            for slot in self.by_step[step.pk]:
                if slot.state == SlotState.WAITING:
                    touched.add(slot.staff_id)
                    self.set_slot(slot, state=SlotState.PENDING, waiting_since=now)
                    # Kept only if still pending when the bulk ends (the next approver may be the user, in the bulk).
                    kind = NotificationKind.CIRCULATED if slot.is_circulation else NotificationKind.ARRIVED
                    notify.arrived([slot.pk], kind)
            if step.kind != StepKind.CIRCULATE:
                return

    def close_decided(self, touched: set[int]) -> None:
        """`_core.close` for a decision, in memory: what still waits is cancelled; circulation stays open."""
        for slot in self.slots.values():
            if slot.state in (SlotState.WAITING, SlotState.PENDING) and not slot.is_circulation:
                touched.add(slot.staff_id)
                self.set_slot(slot, state=SlotState.CANCELLED)
        for step in self.steps:
            if step.state in (StepState.WAITING, StepState.ACTIVE) and step.kind != StepKind.CIRCULATE:
                self.set_step(step, state=StepState.CANCELLED)


def slots_bulk_approve(*, slot_ids: Iterable[int], actor: Any, ctx: AccessContext) -> BulkResult:
    """一括承認: approve (or, at a decision step, decide) each selected queue item, in the order of their ids.
    Items someone else handled, that the user may not act on, or whose type refuses the decision are reported and
    left as they were; the others are approved together, in one transaction."""
    ids = sorted({int(i) for i in slot_ids})
    result = BulkResult()
    if not ids:
        return result
    with action() as collector:
        by = staff_of(actor)
        allowed = set(
            access.visible(actor, "act", StepApprover.objects.filter(pk__in=ids), ctx).values_list("pk", flat=True)
        )
        chosen = {s.pk: s for s in StepApprover.objects.filter(pk__in=allowed).only("pk", "document_id")}
        documents = {
            d.pk: d
            for d in Document.objects.select_for_update(of=("self",))
            .select_related("drafting_unit")
            .filter(pk__in=sorted({s.document_id for s in chosen.values()}))
            .order_by("pk")
        }
        # Everything else is read once, now that the documents are locked (so it cannot change under us).
        all_slots = list(StepApprover.objects.filter(document_id__in=documents).select_related("staff", "acted_by"))
        steps: dict[int, list[RouteStep]] = defaultdict(list)
        for step in RouteStep.objects.filter(document_id__in=documents).order_by("document_id", "order"):
            steps[step.document_id].append(step)
        slots_of: dict[int, list[StepApprover]] = defaultdict(list)
        for slot in all_slots:
            slots_of[slot.document_id].append(slot)
        routes = {pk: _Route(d, steps[pk], slots_of[pk]) for pk, d in documents.items()}
        attach_details(documents.values())  # the rows the types' hooks are given: one query per type
        delegations = {i.staff_id: i.delegation_id for i in access.principal(actor, ctx).delegated}

        now = timezone.now()
        touched: set[int] = set()
        decided: list[tuple[int, Document, Acting]] = []  # (slot id, document, who decided), in the items' order
        outcome: dict[int, str] = {}  # slot id -> "approved" | "decided"
        entries_of: dict[int, list[int]] = {}  # slot id -> (start, end) marks of its audit entries
        for slot_id in ids:
            if slot_id not in chosen:
                result.refused.append((slot_id, _refusal(actor, slot_id, ctx)))
                continue
            route = routes[chosen[slot_id].document_id]
            document = route.document
            slot = route.slots[slot_id]
            snapshot = (
                dict(route.changed_slots),
                dict(route.changed_steps),
                dict(route.changed_fields),
                _states(route),
            )
            start = collector.mark()
            try:
                require_open(document)
                if slot.is_circulation:
                    raise ActionRefused(_("Circulated documents are acknowledged, not approved."))
                if slot.state != SlotState.PENDING:
                    raise AlreadyHandled(handled_message(slot))
                who = Acting(by=by, for_=slot.staff, delegation_id=delegations.get(slot.staff_id))
                item_touched = {slot.staff_id}
                decision = _approve(route, slot, who, ctx, now, item_touched)
                if decision:
                    decided.append((slot_id, document, who))
            except ActionRefused as refusal:
                _restore(route, snapshot)
                collector.discard_from(start)
                result.refused.append(
                    (slot_id, _("%(title)s: %(message)s") % {"title": document.title, "message": refusal.message})
                )
                continue
            touched |= item_touched
            entries_of[slot_id] = [start, collector.mark()]
            outcome[slot_id] = "decided" if decision else "approved"

        _number(decided, ctx, collector, entries_of)
        _write(routes.values(), [d for _slot, d, _who in decided], now)
        for _slot_id, document, _who in decided:
            notify.add(NotificationKind.DECIDED, document_id=document.pk, staff_ids=[document.applicant_id])
        for slot_id in ids:
            if slot_id in outcome:
                document = documents[chosen[slot_id].document_id]
                (result.decided if outcome[slot_id] == "decided" else result.approved).append(document)
        live.queues_changed(touched)
    return result


def _states(route: _Route) -> dict:
    return {
        "slots": {
            pk: (s.state, s.acted_by_id, s.acted_at, s.comment, s.waiting_since) for pk, s in route.slots.items()
        },
        "steps": {s.pk: (s.state, s.activated_at, s.completed_at) for s in route.steps},
        "document": (route.document.status, route.document.closed_at),
    }


def _restore(route: _Route, snapshot: tuple) -> None:
    """Undo one refused item's changes in memory (its database writes went with its savepoint)."""
    changed_slots, changed_steps, changed_fields, states = snapshot
    for pk, (state, acted_by_id, acted_at, comment, waiting_since) in states["slots"].items():
        slot = route.slots[pk]
        slot.state, slot.acted_by_id, slot.acted_at, slot.comment, slot.waiting_since = (
            state,
            acted_by_id,
            acted_at,
            comment,
            waiting_since,
        )
    for step in route.steps:
        step.state, step.activated_at, step.completed_at = states["steps"][step.pk]
    route.document.status, route.document.closed_at = states["document"]
    route.changed_slots, route.changed_steps, route.changed_fields = changed_slots, changed_steps, changed_fields


def _approve(route: _Route, slot: StepApprover, who: Acting, ctx: AccessContext, now: Any, touched: set[int]) -> bool:
    """`_core.approve` in memory for one item; True when it decides the document (the type's hook has run)."""
    document = route.document
    step = route.step_of(slot)
    route.set_slot(slot, state=SlotState.APPROVED, acted_by=who.by, acted_at=now, comment="")
    others = [s for s in route.by_step[step.pk] if s.pk != slot.pk]
    if step.kind == StepKind.ANY:
        for other in others:
            if other.state == SlotState.PENDING:
                touched.add(other.staff_id)
                route.set_slot(other, state=SlotState.NOT_NEEDED)
        step_done = True
    else:
        step_done = not any(o.state == SlotState.PENDING for o in others)
    if not step_done:
        record(document, AuditAction.APPROVE, who, ctx, "", step=step.order)
        return False
    route.set_step(step, state=StepState.DONE, completed_at=now)
    if not step.is_decision:
        record(document, AuditAction.APPROVE, who, ctx, "", step=step.order)
        route.advance(step.order, now, touched)
        return False
    route.advance(step.order, now, touched)  # circulation after the decision
    try:
        with transaction.atomic():  # a savepoint: the type's writes for this item alone
            if document.is_cancellation:
                cancel_original(document, who, ctx, touched)
            else:
                document.doctype.on_decided(document=document, detail=document.detail, ctx=ctx, actor=who)
    except ValidationError as error:
        raise ActionRefused(refusal_message(error)) from error
    route.close_decided(touched)
    document.status, document.closed_at, document.decided_at = DocumentStatus.DECIDED, now, now
    touched.add(document.applicant_id)
    return True  # its DECIDE entry needs the number, taken for all decisions at once afterwards (_number)


def _number(
    decided: list[tuple[int, Document, Acting]], ctx: AccessContext, collector: Any, entries_of: dict[int, list[int]]
) -> None:
    """Numbers for every decision, one batch per counter (in counter order), then each DECIDE entry where the
    single path records it: right after that item's own entries."""
    by_unit: dict[int, tuple[int, str]] = {}
    for _slot_id, document, _who in decided:
        if document.drafting_unit_id not in by_unit:
            by_unit[document.drafting_unit_id] = numbering.sequence_key(unit=document.drafting_unit, on=ctx.today)
    keys = {slot_id: by_unit[d.drafting_unit_id] for slot_id, d, _who in decided}
    per_key: dict[tuple[int, str], list[int]] = defaultdict(list)
    for slot_id, _document, _who in decided:
        per_key[keys[slot_id]].append(slot_id)
    numbers: dict[int, str] = {}
    for key in sorted(per_key):
        for slot_id, number in zip(per_key[key], numbering.next_numbers(key=key, count=len(per_key[key])), strict=True):
            numbers[slot_id] = number
    # Insert each DECIDE entry after its item's entries, keeping the items' order in the chain.
    offset = 0
    for slot_id, document, who in decided:
        document.number = numbers[slot_id]
        end = entries_of[slot_id][1] + offset
        mark = collector.mark()
        record(document, AuditAction.DECIDE, who, ctx, "", number=document.number)
        entry = collector.entries.pop(mark)
        collector.entries.insert(end, entry)
        offset += 1


def _write(routes: Iterable[_Route], decided: list[Document], now: Any) -> None:
    """Write back what the bulk changed: one UPDATE per set of identical changes (every approved stamp box gets
    the same actor and time, every activated one the same arrival), so the statements do not grow with the items
    and nothing is compiled per row; only the 決裁番号 differ from row to row."""
    groups: dict[tuple[type, tuple[tuple[str, Any], ...]], list[int]] = defaultdict(list)
    for route in routes:
        for row in (*route.changed_slots.values(), *route.changed_steps.values()):
            attnames = sorted(row._meta.get_field(name).attname for name in route.changed_fields[(type(row), row.pk)])
            values = tuple((attname, getattr(row, attname)) for attname in attnames)
            groups[(type(row), values)].append(row.pk)
    for (model, values), pks in groups.items():
        model.objects.filter(pk__in=pks).update(**dict(values))
    if decided:
        Document.objects.filter(pk__in=[d.pk for d in decided]).update(
            status=DocumentStatus.DECIDED, decided_at=now, closed_at=now
        )
        Document.objects.bulk_update(decided, ["number"])
        workflow.processes_finish(decided)
