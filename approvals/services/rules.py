"""The 専決規程 each document type starts with (`DocumentType.default_rules`): seeded after `migrate`, for every
registered type that has no rule at all yet, so a fresh database can file every installed type and HR's later
edits (rules ended, amended, added) are never overwritten."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from approvals import doctypes
from approvals.models import DecisionRule
from personnel.access import AccessContext
from personnel.audit import audit_record

# Rules seeded by default apply to everything filed from the start of the portal's records.
DEFAULT_RULES_FROM = date(2000, 4, 1)


def decision_rules_seed_defaults(*, ctx: AccessContext) -> list[DecisionRule]:
    """Create the default rules of every registered type that has none; returns what was created."""
    created: list[DecisionRule] = []
    with transaction.atomic(durable=True):
        have = set(DecisionRule.objects.values_list("doc_type", flat=True).distinct())
        for doctype in doctypes.all_types():
            if doctype.code in have or not doctype.default_rules:
                continue
            rows = [
                DecisionRule(
                    doc_type=doctype.code,
                    min_amount=rule.min_amount,
                    max_amount=rule.max_amount,
                    deciding_rank=rule.deciding_rank,
                    effective_from=DEFAULT_RULES_FROM,
                    note=rule.note,
                )
                for rule in doctype.default_rules
            ]
            created.extend(DecisionRule.objects.bulk_create(rows))
            audit_record(
                actor=None,
                ctx=ctx,
                action="approvals.decision_rules_seed",
                target=doctype.code,
                detail={"rules": [{"rank": r.deciding_rank, "note": r.note} for r in rows]},
            )
    return created


def seed_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver (connected in ApprovalsConfig.ready)."""
    if using != "default":
        return
    decision_rules_seed_defaults(ctx=AccessContext.for_system())
