"""The hash-chained audit trail of approval documents.

Every entry stores the SHA-256 of its own content together with the previous entry's hash. Appends lock the
single `AuditHead` row, so entries get consecutive sequence numbers and the chain never forks even with parallel
writers; the lock is held until the acting transaction commits, so a rolled-back action leaves no entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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


def lock_head() -> None:
    """Take the chain's lock now rather than at the next append; it is held until the transaction ends. For a
    transaction that will lock other shared rows before its next append (see services._decide)."""
    _locked_head()


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
    """Append one entry; call inside the transaction that makes the change it records."""
    head = _locked_head()
    detail = json.loads(json.dumps(detail or {}, ensure_ascii=False))  # exactly what the JSON column returns
    created_at = timezone.now()
    seq = head.seq + 1
    fields = {
        "seq": seq,
        "prev_hash": head.hash,
        "document_id": document.pk,
        "action": str(action),
        "actor_id": actor.pk if actor else None,
        "on_behalf_of_id": on_behalf_of.pk if on_behalf_of and (not actor or on_behalf_of.pk != actor.pk) else None,
        "zone": ctx.zone,
        "comment": comment,
        "detail": detail,
        "created_at": created_at,
    }
    entry = AuditEntry.objects.create(hash=entry_hash(**fields), **fields)
    head.seq, head.hash = seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


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
