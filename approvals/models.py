"""Approval documents (起案文書) and what the engine keeps about them.

The lifecycle graph lives in approvals/flows.py (django-viewflow). What viewflow does not model — the route of
steps generated from the org tree and the 専決規程, delegation, send-back to a chosen step, 後閲, bulk approval,
decision numbers and the hash-chained audit trail — is kept here and changed only by approvals/services.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from approvals import doctypes
from personnel.models import ChainedAuditEntry, OrgUnit, Staff, append_only_triggers


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("In progress")
    SENT_BACK = "sent_back", _("Sent back")
    DECIDED = "decided", _("Decided")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # A decided document whose cancellation (取消) was decided in turn; its effect was undone.
    CANCELLED = "cancelled", _("Cancelled (取消済)")


OPEN_STATUSES = (DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK)
# Statuses in which a document holds its place (a request in flight or decided: what it asks for is taken).
LIVE_STATUSES = (DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK, DocumentStatus.DECIDED)
# The ends of the flow (approvals/flows.py). A cancelled document ended as decided; its cancellation is a document
# of its own.
CLOSED_STATUSES = (DocumentStatus.DECIDED, DocumentStatus.REJECTED, DocumentStatus.WITHDRAWN)


class Document(models.Model):
    # The code of a registered document type (approvals/doctypes.py); the engine names none of them.
    doc_type = models.CharField(_("type"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    applicant = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="documents", verbose_name=_("applicant")
    )
    drafting_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="documents", verbose_name=_("drafting unit")
    )
    status = models.CharField(_("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    amount = models.DecimalField(_("amount (yen)"), max_digits=14, decimal_places=0, null=True, blank=True)
    contains_personal_info = models.BooleanField(_("contains personal information (個人情報)"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # 決裁番号, e.g. 2026-人事-000123: given in the transaction that decides, so a rollback leaves no gap.
    number = models.CharField(_("decision number (決裁番号)"), max_length=40, null=True, blank=True, unique=True)
    # The 専決規程 rule the route was built from; the route itself is a copy, so later rule changes do not
    # reach documents already filed.
    rule = models.ForeignKey(
        "DecisionRule", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    process = models.OneToOneField(
        "viewflow.Process", on_delete=models.SET_NULL, null=True, blank=True, related_name="document", editable=False
    )
    # A cancellation request (取消申請) names the decided document it would cancel; it has no detail row of its own.
    # The title and body folded for search (personnel/text.py), written by the engine wherever they are.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    cancels = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancellations",
        verbose_name=_("cancels (取消対象)"),
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # Granted per document, to the group of the type's processing role (doctypes.DocumentType.processing_role):
        # the central office that checks decided documents and may return one for correction (返戻).
        permissions = [("process_document", _("Can process the document centrally"))]
        indexes = [
            models.Index(fields=["drafting_unit", "status"], name="document_unit_status_idx"),
            models.Index(fields=["applicant", "status"], name="document_applicant_status_idx"),
        ]
        constraints = [
            # One cancellation at a time, and none after one was decided.
            models.UniqueConstraint(
                fields=["cancels"],
                condition=Q(status__in=["in_progress", "sent_back", "decided"]),
                name="document_one_live_cancellation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_cancellation(self) -> bool:
        return self.cancels_id is not None

    @property
    def doctype(self) -> doctypes.DocumentType:
        """The registered type (UnknownDocumentType when no installed app registers the code)."""
        return doctypes.get(self.doc_type)

    @property
    def type_label(self) -> str:
        return str(self.doctype.label)

    @property
    def detail(self) -> models.Model | None:
        """The type's detail row (of the cancelled document, for a cancellation request); the one a list loaded
        with `selectors.attach_details` when there is one, otherwise read now."""
        if "_detail" in self.__dict__:
            return self.__dict__["_detail"]
        target = self.cancels if self.cancels_id else self
        return self.doctype.detail_of(target)

    def keep_detail(self, detail: models.Model | None) -> None:
        self.__dict__["_detail"] = detail


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants (a reviewer, a 合議 party): joins instead of generic object_pk casts."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DecisionRule(models.Model):
    """One line of the 専決規程: documents of a type and amount range are decided by a rank, for a period.

    Amounts are inclusive; an empty bound is open. Effective dates are inclusive; no end = still in force.
    """

    doc_type = models.CharField(_("type"), max_length=20)
    min_amount = models.DecimalField(_("from amount (yen)"), max_digits=14, decimal_places=0, null=True, blank=True)
    max_amount = models.DecimalField(_("up to amount (yen)"), max_digits=14, decimal_places=0, null=True, blank=True)
    deciding_rank = models.PositiveSmallIntegerField(_("deciding rank"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("decision rule (専決規程)")
        verbose_name_plural = _("decision rules (専決規程)")
        ordering = ["doc_type", "min_amount", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deciding_rank__gte=1) & Q(deciding_rank__lte=9), name="decisionrule_rank_1_to_9"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="decisionrule_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(max_amount__gte=models.F("min_amount")),
                name="decisionrule_amounts_ordered",
            ),
        ]

    def __str__(self) -> str:
        try:
            label = doctypes.get(self.doc_type).label
        except doctypes.UnknownDocumentType:
            label = self.doc_type
        return f"{label} → {self.deciding_rank}"


class StepKind(models.TextChoices):
    ALL = "all", _("All must approve (合議)")
    ANY = "any", _("Any one approves")
    CIRCULATE = "circulate", _("Circulation (回覧)")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class RouteStep(models.Model):
    """One step of a document's route. Steps are acted on in `order`; circulation steps never block."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices)
    is_decision = models.BooleanField(_("decision step (決裁)"), default=False)
    label = models.CharField(_("label"), max_length=50, blank=True)  # e.g. 係長, 合議, 課長
    state = models.CharField(_("state"), max_length=10, choices=StepState.choices, default=StepState.WAITING)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["document", "order"]
        constraints = [models.UniqueConstraint(fields=["document", "order"], name="routestep_unique_order")]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.order} {self.label}"


