"""After the decision: the central check of a type with a processing role (e.g. the 庶務センター checks every
decided payroll input) may return a decided document to its applicant for correction (返戻).

The return is a send-back to the applicant, reached from the decided state: the type undoes what the decision did
(`on_returned`), every step of the route waits again, and the applicant corrects and refiles it with the same pages
and services as after any send-back (document_revise); it keeps its decision number and is decided again along the
whole route. Its lifecycle process starts anew (the decided one stays in the history)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from approvals import live, notify, workflow
from approvals.doctypes import Acting
from approvals.models import AuditAction, Document, DocumentStatus, NotificationKind
from approvals.services._core import (
    ActionRefused,
    AlreadyHandled,
    action,
    blocking,
    clean_comment,
    lock,
    record,
    refusal_message,
    reset,
    staff_of,
)
from personnel import access
from personnel.access import AccessContext


def document_return(*, document: Document, actor: Any, ctx: AccessContext, reason: str) -> Document:
    """返戻: a member of the type's processing role sends a decided document back to its applicant, saying why."""
    with action():
        document = lock(document.pk)
        access.require(actor, "process", document, ctx)
        reason = clean_comment(reason, required=True)
        if document.status == DocumentStatus.SENT_BACK:
            raise AlreadyHandled(_("This document has already been returned to the applicant."))
        if document.status != DocumentStatus.DECIDED or document.is_cancellation:
            raise ActionRefused(_("Only a decided document can be returned for correction."))
        doctype = document.doctype
        if not doctype.processing_role:
            raise ActionRefused(_("Documents of this type are not checked centrally after their decision."))
        detail = doctype.detail_of(document)
        refusal = doctype.return_refusal(document=document, detail=detail, ctx=ctx)
        if refusal:
            raise ActionRefused(refusal)
        me = staff_of(actor)
        who = Acting(by=me, for_=me)
        try:
            doctype.on_returned(document=document, detail=detail, ctx=ctx, actor=who)
        except ValidationError as error:
            raise ActionRefused(refusal_message(error)) from error
        touched: set[int] = {document.applicant_id}
        reset(blocking(document.steps.all()), touched)
        document.status, document.decided_at, document.closed_at, document.process = (
            DocumentStatus.SENT_BACK,
            None,
            None,
            None,
        )
        document.save(update_fields=["status", "decided_at", "closed_at", "process"])
        workflow.process_start(document)
        notify.add(NotificationKind.RETURNED, document_id=document.pk, staff_ids=[document.applicant_id], note=reason)
        record(document, AuditAction.RETURN, who, ctx, reason, number=document.number)
        live.queues_changed(touched)
    return document
