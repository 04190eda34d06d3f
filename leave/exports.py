"""The leave ledger (休暇台帳) of a year as a spreadsheet: each staff member's annual leave granted, carried over,
taken and left, and the special leave taken, in days and minutes. Written in the background (personnel/exports.py);
HR and the 庶務センター export it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from leave.models import LeaveBalance
from leave.rules import DAY_MINUTES
from personnel import exports
from personnel.models import Staff

HEADER = ("職員番号", "氏名", "年", "付与(日)", "繰越(日)", "取得(日)", "残(日)", "取得(分)", "残(分)")


def parse(params: Mapping[str, Any]) -> dict[str, Any]:
    try:
        year = int(params.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Choose a year, e.g. 2026."))
    return {"year": year}


def _days(minutes: Decimal) -> Decimal:
    return (Decimal(minutes) / DAY_MINUTES).quantize(Decimal("0.01"))


def rows(year: int) -> Iterator[list[Any]]:
    balances = LeaveBalance.objects.filter(year=year).select_related("staff").order_by("staff__employee_number")
    for b in balances.iterator(chunk_size=2000):
        yield [
            b.staff.employee_number,
            b.staff.full_name,
            year,
            _days(b.granted_minutes),
            _days(b.carried_minutes),
            _days(b.used_minutes),
            _days(b.remaining_minutes),
            b.used_minutes,
            b.remaining_minutes,
        ]


exports.register(
    exports.Export(
        code="leave.ledger",
        label=lambda c: _("Leave ledger %(year)d") % {"year": c["year"]},
        model=Staff,
        action="export",
        personal=True,
        params=parse,
        count=lambda c: LeaveBalance.objects.filter(year=c["year"]).count(),
        sheets=lambda c: [exports.Sheet(_("Leave ledger"), HEADER, rows(c["year"]))],
        filename=lambda c: f"休暇台帳-{c['year']}",
    )
)