class SlotState(models.TextChoices):
    WAITING = "waiting", _("Not yet reached")
    PENDING = "pending", _("Awaiting action")
    APPROVED = "approved", _("Approved")
    ACKNOWLEDGED = "acknowledged", _("Seen")
    NOT_NEEDED = "not_needed", _("Not needed")  # another approver of an "any" step acted
    POST_REVIEW = "post_review", _("To review after the fact (後閲)")
    POST_REVIEWED = "post_reviewed", _("Reviewed after the fact (後閲済)")
    SENT_BACK = "sent_back", _("Sent back")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


ACTIONABLE_SLOT_STATES = (SlotState.PENDING, SlotState.POST_REVIEW)


class StepApprover(models.Model):
    """One person's place in a step (the stamp box, 押印欄). `staff` is the approver of record; `acted_by` is who
    pressed the button (a delegate acting for `staff`, 代理)."""

    step = models.ForeignKey(RouteStep, on_delete=models.CASCADE, related_name="approvers")
    # Denormalised from the step so the queues are one indexed query.
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="slots")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="approval_slots")
    state = models.CharField(_("state"), max_length=15, choices=SlotState.choices, default=SlotState.WAITING)
    is_circulation = models.BooleanField(default=False)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)
    acted_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("step approver")
        verbose_name_plural = _("step approvers")
        ordering = ["step__order", "pk"]
        indexes = [models.Index(fields=["staff", "state"], name="slot_staff_state_idx")]
        constraints = [models.UniqueConstraint(fields=["step", "staff"], name="slot_unique_staff_per_step")]

    def __str__(self) -> str:
        return f"{self.step} {self.staff}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the content hash: no user-controlled path, and the original name is kept in a column.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return self.name


