"""Template helpers of the leave (休暇) pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template

from personnel.leave import format_minutes
from personnel.leave_services import leave_summary
from personnel.models import Staff

register = template.Library()


@register.filter
def leave_minutes(minutes: Decimal | int | None) -> str:
    """A quantity of leave in minutes as days, hours and minutes of a 7 h 45 min day ("12日 3時間")."""
    return "" if minutes is None else format_minutes(minutes)


@register.simple_tag
def annual_leave_available(staff: Staff, today: date) -> str:
    """The annual leave `staff` can still ask for this year (pending requests counted), for the my-page card."""
    return format_minutes(leave_summary(staff=staff, year=today.year).available)
