"""The one audit API for every state change that is not a step of an approval document (those are in
approvals/audit.py; both are chains of personnel/auditchain.py): org master changes, leave balance debits,
authenticators, lockout releases, and whatever later apps change.

    audit_record(*, actor, on_behalf_of=None, ctx, action, target, detail=None) -> PersonnelAudit

One row per change, chained in the same transaction as the change (it refuses to run outside one; inside an
approval action it is chained with the action's other entries when the action ends), with who acted
(`actor`), for whom when it differs (`on_behalf_of`: a delegator, the member of staff whose data an administrator
changed), from which zone (`system` for management commands), what (`action`, dotted by app:
"telework.totp_reset"), on what (`target`, its text) and the details as JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from personnel import auditchain
from personnel.access import AccessContext
from personnel.models import PersonnelAudit, Staff


def _user_id(who: Any) -> int | None:
    """The login account of a user or a member of staff, by id (no query for a member of staff); None for the
    system (or an unsaved user)."""
    if isinstance(who, Staff):
        return who.user_id
    return getattr(who, "pk", None) if who is not None else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def audit_record(
    *,
    actor: Any,
    ctx: AccessContext,
    action: str,
    target: object,
    detail: dict[str, Any] | None = None,
    on_behalf_of: Any = None,
) -> PersonnelAudit:
    """Append one audit row for a change made in the current transaction (see the module docstring)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record runs inside the transaction that makes the change it records")
    actor_id, for_id = _user_id(actor), _user_id(on_behalf_of)
    entry = PersonnelAudit(
        actor_id=actor_id,
        on_behalf_of_id=for_id if for_id != actor_id else None,
        zone="system" if ctx.system else ctx.zone,
        action=action,
        target=str(target)[:200],
        detail=_jsonable(detail or {}),
    )
    return auditchain.add(entry)
