from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from personnel.models import Staff

# The document type code of telework applications (Document.doc_type; telework_applications/doctype.py).
TELEWORK = "telework"


class TeleworkApplication(models.Model):
    """在宅勤務申請: filed and decided through the approval engine (document type "telework", 課長 decides)."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="telework_application")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="telework_applications")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    tasks = models.TextField(_("tasks"))
    place = models.CharField(_("place"), max_length=200)

    class Meta:
        verbose_name = _("telework application")
        verbose_name_plural = _("telework applications")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="telework_period_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.start_date}–{self.end_date}"
