"""The applicant's side of a document: filing it (起案), checking before filing (確認), correcting and filing it
again after a send-back (再提出), attaching files, withdrawing it (取り下げ) and asking to cancel a decided one
(取消申請). Every document type goes through these; a type supplies only its `prepare` and hooks
(approvals/doctypes.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import doctypes, live, routing, workflow
from approvals.doctypes import Acting, Filing
from approvals.models import (
    LIVE_STATUSES,
    Attachment,
    AuditAction,
    Document,
    DocumentStatus,
    RouteStep,
    StepApprover,
    StepKind,
)
from approvals.services._core import (
    MAX_ATTACHMENT_BYTES,
    ActionRefused,
    AlreadyHandled,
    action,
    advance,
    applicant_acting,
    clean_comment,
    close,
    lock,
    record,
    require_open,
    staff_of,
)
from personnel import access, text
from personnel.access import AccessContext, AccessDenied
from personnel.models import OrgUnit, Staff
from personnel.org import staff_current_assignments


def _primary_unit(staff: Staff, ctx: AccessContext) -> OrgUnit:
    post = staff_current_assignments(staff=staff, on=ctx.today).first()
    if post is None:
        raise AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    return post.unit


def route_preview(
    *,
    user: Any,
    ctx: AccessContext,
    doc_type: str,
    amount: Decimal | None = None,
    drafting_unit: OrgUnit | None = None,
    consultees: Sequence[Staff] = (),
    circulate_to: Sequence[Staff] = (),
) -> routing.Plan:
    """The route a document would take if filed now (shown before filing). Raises RouteError."""
    doctypes.get(doc_type)
    applicant = staff_of(user)
    unit = drafting_unit or _primary_unit(applicant, ctx)
    return routing.plan_route(
        applicant=applicant,
        drafting_unit=unit,
        doc_type=doc_type,
        amount=amount,
        on=ctx.today,
        consultees=consultees,
        circulate_to=circulate_to,
    )


# --------------------------------------------------------------------------------------------------------
# Filing
# --------------------------------------------------------------------------------------------------------


def _check_filing(filing: Filing) -> None:
    filing.title = (filing.title or "").strip()
    if not filing.title:
        raise ActionRefused(_("Please give the document a title."))
    if len(filing.title) > Document._meta.get_field("title").max_length:
        raise ActionRefused(_("The title is too long."))
    if filing.amount is not None and filing.amount < 0:
        raise ActionRefused(_("The amount cannot be negative."))


def _lay_route(document: Document, plan: routing.Plan) -> list[StepApprover]:
    """Copy a planned route onto the document as its steps and stamp boxes (whose holders may read it: the
    document policy's participants)."""
    slots = []
    for order, planned in enumerate(plan.steps, start=1):
        step = RouteStep.objects.create(
            document=document,
            order=order,
            kind=planned.kind,
            is_decision=planned.is_decision,
            label=str(planned.label)[:50],
        )
        slots.extend(
            StepApprover(step=step, document=document, staff=s, is_circulation=planned.kind == StepKind.CIRCULATE)
            for s in planned.staff
        )
    StepApprover.objects.bulk_create(slots)
    return slots


def _route_parties(document: Document) -> tuple[list[Staff], list[Staff]]:
    """The 合議 parties and the circulation (回覧) of a filed route, to plan it again."""
    consultees: list[Staff] = []
    readers: list[Staff] = []
    for slot in StepApprover.objects.filter(document=document).select_related("step", "staff").order_by("pk"):
        if slot.is_circulation:
            readers.append(slot.staff)
        elif slot.step.label == routing.CONSULTATION_LABEL and not slot.step.is_decision:
            consultees.append(slot.staff)
    return consultees, readers


def _start(
    document: Document,
    *,
    plan: routing.Plan,
    applicant: Staff,
    ctx: AccessContext,
    attachments: Sequence[UploadedFile],
    detail: models.Model | None,
    **audit_detail: Any,
) -> Document:
    """Save a new document with its detail row and route, and send it on its way (in the action's transaction)."""
    document.status, document.filed_at, document.rule = DocumentStatus.IN_PROGRESS, timezone.now(), plan.rule
    document.search_text = text.joined(document.title, document.body)
    document.save()
    if detail is not None:
        detail.document = document
        detail.save()
    _lay_route(document, plan)
    role = document.doctype.processing_role if not document.is_cancellation else None
    if role:
        access.grant_role(("view", "process"), document, role)
    me = Acting(by=applicant, for_=applicant)
    for upload in attachments:
        _attach(document, upload, me, ctx)
    record(document, AuditAction.FILE, me, ctx, rule=plan.rule.pk, steps=len(plan.steps), **audit_detail)
    workflow.process_start(document)
    touched: set[int] = set()
    advance(document, 0, touched)
    live.queues_changed(touched | {applicant.pk})
    return document


def document_file(
    *,
    actor: Any,
    ctx: AccessContext,
    doc_type: str,
    data: Mapping[str, Any],
    attachments: Sequence[UploadedFile] = (),
    consultees: Sequence[Staff] = (),
    circulate_to: Sequence[Staff] = (),
    drafting_unit: OrgUnit | None = None,
    contains_personal_info: bool = False,
) -> Document:
    """File a document of a registered type (起案): the type checks `data` (the cleaned form) and takes its locks
    (`prepare`), the engine saves the document and its detail row, copies its route from the org tree and the
    専決規程, and sends it to the first approvers. One transaction: refused input (ValidationError from the type,
    RouteError, ActionRefused) leaves nothing behind. `contains_personal_info` is the applicant's mark; a type
    also marks its own filings that hold personal information."""
    doctype = doctypes.get(doc_type)
    applicant = staff_of(actor)
    with action():
        unit = drafting_unit or _primary_unit(applicant, ctx)
        access.require(actor, "file", Document(doc_type=doctype.code, applicant=applicant, drafting_unit=unit), ctx)
        filing = doctype.prepare(applicant=applicant, ctx=ctx, data=data)
        _check_filing(filing)
        plan = routing.plan_route(
            applicant=applicant,
            drafting_unit=unit,
            doc_type=doctype.code,
            amount=filing.amount,
            on=ctx.today,
            consultees=consultees,
            circulate_to=circulate_to,
        )
        document = Document(
            doc_type=doctype.code,
            title=filing.title,
            body=filing.body,
            applicant=applicant,
            drafting_unit=unit,
            amount=filing.amount,
            contains_personal_info=contains_personal_info or filing.contains_personal_info,
        )
        return _start(document, plan=plan, applicant=applicant, ctx=ctx, attachments=attachments, detail=filing.detail)


def document_check(*, actor: Any, ctx: AccessContext, doc_type: str, data: Mapping[str, Any]) -> Filing:
    """確認: what filing `data` would file (the type's checks and summary), written nowhere. Raises what filing
    would raise."""
    doctype = doctypes.get(doc_type)
    applicant = staff_of(actor)
    with transaction.atomic():
        filing = doctype.prepare(applicant=applicant, ctx=ctx, data=data)
        _check_filing(filing)
        transaction.set_rollback(True)  # prepare may have taken locks and written nothing; keep it that way
    return filing


# --------------------------------------------------------------------------------------------------------
# After a send-back: correct and file again
# --------------------------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _snapshot(document: Document, detail: models.Model | None) -> dict[str, Any]:
    """The values a correction can change: the document's own and its detail row's (for the history)."""
    values = {f"document.{name}": _value(getattr(document, name)) for name in ("title", "body", "amount")}
    values["document.contains_personal_info"] = document.contains_personal_info
    if detail is not None:
        for f in detail._meta.concrete_fields:
            if f.primary_key or f.name == "document":
                continue
            values[f.name] = _value(getattr(detail, f.name))  # a related row as its text (the stock, the staff)
    return values


def document_revise(
    *,
    document: Document,
    actor: Any,
    ctx: AccessContext,
    data: Mapping[str, Any] | None = None,
    attachments: Sequence[UploadedFile] = (),
    contains_personal_info: bool | None = None,
    comment: str = "",
) -> Document:
    """再提出: the applicant corrects a document sent back to them (the type checks `data` again, with `revising`)
    and files it again; the route starts over from its first step. When the amount changed, the route is planned
    anew (the 専決規程 may name another decider). The history records every changed value, old → new. With no
    `data`, the document is filed again as it is."""
    with action():
        document = lock(document.pk)
        access.require(actor, "resubmit", document, ctx)
        if document.status != DocumentStatus.SENT_BACK:
            raise AlreadyHandled(_("Only a document sent back to you can be corrected and filed again."))
        comment = clean_comment(comment, required=False)
        doctype = document.doctype
        me = applicant_acting(document)
        changes: list[dict[str, Any]] = []
        if data is not None and not document.is_cancellation:
            detail = doctype.detail_of(document)
            before = _snapshot(document, detail)
            filing = doctype.prepare(applicant=document.applicant, ctx=ctx, data=data, revising=document)
            _check_filing(filing)
            document.title, document.body, document.amount = filing.title, filing.body, filing.amount
            document.search_text = text.joined(document.title, document.body)
            document.contains_personal_info = (
                contains_personal_info if contains_personal_info is not None else document.contains_personal_info
            ) or filing.contains_personal_info
            filing.detail.document = document
            filing.detail.save()
            after = _snapshot(document, filing.detail)
            changes = [
                {"field": name, "old": before.get(name), "new": value}
                for name, value in after.items()
                if before.get(name) != value
            ]
        replanned = any(c["field"] == "document.amount" for c in changes)
        if replanned:
            consultees, readers = _route_parties(document)
            plan = routing.plan_route(
                applicant=document.applicant,
                drafting_unit=document.drafting_unit,
                doc_type=document.doc_type,
                amount=document.amount,
                on=ctx.today,
                consultees=consultees,
                circulate_to=readers,
            )
            document.steps.all().delete()  # the slots go with them; the audit trail keeps what happened
            document.rule = plan.rule
            _lay_route(document, plan)
        document.status = DocumentStatus.IN_PROGRESS
        document.save()
        for upload in attachments:
            _attach(document, upload, me, ctx)
        touched: set[int] = {document.applicant_id}
        if changes or replanned:
            record(document, AuditAction.REVISE, me, ctx, comment, changes=changes, route_replanned=replanned)
        else:
            record(document, AuditAction.RESUBMIT, me, ctx, comment)
        advance(document, 0, touched)
        live.queues_changed(touched)
    return document


def document_resubmit(*, document: Document, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """File a sent-back document again as it is (see document_revise to correct it first)."""
    return document_revise(document=document, actor=actor, ctx=ctx, comment=comment)


def document_withdraw(*, document: Document, actor: Any, ctx: AccessContext, comment: str = "") -> Document:
    """取り下げ by the applicant, possible until the document is decided; the type releases what filing took."""
    with action():
        document = lock(document.pk)
        access.require(actor, "withdraw", document, ctx)
        if document.status not in (DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK):
            require_open(document)
        me = applicant_acting(document)
        touched: set[int] = {document.applicant_id}
        close(document, DocumentStatus.WITHDRAWN, touched, ctx=ctx, actor=me)
        record(document, AuditAction.WITHDRAW, me, ctx, clean_comment(comment, required=False))
        live.queues_changed(touched)
    return document


# --------------------------------------------------------------------------------------------------------
# 取消: cancelling a decided document, through the same route
# --------------------------------------------------------------------------------------------------------


def document_cancel_request(*, document: Document, actor: Any, ctx: AccessContext, reason: str) -> Document:
    """取消申請: the applicant asks to cancel a decided document. The request is a document of the same type with
    no detail of its own (`cancels` names the original), filed along the route the type and amount take today;
    when it is decided, the type undoes the original's effect (`on_cancelled`) and the original is marked
    cancelled. The type says whether, and until when, its documents may be cancelled (`cancel_refusal`)."""
    with action():
        original = lock(document.pk)
        access.require(actor, "cancel", original, ctx)
        reason = clean_comment(reason, required=True)
        if original.is_cancellation:
            raise ActionRefused(_("A cancellation request cannot itself be cancelled; withdraw it instead."))
        if original.status == DocumentStatus.CANCELLED:
            raise AlreadyHandled(_("This document has already been cancelled."))
        if original.status != DocumentStatus.DECIDED:
            raise ActionRefused(
                _("Only a decided document can be cancelled. While it is in progress, withdraw it instead.")
            )
        pending = Document.objects.filter(cancels=original, status__in=LIVE_STATUSES).first()
        if pending is not None:
            raise AlreadyHandled(
                _("A cancellation of this document has already been filed (%(title)s).") % {"title": pending.title}
            )
        doctype = original.doctype
        refusal = doctype.cancel_refusal(document=original, detail=doctype.detail_of(original), ctx=ctx)
        if refusal:
            raise ActionRefused(refusal)
        plan = routing.plan_route(
            applicant=original.applicant,
            drafting_unit=original.drafting_unit,
            doc_type=original.doc_type,
            amount=original.amount,
            on=ctx.today,
        )
        cancellation = Document(
            doc_type=original.doc_type,
            title=(_("Cancellation (取消): %(title)s") % {"title": original.title})[:200],
            body=reason,
            applicant=original.applicant,
            drafting_unit=original.drafting_unit,
            amount=original.amount,
            contains_personal_info=original.contains_personal_info,
            cancels=original,
        )
        return _start(
            cancellation,
            plan=plan,
            applicant=original.applicant,
            ctx=ctx,
            attachments=(),
            detail=None,
            cancels=original.pk,
            cancels_number=original.number,
        )


# --------------------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------------------


def _attach(document: Document, upload: UploadedFile, actor: Acting, ctx: AccessContext) -> Attachment:
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if not name or upload.size is None or upload.size == 0:
        raise ActionRefused(_("The attached file %(name)s is empty.") % {"name": name or "?"})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ActionRefused(
            _("The attached file %(name)s is larger than %(mb)d MB.") % {"name": name, "mb": MAX_ATTACHMENT_BYTES >> 20}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        document=document,
        name=name,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor.by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record(document, AuditAction.ATTACH, actor, ctx, name=name, sha256=attachment.sha256, size=upload.size)
    return attachment


def attachment_add(*, document: Document, actor: Any, ctx: AccessContext, upload: UploadedFile) -> Attachment:
    """Attach a file while the document is a draft or sent back to the applicant."""
    with action():
        document = lock(document.pk)
        access.require(actor, "attach", document, ctx)
        if document.status not in (DocumentStatus.DRAFT, DocumentStatus.SENT_BACK):
            raise ActionRefused(_("Files can only be attached before filing or after the document is sent back."))
        return _attach(document, upload, applicant_acting(document), ctx)
