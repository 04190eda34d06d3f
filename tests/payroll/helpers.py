"""Filing and deciding payroll inputs through the engine's one path (the applicant is city.applicant of 人事係:
係長 → 課長補佐 → 課長 decides)."""

from __future__ import annotations

from datetime import date, datetime, time

from approvals import services
from approvals.models import Document
from personnel.access import AccessContext
from tests.approvals.helpers import approve_in_turn
from tests.conftest import TOKYO


def office_on(day: date) -> AccessContext:
    return AccessContext.office(today=day)


def decide(city, document: Document, ctx: AccessContext) -> Document:
    return approve_in_turn(document, [city.chief, city.delegate, city.approver], ctx)


def hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def file_order(city, ctx, day: date, start="18:00", end="22:00", *, next_day=False, **extra) -> Document:
    data = {
        "work_date": day,
        "planned_start": hm(start),
        "planned_end": hm(end),
        "ends_next_day": next_day,
        "reason": "予算資料の作成",
        **extra,
    }
    return services.document_file(actor=city.applicant.user, ctx=ctx, doc_type="ot_order", data=data)


def file_report(city, ctx, day: date, start="18:00", end="22:00", *, next_day=False, **extra) -> Document:
    data = {"work_date": day, "start_time": hm(start), "end_time": hm(end), "ends_next_day": next_day, **extra}
    return services.document_file(actor=city.applicant.user, ctx=ctx, doc_type="ot_report", data=data)


def moment(day: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(day, time(h, m), tzinfo=TOKYO)
