"""The 庶務センター's spreadsheets of a month, written in the background (personnel/exports.py): the payroll inputs
(one sheet per type, the payroll system's columns; a CSV holds one type) and the overtime ledger (per person, per
category, minutes and the hours as rounded for pay). Japanese headers, as the payroll system reads them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from payroll import rules, services
from payroll.doctypes import BY_CODE, TYPES, PayrollType
from payroll.forms import MonthField
from payroll.models import InputState, OvertimeMonth, OvertimeRule, PayrollInput
from personnel import exports

COMMON = ("職員番号", "氏名", "所属", "決裁番号", "支給月", "処理状態")
EXPORTED_STATES = (InputState.DECIDED, InputState.CHECKED)
# The ledger's category columns, as the inputs sheet of overtime reports names them.
CATEGORY_HEADERS = {
    rules.DAY: "125/100",
    rules.REST: "135/100",
    rules.NIGHT: "150/100夜間",
    rules.REST_NIGHT: "160/100",
    rules.OVER60: "60h超150/100",
    rules.OVER60_NIGHT: "60h超175/100",
}
OVERTIME_HEADER = (
    "職員番号",
    "氏名",
    "月",
    *[f"{CATEGORY_HEADERS[c]}(分)" for c in rules.CATEGORIES],
    *[f"{CATEGORY_HEADERS[c]}(時間)" for c in rules.CATEGORIES],
    "合計(分)",
    "特例業務(分)",
    "面接指導",
)


def _month(criteria: Mapping[str, Any]) -> date:
    return date.fromisoformat(f"{criteria['month']}-01")


def parse(params: Mapping[str, Any]) -> dict[str, Any]:
    """The month (2026-11) and, for the inputs, optionally one type."""
    try:
        month = MonthField().clean(params.get("month"))
    except ValidationError:
        raise ValidationError(_("Choose a month, e.g. 2026-11.")) from None
    kind = params.get("kind") or ""
    if kind and kind not in BY_CODE:
        raise ValidationError(_("There is no such input type."))
    return {"month": f"{month:%Y-%m}", "kind": kind}


def _inputs(criteria: Mapping[str, Any]):
    rows = PayrollInput.objects.filter(month=_month(criteria), state__in=EXPORTED_STATES)
    return rows.filter(kind=criteria["kind"]) if criteria.get("kind") else rows


def input_rows(month: date, doctype: PayrollType) -> Iterator[list[Any]]:
    """The month's exported inputs of one type, read from the type's detail rows with the columns of their payroll
    input, applicant, unit and document joined in (one row object per line: 100,000 lines stay cheap)."""
    base = "document__payroll_input__"
    details = (
        doctype.detail_model.objects.filter(
            **{f"{base}month": month, f"{base}kind": doctype.code, f"{base}state__in": EXPORTED_STATES}
        )
        .annotate(
            x_number=F(f"{base}staff__employee_number"),
            x_family=F(f"{base}staff__family_name"),
            x_given=F(f"{base}staff__given_name"),
            x_unit=F(f"{base}unit__name"),
            x_document=F("document__number"),
            x_state=F(f"{base}state"),
        )
        .order_by("x_number", "document__decided_at", "pk")
    )
    states = dict(InputState.choices)
    label = f"{month:%Y-%m}"
    for detail in details.iterator(chunk_size=2000):
        yield [
            detail.x_number,
            f"{detail.x_family} {detail.x_given}",
            detail.x_unit,
            detail.x_document,
            label,
            str(states[detail.x_state]),
            *doctype.export_values(detail),
        ]


def input_sheets(criteria: Mapping[str, Any]) -> list[exports.Sheet]:
    month, kind = _month(criteria), criteria.get("kind")
    return [
        exports.Sheet(str(t.label)[:31], [*COMMON, *t.export_header], input_rows(month, t))
        for t in TYPES
        if not kind or t.code == kind
    ]


def overtime_rows(month: date) -> Iterator[list[Any]]:
    rule = services.rule_in_force(OvertimeRule, month)
    ledgers = OvertimeMonth.objects.filter(month=month).select_related("staff").order_by("staff__employee_number")
    for ledger in ledgers.iterator(chunk_size=2000):
        minutes = [getattr(ledger, f"{c}_minutes") for c in rules.CATEGORIES]
        yield [
            ledger.staff.employee_number,
            ledger.staff.full_name,
            f"{month:%Y-%m}",
            *minutes,
            *[rules.round_hours(m, rule) for m in minutes],
            ledger.total_minutes,
            ledger.special_minutes,
            "○" if ledger.interview else "",
        ]


def _kind_label(criteria: Mapping[str, Any]) -> str:
    return str(BY_CODE[criteria["kind"]].label) if criteria.get("kind") else _("all types")


INPUTS = exports.register(
    exports.Export(
        code="payroll.inputs",
        label=lambda c: _("Payroll inputs %(month)s (%(kind)s)") % {"month": c["month"], "kind": _kind_label(c)},
        model=PayrollInput,
        action="process",
        personal=True,
        params=parse,
        count=lambda c: _inputs(c).count(),
        sheets=input_sheets,
        filename=lambda c: f"給与入力-{c['month']}" + (f"-{c['kind']}" if c.get("kind") else ""),
    )
)

OVERTIME = exports.register(
    exports.Export(
        code="payroll.overtime",
        label=lambda c: _("Overtime ledger %(month)s") % {"month": c["month"]},
        model=PayrollInput,
        action="process",
        personal=True,
        params=parse,
        count=lambda c: OvertimeMonth.objects.filter(month=_month(c)).count(),
        sheets=lambda c: [exports.Sheet(_("Overtime ledger"), OVERTIME_HEADER, overtime_rows(_month(c)))],
        filename=lambda c: f"時間外勤務台帳-{c['month']}",
    )
)
