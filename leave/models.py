"""Leave (休暇): what was granted, taken and asked for. The rules (working days, quantities, limits) are in
leave/rules.py and leave/services.py; a leave request is an approvals document with a LeaveRequest beside it."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from personnel.models import Staff

# The document type code of leave (Document.doc_type; leave/doctype.py registers it).
LEAVE = "leave"


class LeaveType(models.TextChoices):
    ANNUAL = "annual", _("Annual leave (年次休暇)")
    SUMMER = "summer", _("Summer leave (夏季休暇)")
    BEREAVEMENT = "bereavement", _("Bereavement or celebration leave (慶弔休暇)")
    SICK = "sick", _("Sick leave (病気休暇)")


class LeaveUnit(models.TextChoices):
    DAY = "day", _("By the day")
    HALF_DAY = "half_day", _("Half day (半日)")
    HOUR = "hour", _("By the hour (時間休)")


class LeaveHalf(models.TextChoices):
    AM = "am", _("Morning (午前)")
    PM = "pm", _("Afternoon (午後)")


class BereavementEvent(models.TextChoices):
    """The event a 慶弔休暇 is for; each allows a number of consecutive working days (rules.BEREAVEMENT_DAYS)."""

    OWN_WEDDING = "own_wedding", _("Own wedding (結婚)")
    DEATH_SPOUSE = "death_spouse", _("Death of spouse (配偶者)")
    DEATH_PARENT = "death_parent", _("Death of a parent (父母)")
    DEATH_CHILD = "death_child", _("Death of a child (子)")
    DEATH_GRANDPARENT = "death_grandparent", _("Death of a grandparent (祖父母)")
    DEATH_SIBLING = "death_sibling", _("Death of a brother or sister (兄弟姉妹)")


class LeaveBalance(models.Model):
    """One staff member's annual leave (年次休暇) for one leave year (the calendar year), in minutes.

    Minutes because hour leave is counted in minutes and a half day is 232.5 of them (1 day = 465). Created
    lazily by leave.services.leave_balance_for; `carried_minutes` is fixed when the row is created.
    """

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="leave_balances", verbose_name=_("staff"))
    year = models.PositiveSmallIntegerField(_("year"))
    granted_minutes = models.DecimalField(_("granted (minutes)"), max_digits=9, decimal_places=1)
    carried_minutes = models.DecimalField(_("carried over (minutes)"), max_digits=9, decimal_places=1)
    used_minutes = models.DecimalField(_("used (minutes)"), max_digits=9, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("annual leave balance")
        verbose_name_plural = _("annual leave balances")
        ordering = ["staff", "year"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="leavebalance_unique_staff_year"),
            models.CheckConstraint(
                condition=Q(granted_minutes__gte=0) & Q(carried_minutes__gte=0) & Q(used_minutes__gte=0),
                name="leavebalance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.year}"

    @property
    def remaining_minutes(self):
        """Granted + carried − used: what is left once every decided leave is counted (pending ones are not)."""
        return self.granted_minutes + self.carried_minutes - self.used_minutes


class LeaveRequest(models.Model):
    """What a leave document (approvals.Document of type leave) asks for. Its status is the document's."""

    document = models.OneToOneField(
        "approvals.Document", on_delete=models.CASCADE, related_name="leave_request", verbose_name=_("document")
    )
    # The person taking the leave; always the document's applicant, kept here so the overlap and balance
    # queries need no join.
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="leave_requests", verbose_name=_("staff"))
    leave_type = models.CharField(_("leave type"), max_length=20, choices=LeaveType.choices)
    unit = models.CharField(_("taken by"), max_length=10, choices=LeaveUnit.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    half = models.CharField(_("half"), max_length=2, choices=LeaveHalf.choices, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)
    bereavement_event = models.CharField(_("event"), max_length=30, choices=BereavementEvent.choices, blank=True)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    minutes = models.DecimalField(_("minutes charged"), max_digits=9, decimal_places=1)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["staff", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="leaverequest_ends_after_start",
                violation_error_message=_("The leave cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=1) & Q(hours__lte=7)),
                name="leaverequest_hours_1_to_7",
            ),
        ]
        indexes = [models.Index(fields=["staff", "start_date"], name="leaverequest_staff_start_idx")]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_leave_type_display()} {self.start_date}–{self.end_date}"
