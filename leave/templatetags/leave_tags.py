"""Template helpers of the leave (休暇) pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext

from leave.rules import format_minutes

register = template.Library()


@register.filter
def leave_minutes(minutes: Decimal | int | None) -> str:
    """A quantity of leave in minutes as days, hours and minutes of a 7 h 45 min day ("12日 3時間")."""
    return "" if minutes is None else format_minutes(minutes)


@lru_cache(maxsize=2048)
def _short_date(day: date, language: str | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@register.filter
def leave_span(detail: Any) -> str:
    """A leave request's days and what it charges, for a list row: "2026/11/30–2026/12/02 · 3日 (3 working days)".
    One filter instead of a dozen template nodes: a queue page shows it on every row (dates formatted once per
    day and language)."""
    language = get_language()
    text = _short_date(detail.start_date, language)
    if detail.end_date != detail.start_date:
        text += "–" + _short_date(detail.end_date, language)
    text += " · " + format_minutes(detail.minutes)
    if detail.working_days > 1:
        days = detail.working_days
        text += " (" + ngettext("%(days)s working day", "%(days)s working days", days) % {"days": days} + ")"
    return text
