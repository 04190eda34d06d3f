"""持ち出し許可申請 as a document type of the approval engine: a member of staff asks their 所属長 (the 課長, by the
type's default 専決 rule) to let a file of other people's personal data leave the portal, saying why and on what.
Filing marks the export as asked for; the decision permits its download (the log of the download names this
document); a rejection refuses it for good; a withdrawal, or the cancellation (取消) of a permission, puts it back to
needing one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import doctypes
from approvals.models import Document, DocumentStatus
from personnel.access import AccessContext
from personnel.exports import export_permission_set
from personnel.models import ExportJob, Staff
from takeout.forms import TakeoutForm
from takeout.models import TAKEOUT, TakeoutRequest

SECTION_HEAD = 5


class TakeoutType(doctypes.DocumentType):
    code = TAKEOUT
    label = gettext_lazy("Data take-out (持ち出し許可申請)")
    description = gettext_lazy("Permission from your 所属長 to take a file of personal data out of the portal.")
    detail_model = TakeoutRequest
    form_class = TakeoutForm
    card_template = "takeout/_card.html"
    row_template = "takeout/_row.html"
    detail_related = ("job",)
    default_rules = (doctypes.DefaultRule(deciding_rank=SECTION_HEAD, note="個人情報の持ち出しは所属長（課長）の許可"),)

    def prepare(
        self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any], revising: Document | None = None
    ) -> doctypes.Filing:
        job = ExportJob.objects.select_for_update().filter(pk=data.get("job") or 0, owner=applicant).first()
        if job is None:
            raise ValidationError(_("Choose one of your own exports."))
        asked = revising is not None and revising.takeout_request.job_id == job.pk
        if job.permission != ExportJob.Permission.NEEDED and not asked:
            raise ValidationError(
                _("This export does not wait for a permission (%(state)s).") % {"state": job.get_permission_display()}
            )
        purpose = (data.get("purpose") or "").strip()
        if not purpose:
            raise ValidationError(_("Say what the data is taken out for."))
        detail = revising.takeout_request if revising is not None else TakeoutRequest(staff=applicant)
        if revising is not None and not asked:  # corrected to ask for another export: the first one waits again
            previous = ExportJob.objects.select_for_update().get(pk=detail.job_id)
            export_permission_set(job=previous, permission=ExportJob.Permission.NEEDED)
        detail.job, detail.purpose, detail.medium, detail.rows = job, purpose, data["medium"], job.rows_total
        export_permission_set(job=job, permission=ExportJob.Permission.REQUESTED)
        title = _("Take-out of personal data: %(what)s (%(rows)d rows)") % {"what": job.label, "rows": job.rows_total}
        return doctypes.Filing(title=title[:200], body=purpose, detail=detail, contains_personal_info=True)

    def on_decided(
        self, *, document: Document, detail: TakeoutRequest, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        job = ExportJob.objects.select_for_update().get(pk=detail.job_id)
        # The number is given right after this hook: the page and the log read it from the document.
        export_permission_set(job=job, permission=ExportJob.Permission.GRANTED, document_id=document.pk)

    def on_closed(
        self, *, document: Document, detail: TakeoutRequest, status: str, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        job = ExportJob.objects.select_for_update().get(pk=detail.job_id)
        if status == DocumentStatus.REJECTED:
            export_permission_set(job=job, permission=ExportJob.Permission.REFUSED, document_id=document.pk)
        else:  # withdrawn: the member may ask again
            export_permission_set(job=job, permission=ExportJob.Permission.NEEDED)

    def cancel_refusal(self, *, document: Document, detail: TakeoutRequest, ctx: AccessContext) -> str | None:
        return None  # a permission may be taken back (取消) while the file is kept

    def on_cancelled(
        self, *, document: Document, detail: TakeoutRequest, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        job = ExportJob.objects.select_for_update().get(pk=detail.job_id)
        export_permission_set(job=job, permission=ExportJob.Permission.NEEDED)
