"""Template helpers of the leave (休暇) pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from leave.rules import format_minutes

register = template.Library()


@register.filter
def leave_minutes(minutes: Decimal | int | None) -> str:
    """A quantity of leave in minutes as days, hours and minutes of a 7 h 45 min day ("12日 3時間")."""
    return "" if minutes is None else format_minutes(minutes)
