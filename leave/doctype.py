"""Leave (休暇) as a document type of the approval engine (approvals/doctypes.py).

Filing checks the request against the calendar, the staff member's other leave and the balance or yearly limit
(leave/services.py), under the lock of the year's balance row, which every filing and decision of that staff
member's leave in that year takes; a request never spans two years. Deciding debits annual leave from the balance;
rejected and withdrawn requests never took anything (pending requests count by their status). A decided leave may
be cancelled (取消) until the day it starts; the cancellation gives annual leave back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import doctypes
from approvals.models import Document
from leave import selectors, services
from leave.forms import LeaveRequestForm
from leave.models import LEAVE, LeaveRequest, LeaveType
from personnel.access import AccessContext
from personnel.models import Staff

SECTION_HEAD = 5

FIELDS = ("leave_type", "unit", "start_date", "end_date", "half", "start_time", "hours", "bereavement_event")


PERSONAL_LEAVE_TYPES = frozenset({LeaveType.SICK, LeaveType.BEREAVEMENT})


class LeaveDocumentType(doctypes.DocumentType):
    code = LEAVE
    label = gettext_lazy("Leave")
    description = gettext_lazy("Annual, summer, bereavement and sick leave (休暇), by the day, half day or hour.")
    detail_model = LeaveRequest
    form_class = LeaveRequestForm
    card_template = "leave/_card.html"
    row_template = "leave/_row.html"
    detail_related = ("staff",)  # the decision and cancellation hooks charge the staff member's balance
    fields_template = "leave/_fields.html"
    aside_template = "leave/_balance_card.html"
    check_template = "leave/_check.html"
    list_url_name = "leave:list"
    facts_template = "leave/_facts.html"
    default_rules = (doctypes.DefaultRule(deciding_rank=SECTION_HEAD, note="休暇は課長専決"),)

    def facts(self, *, documents: list[Document], ctx: AccessContext) -> dict[int, Any]:
        return selectors.leave_facts(documents=documents, ctx=ctx)

    def prepare(
        self,
        *,
        applicant: Staff,
        ctx: AccessContext,
        data: Mapping[str, Any],
        revising: Document | None = None,
    ) -> doctypes.Filing:
        fields = services.leave_fields(**{name: data.get(name) or _empty(name) for name in FIELDS})
        if fields["start_date"] is None or fields["end_date"] is None:
            raise ValidationError(_("Please give the day the leave starts."))
        reason = (data.get("reason") or "").strip()
        if len(reason) > services.REASON_MAX_LENGTH:
            raise ValidationError(
                _("The reason is too long (at most %(n)d characters).") % {"n": services.REASON_MAX_LENGTH}
            )
        year = fields["start_date"].year
        # The year's balance row serialises every filing and decision of this staff member's leave in that year,
        # so two filings at once cannot both pass the overlap and balance checks.
        services.leave_balance_for(staff=applicant, year=year, for_update=True)
        exclude = revising.pk if revising is not None else None
        result = services.leave_request_validate(
            staff=applicant, exclude_document_id=exclude, today=ctx.today, **fields
        )
        title = services.leave_title(
            **{k: v for k, v in fields.items() if k != "bereavement_event"}, days=result.working_days
        )
        detail = revising.leave_request if revising is not None else LeaveRequest(staff=applicant)
        for name, value in fields.items():
            setattr(detail, name, value)
        detail.working_days, detail.minutes, detail.reason = result.working_days, result.minutes, reason
        summary = services.leave_summary(staff=applicant, year=year, exclude_document_id=exclude)
        remaining = None
        if fields["leave_type"] == LeaveType.ANNUAL:
            remaining = summary.available - result.minutes
        elif fields["leave_type"] in summary.limits:
            remaining = summary.limits[fields["leave_type"]].available_minutes - result.minutes
        return doctypes.Filing(
            title=title,
            body=reason,
            detail=detail,
            # Sick leave tells of health, 慶弔休暇 of family events: 個人情報, kept in the office.
            contains_personal_info=fields["leave_type"] in PERSONAL_LEAVE_TYPES,
            summary={"leave_type": fields["leave_type"], "quantity": result, "remaining_after": remaining},
        )

    def new_initial(self, *, ctx: AccessContext) -> dict[str, Any]:
        return {"start_date": ctx.today}

    def initial(self, *, detail: LeaveRequest) -> dict[str, Any]:
        return {name: getattr(detail, name) for name in (*FIELDS, "reason")}

    def page_context(self, *, applicant: Staff, ctx: AccessContext, data: Mapping[str, Any] | None) -> dict[str, Any]:
        start = (data or {}).get("start_date")
        year = start.year if isinstance(start, date) else ctx.today.year
        return {"summary": services.leave_summary(staff=applicant, year=year)}

    def on_decided(
        self, *, document: Document, detail: LeaveRequest, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        """Annual leave is debited from the year's balance now, and only now; special leave is held to its yearly
        limit. A ValidationError (the balance or limit no longer covers it) refuses the decision."""
        year = detail.start_date.year
        if detail.leave_type == LeaveType.ANNUAL:
            services.leave_balance_move(
                staff=detail.staff,
                year=year,
                minutes=detail.minutes,
                document=document,
                ctx=ctx,
                actor=actor,
                action="leave_balance_debit",
            )
            return
        services.leave_balance_for(staff=detail.staff, year=year, for_update=True)  # the year's lock
        services.special_leave_limit_check(leave=detail)

    def cancel_refusal(self, *, document: Document, detail: LeaveRequest, ctx: AccessContext) -> str | None:
        if detail.start_date <= ctx.today:
            return _("This leave started on %(day)s; leave can be cancelled (取消) only before the day it starts.") % {
                "day": date_format(detail.start_date)
            }
        return None

    def on_cancelled(
        self, *, document: Document, detail: LeaveRequest, ctx: AccessContext, actor: doctypes.Acting
    ) -> None:
        """The cancelled leave gives its annual leave back; special leave stops counting by its status."""
        if detail.leave_type == LeaveType.ANNUAL:
            services.leave_balance_move(
                staff=detail.staff,
                year=detail.start_date.year,
                minutes=-detail.minutes,
                document=document,
                ctx=ctx,
                actor=actor,
                action="leave_balance_credit",
            )


def _empty(name: str) -> Any:
    return None if name in ("start_date", "end_date", "start_time", "hours") else ""
