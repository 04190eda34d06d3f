"""Approval documents (起案文書). This is the part the permission model needs today; the engine (routes,
steps, actions, numbering, audit chain) grows around it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from personnel.models import OrgUnit, Staff


class DocumentType(models.TextChoices):
    LEAVE = "leave", _("Leave")
    TRAVEL = "travel", _("Travel order")
    BUDGET = "budget", _("Budget execution")
    PAYROLL = "payroll", _("Payroll input")
    DISPOSAL = "disposal", _("Records disposal")
    TELEWORK = "telework", _("Telework")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("In progress")
    SENT_BACK = "sent_back", _("Sent back")
    DECIDED = "decided", _("Decided")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Document(models.Model):
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
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

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["drafting_unit", "status"], name="document_unit_status_idx")]

    def __str__(self) -> str:
        return self.title


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants (a reviewer, a 合議 party): joins instead of generic object_pk casts."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)
