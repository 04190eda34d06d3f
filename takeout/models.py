"""持ち出し許可: the 所属長's permission to take a file of other people's personal data out of the portal."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from personnel.models import ExportJob, Staff

TAKEOUT = "takeout"


class Medium(models.TextChoices):
    SHARED_FOLDER = "shared_folder", _("The section's shared folder (庁内ファイルサーバ)")
    ENCRYPTED_USB = "encrypted_usb", _("An encrypted USB memory registered with 情報政策")
    PAPER = "paper", _("Printed on paper")
    OTHER_SYSTEM = "other_system", _("Another system of the city (e.g. the payroll system)")


class TakeoutRequest(models.Model):
    """What is taken out (an export), why, and on what (媒体)."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="takeout_request")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    job = models.ForeignKey(ExportJob, on_delete=models.PROTECT, related_name="+", verbose_name=_("export"))
    purpose = models.TextField(_("purpose"))
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("data take-out request")
        verbose_name_plural = _("data take-out requests")

    def __str__(self) -> str:
        return f"{self.staff} {self.job}"
