"""The audit trail of approval documents: the "approvals" chain of personnel/auditchain.py.

An action's entries are collected while it runs and chained together at its end (`collecting`), so the chain's
head, which every action in the city shares, is locked only for that moment: the lock order is document rows → the
type's rows → decision number → the chains' heads, the heads always last and nothing locked after them. Other
audit records made during the action (personnel.audit.audit_record: a leave debit) join the same collection.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from approvals.models import AuditEntry, Document, DocumentStatus
from personnel import auditchain
from personnel.access import AccessContext
from personnel.auditchain import GENESIS, Collector, collecting, verify
from personnel.models import Staff

__all__ = ["GENESIS", "Collector", "append", "collecting", "document_status_problems", "verify"]


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
    if not auditchain.collecting_now():
        raise RuntimeError("audit.append() runs inside audit.collecting() (see approvals/services/_core.py)")
    entry = AuditEntry(
        document_id=document.pk,
        action=str(action),
        actor_id=actor.pk if actor else None,
        on_behalf_of_id=on_behalf_of.pk if on_behalf_of and (not actor or on_behalf_of.pk != actor.pk) else None,
        zone=ctx.zone,
        comment=comment,
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False)),  # exactly what the JSON column returns
    )
    auditchain.add(entry)
    return entry


def document_status_problems() -> list[str]:
    """Documents whose status is not the one their trail ends at: changed in SQL, without an action."""
    trail = AuditEntry.objects.filter(document=OuterRef("pk")).exclude(status="").order_by("-seq").values("status")
    odd = (
        Document.objects.annotate(trail_status=Subquery(trail[:1]))
        .filter(
            (Q(trail_status__isnull=False) & ~Q(status=F("trail_status")))
            | (Q(trail_status__isnull=True) & ~Q(status=DocumentStatus.DRAFT))
        )
        .order_by("pk")
        .values_list("pk", "number", "status", "trail_status")
    )
    problems = []
    for pk, number, status, trail_status in odd:
        name = number or f"#{pk}"
        ends = f"its trail ends at {trail_status!r}" if trail_status else "it has no trail"
        problems.append(f"document {name}: status {status!r}, but {ends} (changed without an audit entry)")
    return problems
