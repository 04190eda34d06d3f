"""Every change to an approval document. Views, consumers and other apps call these and nothing else.

Each public action:
- checks the permission through personnel/access.py (an approver's place on the route is a `StepApprover` row
  whose "act" rule passes to a delegate during a delegation, 代理; nobody acts on a document they filed);
- runs as one durable transaction (`_core.action`) and locks the document row first, so two approvers, two tabs or
  a double-submitted form are serialised and the second one is told what happened instead of acting twice
  (`AlreadyHandled`);
- lets the document's type take part through its hooks (approvals/doctypes.py), inside the same transaction;
- records its hash-chained audit entries (approvals/audit.py), chained when the action ends;
- announces queue changes over Channels after commit (approvals/live.py).

Bad input raises `ActionRefused` (or `RouteError` / `ValidationError` from the document type) with a message for
the user; nothing is written. Permission refusals raise `personnel.access.AccessDenied`.

    filing.py   document_file, document_check, route_preview, document_revise, document_resubmit,
                document_withdraw, document_cancel_request, attachment_add
    actions.py  slot_approve, slot_approve_ahead, slot_post_review, slot_acknowledge, slot_pull_back,
                document_send_back, document_reject, slot_reassign
    bulk.py     slots_bulk_approve (一括承認・決裁, as a set)
    processing.py  document_return (返戻 of a decided document by the type's processing role)
"""

from approvals.services._core import MAX_ATTACHMENT_BYTES, MAX_COMMENT_LENGTH, ActionRefused, AlreadyHandled
from approvals.services.actions import (
    document_reject,
    document_send_back,
    slot_acknowledge,
    slot_approve,
    slot_approve_ahead,
    slot_post_review,
    slot_pull_back,
    slot_reassign,
)
from approvals.services.bulk import BulkResult, slots_bulk_approve
from approvals.services.filing import (
    attachment_add,
    document_cancel_request,
    document_check,
    document_file,
    document_resubmit,
    document_revise,
    document_withdraw,
    route_preview,
)
from approvals.services.processing import document_return

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "MAX_COMMENT_LENGTH",
    "ActionRefused",
    "AlreadyHandled",
    "BulkResult",
    "attachment_add",
    "document_cancel_request",
    "document_check",
    "document_file",
    "document_reject",
    "document_resubmit",
    "document_return",
    "document_revise",
    "document_send_back",
    "document_withdraw",
    "route_preview",
    "slot_acknowledge",
    "slot_approve",
    "slot_approve_ahead",
    "slot_post_review",
    "slot_pull_back",
    "slot_reassign",
    "slots_bulk_approve",
]