class NumberSequence(models.Model):
    """The last 決裁番号 given per fiscal year and department label (the `人事` of 2026-人事-000123), locked by the
    deciding transaction. Keyed by the label that appears in the number, so two departments that share an
    abbreviation share one counter and their numbers can never collide."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    label = models.CharField(_("department label"), max_length=40)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "label"], name="numbersequence_unique_year_label")
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}-{self.label}: {self.last}"


class AuditAction(models.TextChoices):
    FILE = "file", _("Filed")
    RESUBMIT = "resubmit", _("Filed again")
    APPROVE = "approve", _("Approved (承認)")
    DECIDE = "decide", _("Decided (決裁)")
    ACKNOWLEDGE = "acknowledge", _("Seen (回覧)")
    SEND_BACK = "send_back", _("Sent back (差し戻し)")
    REJECT = "reject", _("Rejected (却下)")
    WITHDRAW = "withdraw", _("Withdrawn (取り下げ)")
    PULL_BACK = "pull_back", _("Approval pulled back (引戻し)")
    POST_REVIEW = "post_review", _("Passed on for review after the fact (後閲)")
    POST_REVIEWED = "post_reviewed", _("Reviewed after the fact (後閲)")
    REASSIGN = "reassign", _("Approver changed")
    ATTACH = "attach", _("File attached")
    REVISE = "revise", _("Corrected and filed again")
    CANCEL = "cancel", _("Cancelled (取消)")
    RETURN = "return", _("Returned for correction after the decision (返戻)")


class AuditEntry(ChainedAuditEntry):
    """Append-only trail of the approval documents, chained as "approvals" (personnel/auditchain.py): each entry's
    keyed hash covers its content and the previous entry's hash, so editing, inserting or deleting an entry breaks
    the chain, and checkpoints outside the database catch a trail cut short (`manage.py verify_audit`)."""

    chain_name = "approvals"

    # Found by (document, seq) below; no index of its own. The hash has none either: nothing looks an entry up by
    # its hash, and a random 64-character key costs every insert a random place in a large index.
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="audit_entries", db_index=False)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by"))
    on_behalf_of = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("on behalf of")
    )
    zone = models.CharField(_("zone"), max_length=10)
    comment = models.TextField(_("comment"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"))
    # The document's status when the action ended: `verify_audit` checks that a document's status is the one its
    # trail ends at, so a status changed in SQL without an entry is found. Empty on entries chained before it.
    status = models.CharField(_("status"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["document", "seq"], name="audit_document_seq_idx"),
            # 処理済み: one approver's entries, latest first.
            models.Index(fields=["actor", "seq"], name="audit_actor_seq_idx"),
        ]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def chain_content(self) -> list[Any]:
        return [
            self.document_id,
            self.action,
            self.actor_id,
            self.on_behalf_of_id,
            self.zone,
            self.comment,
            self.detail,
            self.moment(self.created_at),
            self.status,
        ]

    @classmethod
    def seal(cls, entries: list[Any], now: datetime) -> None:
        """Time every entry of the action alike and record the status each document ended the action in (read
        from the database: the action has written it, under the document's lock)."""
        statuses = dict(Document.objects.filter(pk__in={e.document_id for e in entries}).values_list("pk", "status"))
        for entry in entries:
            entry.created_at = now
            entry.status = statuses[entry.document_id]


class NotificationKind(models.TextChoices):
    ARRIVED = "arrived", _("Arrived for your approval")
    CIRCULATED = "circulated", _("Circulated to you (回覧)")
    POST_REVIEW = "post_review", _("Approved ahead of you: review after the fact (後閲)")
    SENT_BACK = "sent_back", _("Sent back (差し戻し)")
    DECIDED = "decided", _("Decided (決裁)")
    REJECTED = "rejected", _("Rejected (却下)")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
    CANCELLED = "cancelled", _("Cancelled (取消)")
    REMINDER = "reminder", _("Reminder: waiting for your approval (督促)")
    ESCALATION = "escalation", _("Escalation: waiting too long (エスカレーション)")
    RETURNED = "returned", _("Returned for correction after the decision (返戻)")
    # The document's type flags something for the recipient to look at (e.g. overtime near its monthly limit).
    ATTENTION = "attention", _("Needs your attention (注意)")


class MailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one mail per notification")
    DIGEST = "digest", _("Once a day, one mail with all of them (daily digest)")
    OFF = "off", _("No mail (only the bell in the portal)")


class Notification(models.Model):
    """お知らせ: one thing that happened to a document that one person should know (the bell in the header; a mail
    as the person chose). Written by the engine inside the action's transaction (approvals/notify.py); the bell
    and the mail follow after commit."""

    recipient = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notifications")
    # Whose item it is when it is not the recipient's own: the delegator a delegate holds it for (代理), or the
    # approver an escalation is about.
    about = models.ForeignKey(Staff, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # What the document's type or the person who acted says (the reason of a 返戻, what needs attention).
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # How it is mailed, fixed when it is made from the recipient's choice: immediate, digest or off.
    mail = models.CharField(_("mail"), max_length=10, choices=MailMode.choices)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["mail", "mailed_at"], name="notification_mail_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.document_id}"


class NotificationSetting(models.Model):
    """A person's choice of mail for their notifications (default: at once)."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="notification_setting")
    mail = models.CharField(_("e-mail"), max_length=10, choices=MailMode.choices, default=MailMode.IMMEDIATE)
    # The day the last digest went out (at most one a day).
    digest_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.staff}: {self.mail}"


class ReminderRule(models.Model):
    """督促・エスカレーション per document type (data): an item waiting more than `remind_after` working days reminds
    its approver; after `escalate_after` the approver's superior and active delegate are told. Types without a row
    use the defaults (2 and 5)."""

    doc_type = models.CharField(_("type"), max_length=20, unique=True)
    remind_after = models.PositiveSmallIntegerField(_("remind after (working days)"), default=2)
    escalate_after = models.PositiveSmallIntegerField(_("escalate after (working days)"), default=5)

    class Meta:
        verbose_name = _("reminder rule (督促)")
        verbose_name_plural = _("reminder rules (督促)")
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_after__gte=1) & Q(escalate_after__gt=F("remind_after")),
                name="reminderrule_escalate_after_remind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}: {self.remind_after}/{self.escalate_after}"


class Reminder(models.Model):
    """A reminder (level 1) or escalation (level 2) sent for one stamp box's wait: at most one per box, level and
    wait (the unique constraint makes `send_reminders` idempotent, also when two runs overlap)."""

    REMIND, ESCALATE = 1, 2

    slot = models.ForeignKey(StepApprover, on_delete=models.CASCADE, related_name="reminders")
    level = models.PositiveSmallIntegerField()
    waiting_since = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "level", "waiting_since"], name="reminder_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.slot_id} L{self.level}"
