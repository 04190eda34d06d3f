"""The 庶務センター's spreadsheets of a month: the payroll inputs (one sheet per type, the payroll system's columns)
and the overtime ledger (per person, per category, minutes and the rounded hours). xlsx through openpyxl's
write-only mode (personnel.spreadsheets.write_sheets), CSV (UTF-8 with BOM, or plain) one table at a time. Every
download is logged (personnel.services.export_record)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from payroll import rules, services
from payroll.doctypes import BY_CODE, TYPES, PayrollType
from payroll.models import InputState, OvertimeMonth, OvertimeRule, PayrollInput
from personnel import services as personnel_services
from personnel import spreadsheets

WHAT = ("inputs", "overtime")
COMMON = ("職員番号", "氏名", "所属", "決裁番号", "支給月", "処理状態")
EXPORTED_STATES = (InputState.DECIDED, InputState.CHECKED)


def input_rows(month: date, doctype: PayrollType) -> Iterator[list[Any]]:
    inputs = (
        PayrollInput.objects.filter(month=month, kind=doctype.code, state__in=EXPORTED_STATES)
        .select_related("staff", "unit", "document", f"document__{doctype.related_name}")
        .order_by("staff__employee_number", "document__decided_at", "pk")
    )
    states = dict(InputState.choices)
    for row in inputs.iterator(chunk_size=2000):
        detail = getattr(row.document, doctype.related_name)
        yield [
            row.staff.employee_number,
            row.staff.full_name,
            row.unit.name,
            row.document.number,
            f"{row.month:%Y-%m}",
            str(states[row.state]),
            *doctype.export_values(detail),
        ]


def input_sheets(month: date, kinds: list[str] | None = None):
    for doctype in TYPES:
        if kinds and doctype.code not in kinds:
            continue
        yield str(doctype.label), [*COMMON, *doctype.export_header], input_rows(month, doctype)


OVERTIME_HEADER = (
    "職員番号",
    "氏名",
    "月",
    *[f"{rules.CATEGORY_LABELS[c]}(分)" for c in rules.CATEGORIES],
    *[f"{rules.CATEGORY_LABELS[c]}(時間)" for c in rules.CATEGORIES],
    "合計(分)",
    "特例業務(分)",
    "面接指導",
)


def overtime_rows(month: date) -> Iterator[list[Any]]:
    rule = services.rule_in_force(OvertimeRule, month)
    for ledger in (
        OvertimeMonth.objects.filter(month=month).select_related("staff").order_by("staff__employee_number")
    ).iterator(chunk_size=2000):
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


def month_download(*, request: HttpRequest, month: date, what: str, fmt: str, kind: str = "") -> HttpResponse:
    if what == "overtime":
        sheets = [(gettext("Overtime ledger"), list(OVERTIME_HEADER), overtime_rows(month))]
        name = f"時間外勤務台帳-{month:%Y-%m}"
    else:
        kinds = [kind] if kind in BY_CODE else None
        if fmt != "xlsx" and kinds is None:
            kinds = [TYPES[0].code]  # a CSV holds one table: one type at a time
        sheets = list(input_sheets(month, kinds))
        name = f"給与入力-{month:%Y-%m}" + (f"-{kinds[0]}" if kinds and len(kinds) == 1 else "")
    if fmt == "xlsx":
        out = io.BytesIO()
        rows = spreadsheets.write_sheets(out, sheets)
        body = out.getvalue()
    else:
        _title, header, table = sheets[0]
        materialised = list(table)
        rows = len(materialised)
        body = spreadsheets.csv_bytes(header, materialised, bom=fmt != "csv-plain")
    personnel_services.export_record(
        actor=request.user,
        ctx=request.access,
        what=f"payroll.{what}",
        fmt=fmt,
        rows=rows,
        criteria={"month": f"{month:%Y-%m}", "kind": kind},
    )
    return spreadsheets.attachment(body, fmt=fmt, filename=name)
