"""The hash-chained audit trail of approval documents.

Every entry stores the SHA-256 of its own content together with the previous entry's hash. Chaining locks the
single `AuditHead` row, so entries get consecutive sequence numbers and the chain never forks even with parallel
writers; the lock is held until the acting transaction commits, so a rolled-back action leaves no entry. An
action's entries are collected while it runs and chained together at its end (see `collecting`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from approvals.models import AuditEntry, AuditHead, Document
from personnel.access import AccessContext
from personnel.models import Staff

GENESIS = "0" * 64


def entry_hash(
    *,
    seq: int,
    prev_hash: str,
    document_id: int,
    action: str,
    actor_id: int | None,
    on_behalf_of_id: int | None,
    zone: str,
    comment: str,
    detail: dict[str, Any],
    created_at: datetime,
) -> str:
    payload = [
        seq,
        prev_hash,
        document_id,
        action,
        actor_id,
        on_behalf_of_id,
        zone,
        comment,
        detail,
        created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    ]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        document_id=entry.document_id,
        action=entry.action,
        actor_id=entry.actor_id,
        on_behalf_of_id=entry.on_behalf_of_id,
        zone=entry.zone,
        comment=entry.comment,
        detail=entry.detail,
        created_at=entry.created_at,
    )


def _locked_head() -> AuditHead:
    AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=1)


# --------------------------------------------------------------------------------------------------------
# Appending: entries are collected during an action and chained together at its end
# --------------------------------------------------------------------------------------------------------
#
# The chain has one head row, and whoever holds its lock holds up every other action in the city. So an action
# does not take it when it appends: its entries wait in a collector, and `collecting()` chains them all at the end
# of the action, just before its transaction commits — the head is held only for that one bulk insert. The lock
# order is therefore: document rows → the type's rows → decision number → audit head, the head always last, and
# nothing is locked after it.


@dataclass
class Collector:
    """The entries of one action, in the order they were appended, not yet chained."""

    entries: list[AuditEntry] = field(default_factory=list)

    def mark(self) -> int:
        """A position to go back to when one item of a batch is refused (see `discard_from`)."""
        return len(self.entries)

    def discard_from(self, mark: int) -> None:
        del self.entries[mark:]


_collectors: ContextVar[tuple[Collector, ...]] = ContextVar("approvals_audit_collectors", default=())


@contextmanager
def collecting() -> Iterator[Collector]:
    """Collect the entries appended inside the block and chain them when it ends normally (inside the caller's
    transaction: use it inside `transaction.atomic`). When the block raises, its entries are dropped with the rest
    of the rolled-back work."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.collecting() runs inside the action's transaction")
    collector = Collector()
    token = _collectors.set((*_collectors.get(), collector))
    try:
        yield collector
    finally:
        _collectors.reset(token)
    _chain(collector.entries)


def append(
    *,
    document: Document,
    action: str,
    actor: Staff | None,
    on_behalf_of: Staff | None,
    ctx: AccessContext,
    comment: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one entry of the current action (inside `collecting()`); it is chained when the action ends."""
    stack = _collectors.get()
    if not stack:
        raise RuntimeError("audit.append() runs inside audit.collecting() (see approvals/services.py)")
    entry = AuditEntry(
        document_id=document.pk,
        action=str(action),
        actor_id=actor.pk if actor else None,
        on_behalf_of_id=on_behalf_of.pk if on_behalf_of and (not actor or on_behalf_of.pk != actor.pk) else None,
        zone=ctx.zone,
        comment=comment,
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False)),  # exactly what the JSON column returns
    )
    stack[-1].entries.append(entry)
    return entry


def _chain(entries: list[AuditEntry]) -> None:
    """Number, time, hash and insert `entries` after the current head, under the head's lock (held until the
    transaction commits)."""
    if not entries:
        return
    head = _locked_head()
    created_at = timezone.now()
    seq, previous = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash, entry.created_at = seq, previous, created_at
        entry.hash = _hash_of(entry)
        previous = entry.hash
    AuditEntry.objects.bulk_create(entries)
    head.seq, head.hash = seq, previous
    head.save(update_fields=["seq", "hash"])


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None  # sequence number of the first entry that does not verify
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the whole chain in order and report the first broken link (edited, inserted or deleted entry)."""
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != previous_hash:
            return ChainReport(checked, entry.seq, "it does not link to the previous entry")
        if _hash_of(entry) != entry.hash:
            return ChainReport(checked, entry.seq, "its content does not match its hash (edited)")
        previous_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != previous_hash):
        return ChainReport(checked, expected_seq, f"the chain ends at #{expected_seq - 1} but #{head.seq} was written")
    return ChainReport(checked)
