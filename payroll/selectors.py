"""Reads of the payroll inputs, each through personnel/access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from approvals import selectors as approval_selectors
from approvals.models import Document
from payroll import rules, services
from payroll.doctypes import BY_CODE, TYPES
from payroll.models import OvertimeMonth, OvertimeRule, PayrollInput, PayrollMonth
from personnel import access, calendar
from personnel.access import AccessContext
from personnel.models import OrgUnit, Staff


def worklist(
    *, user: Any, ctx: AccessContext, month: date | None, kind: str = "", unit_id: int | None = None, state: str = ""
) -> QuerySet[PayrollInput]:
    """The 庶務センター's inputs, filtered (month, type, unit with the units below it, state)."""
    rows = access.visible(user, "process", PayrollInput.objects.all(), ctx)
    if month is not None:
        rows = rows.filter(month=month)
    if kind:
        rows = rows.filter(kind=kind)
    if unit_id:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        rows = rows.filter(unit__path__startswith=unit.path) if unit else rows.none()
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("document", "staff", "unit", "handled_by").order_by(
        "state", "unit__path", "staff__employee_number", "pk"
    )


def month_row(month: date) -> PayrollMonth | None:
    return PayrollMonth.objects.filter(month=month).first()


def my_inputs(*, user: Any, ctx: AccessContext) -> QuerySet[Document]:
    """The user's own payroll inputs, newest first (with their detail rows and central state)."""
    codes = [t.code for t in TYPES]
    return (
        approval_selectors.my_requests(user=user, ctx=ctx)
        .filter(doc_type__in=codes)
        .select_related("payroll_input")
        .order_by("-filed_at", "-pk")
    )


@dataclass(frozen=True)
class OvertimeSummary:
    month: date
    ledger: OvertimeMonth | None
    hours: list[tuple[str, int, int]]  # (label, minutes, rounded hours)
    findings: list[str]
    estimate: rules.Estimate | None


def my_overtime(*, staff: Staff, month: date, ctx: AccessContext, user: Any) -> OvertimeSummary:
    """This month's decided overtime by category, rounded as the rule says, the caps, and — where HR loaded the
    salary and the user may see it — the estimated allowance."""
    month = services.first_of_month(month)
    ledger = OvertimeMonth.objects.filter(staff=staff, month=month).first()
    rule = services.rule_in_force(OvertimeRule, month)
    minutes = {c: getattr(ledger, f"{c}_minutes") if ledger else 0 for c in rules.CATEGORIES}
    hours = [(str(rules.CATEGORY_LABELS[c]), minutes[c], rules.round_hours(minutes[c], rule)) for c in rules.CATEGORIES]
    unit = services.post_unit(staff, ctx.today)
    findings = [f.message for f in services.cap_findings(staff=staff, unit=unit, month=month)] if unit else []
    estimate = None
    salary = services.salary_of(staff, month)
    if salary is not None and access.can(user, "view", salary, ctx):
        estimate = rules.allowance_estimate(
            monthly=salary.base + salary.regional,
            fiscal_year=calendar.fiscal_year(month),
            minutes=minutes,
            rule=rule,
        )
    return OvertimeSummary(month=month, ledger=ledger, hours=hours, findings=findings, estimate=estimate)


def interviews(*, user: Any, ctx: AccessContext, month: date) -> QuerySet[OvertimeMonth]:
    """面接指導: staff whose month reached the interview line (HR's list)."""
    rows = OvertimeMonth.objects.filter(month=month, interview=True).select_related("staff")
    if not access.can(user, "interviews", OvertimeMonth, ctx):
        return rows.none()
    return rows.order_by("-total_minutes")


def type_choices() -> list[tuple[str, str]]:
    return [(t.code, str(t.label)) for t in TYPES]


def doctype(code: str):
    return BY_CODE[code]
