"""Telework applications (在宅勤務申請) as a document type of the approval engine (approvals/doctypes.py): the
days, the tasks and the place, decided by the 課長. Filing checks the period against the calendar and the
applicant's other applications under a lock on the applicant's staff row; an application may be cancelled (取消)
until its first day."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import doctypes
from approvals.models import Document
from personnel.access import AccessContext
from personnel.models import Staff
from telework_applications import services
from telework_applications.forms import TeleworkApplicationForm
from telework_applications.models import TELEWORK, TeleworkApplication

SECTION_HEAD = 5


class TeleworkApplicationType(doctypes.DocumentType):
    code = TELEWORK
    label = gettext_lazy("Telework application")
    description = gettext_lazy("Working from home (在宅勤務) on working days: the days, the tasks and the place.")
    detail_model = TeleworkApplication
    form_class = TeleworkApplicationForm
    card_template = "telework_applications/_card.html"
    row_template = "telework_applications/_row.html"
    default_rules = (doctypes.DefaultRule(deciding_rank=SECTION_HEAD, note="在宅勤務は課長専決"),)

    def prepare(
        self,
        *,
        applicant: Staff,
        ctx: AccessContext,
        data: Mapping[str, Any],
        revising: Document | None = None,
    ) -> doctypes.Filing:
        start_date, end_date = data.get("start_date"), data.get("end_date")
        if start_date is None or end_date is None:
            raise ValidationError(_("Please give the first and the last day."))
        tasks, place = (data.get("tasks") or "").strip(), (data.get("place") or "").strip()
        # The applicant's staff row serialises their filings, so two applications filed at once cannot both pass
        # the overlap check.
        Staff.objects.select_for_update().filter(pk=applicant.pk).first()
        days = services.telework_application_validate(
            staff=applicant,
            start_date=start_date,
            end_date=end_date,
            tasks=tasks,
            place=place,
            today=ctx.today,
            exclude_document_id=revising.pk if revising is not None else None,
        )
        detail = revising.telework_application if revising is not None else TeleworkApplication(staff=applicant)
        detail.start_date, detail.end_date, detail.working_days = start_date, end_date, days
        detail.tasks, detail.place = tasks, place
        return doctypes.Filing(
            title=services.telework_title(start_date=start_date, end_date=end_date, days=days),
            body="\n".join([_("Place: %(place)s") % {"place": place}, "", tasks]),
            detail=detail,
        )

    def new_initial(self, *, ctx: AccessContext) -> dict[str, Any]:
        return {"start_date": ctx.today, "end_date": ctx.today}

    def cancel_refusal(self, *, document: Document, detail: TeleworkApplication, ctx: AccessContext) -> str | None:
        if detail.start_date <= ctx.today:
            return _(
                "This telework started on %(day)s; an application can be cancelled (取消) only before its first day."
            ) % {"day": date_format(detail.start_date)}
        return None
