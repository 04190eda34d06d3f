"""The org master: units, positions, staff, assignments and delegations.

Models hold data and constraints only; every change goes through personnel/services.py and every read that
needs a permission goes through personnel/access.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class UnitKind(models.IntegerChoices):
    """How deep a unit sits in the hierarchy. A child is always of a deeper kind than its parent."""

    CITY = 0, _("City (市)")
    BUREAU = 1, _("Bureau (局)")
    DEPARTMENT = 2, _("Department (部)")
    SECTION = 3, _("Section (課)")
    SUBSECTION = 4, _("Subsection (係)")


class OrgUnit(MP_Node):
    """A unit of the city hall: 市 > 局 > 部 > 課 > 係 (materialised path, so subtree queries are one LIKE)."""

    code = models.CharField(_("unit code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    kind = models.PositiveSmallIntegerField(_("kind"), choices=UnitKind.choices)
    # Short label used in decision numbers, e.g. 人事 in 2026-人事-000123.
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    extension = models.CharField(_("extension"), max_length=20, blank=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A post with a numeric rank: 係員 1, 主任 2, 係長 3, 課長補佐 4, 課長 5, 部長 6, 局長 7, 副市長 8, 市長 9."""

    code = models.CharField(_("position code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(condition=Q(rank__gte=1) & Q(rank__lte=9), name="position_rank_1_to_9"),
        ]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A member of staff (職員), linked one-to-one to the login account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff", verbose_name=_("user")
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["family_name_kana", "given_name_kana"]
        indexes = [models.Index(fields=["family_name_kana", "given_name_kana"], name="staff_kana_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}"


class Assignment(models.Model):
    """Staff × unit × position for a period. One primary post at a time; concurrent posts (兼務) may overlap."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("staff"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit"))
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("position")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty while the post is held."))
    is_primary = models.BooleanField(_("primary post"), default=True, help_text=_("Unticked for 兼務."))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["staff", "-is_primary", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "position"], name="assignment_unit_position_idx"),
            models.Index(fields=["staff", "start_date"], name="assignment_staff_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.unit} {self.position}"


class Delegation(models.Model):
    """代理: the delegate acts as the delegator from start_date to end_date inclusive."""

    delegator = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="delegations_given", verbose_name=_("delegator")
    )
    delegate = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="delegations_received", verbose_name=_("delegate")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delegator=F("delegate")),
                name="delegation_not_to_self",
                violation_error_message=_("You cannot delegate to yourself."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="delegation_ends_after_start",
                violation_error_message=_("A delegation cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["delegate", "start_date", "end_date"], name="delegation_delegate_idx")]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.start_date}–{self.end_date})"


class Absence(models.Model):
    """A member of staff marked absent for a day (不在: a business trip, training, sick) by themselves or HR; with
    decided leave it is what lets an approver be passed over by 後閲 (personnel/absence.py)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="absences", verbose_name=_("staff"))
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=100)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("marked by")
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="absence_staff_day_unique")]

    def __str__(self) -> str:
        return f"{self.staff} {self.day} {self.reason}"


def append_only_triggers() -> list[pgtrigger.Trigger]:
    """The Meta.triggers of an audit chain's table on PostgreSQL: no row changed, none deleted. An UPDATE that
    changes nothing is let through: Django's test runner re-saves the rows it restores."""
    return [
        pgtrigger.Protect(name="append_only", operation=pgtrigger.Update, condition=pgtrigger.AnyChange()),
        pgtrigger.Protect(name="never_deleted", operation=pgtrigger.Delete),
    ]


class ChainedAuditEntry(models.Model):
    """An entry of a keyed, append-only audit chain (personnel/auditchain.py). A concrete chain names itself
    (`chain_name`), says what of its row the hash covers (`chain_content`) and stamps its rows when they are chained
    (`seal`). Entries are written only through the chain (personnel.audit.audit_record, approvals.audit.append)."""

    chain_name = ""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(_("key"), max_length=32)

    class Meta:
        abstract = True

    def chain_content(self) -> list[Any]:
        raise NotImplementedError

    def chain_payload(self) -> list[Any]:
        """Everything the entry's hash covers: its place in its chain, the key that signs it, its content."""
        return [self.chain_name, self.seq, self.prev_hash, self.key_id, *self.chain_content()]

    @classmethod
    def seal(cls, entries: list[Any], now: datetime) -> None:
        """Stamp entries about to be chained (under the chain's lock, inside the writing transaction)."""

    @staticmethod
    def moment(at: datetime) -> str:
        """A time as the hash covers it: UTC, to the microsecond, whatever the database's time zone."""
        return at.astimezone(UTC).isoformat(timespec="microseconds")


class AuditChainHead(models.Model):
    """The last entry of each chain: the one row its writers lock, so the chain never forks."""

    chain = models.CharField(max_length=30, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


class PersonnelAudit(ChainedAuditEntry):
    """Append-only log of every change that is not an approval step (who did what, for whom, from which zone).
    Written only through personnel/audit.py's audit_record; chained as "personnel"."""

    chain_name = "personnel"

    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The person acted for, when not the actor (a delegator; the member of staff an administrator acted on).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    zone = models.CharField(_("zone"), max_length=10, blank=True)
    action = models.CharField(_("action"), max_length=50)
    target = models.CharField(_("target"), max_length=200)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("personnel audit entry")
        verbose_name_plural = _("personnel audit entries")
        ordering = ["-seq"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def chain_content(self) -> list[Any]:
        return [
            self.moment(self.at),
            self.actor_id,
            self.on_behalf_of_id,
            self.zone,
            self.action,
            self.target,
            self.detail,
        ]

    @classmethod
    def seal(cls, entries: list[Any], now: datetime) -> None:
        for entry in entries:
            entry.at = now


class ExportJob(models.Model):
    """One table being taken out of the portal as a file (personnel/exports.py): written in the background, kept
    EXPORT_KEEP_DAYS for its owner alone, from the office only, and — when it holds other people's personal data
    beyond EXPORT_PERSONAL_THRESHOLD rows — downloadable only once the 所属長 allowed it (持ち出し許可, a document
    of the approval engine whose type keeps `permission` up to date)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after its keeping period")

    class Permission(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        NEEDED = "needed", _("Needs the 所属長's permission (持ち出し)")
        REQUESTED = "requested", _("Permission asked for")
        GRANTED = "granted", _("Permitted")
        REFUSED = "refused", _("Permission refused")

    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="exports", verbose_name=_("owner"))
    code = models.CharField(_("export"), max_length=60)
    label = models.CharField(_("what"), max_length=200)
    params = models.JSONField(_("criteria"), default=dict)
    fmt = models.CharField(_("format"), max_length=10)
    zone = models.CharField(_("zone"), max_length=10)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    personal = models.BooleanField(_("holds other people's personal data"), default=False)
    file_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"))
    finished_at = models.DateTimeField(_("written at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    permission = models.CharField(
        _("permission"), max_length=12, choices=Permission.choices, default=Permission.NOT_NEEDED
    )
    # The 持ち出し document (approvals.Document, which this layer does not know by model).
    permission_document_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["owner", "created_at"], name="exportjob_owner_idx")]

    def __str__(self) -> str:
        return f"{self.label} ({self.fmt})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0
