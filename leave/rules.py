"""The leave (休暇) calendar and quantities: pure functions, no database.

Working days (勤務日) come from personnel/calendar.py.

Everything is counted in minutes, because hour leave (時間休) is: one day is 7 h 45 min = 465 minutes and a half
day is half of that, 232.5 minutes. A half day has no clock times in the rules, so only its quantity is fixed.

The leave year is the calendar year (1 January – 31 December): the annual grant, the carry-over and the special
leave limits all run per calendar year, and a request may not span two years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leave.models import BereavementEvent, LeaveType, LeaveUnit
from personnel.calendar import is_working_day, working_days

DAY_MINUTES = 465  # 7 h 45 min
HALF_DAY_MINUTES = Decimal("232.5")
HOUR_MINUTES = 60
MIN_HOURS, MAX_HOURS = 1, 7  # hour leave in whole hours; 8 would be more than a day

ANNUAL_DAYS = 20  # granted each year
CARRY_OVER_DAYS = 20  # at most carried into the next year, so at most 40 days in a year
SUMMER_DAYS = 5  # 夏季休暇 per calendar year
SUMMER_MONTHS = (7, 8, 9)
SICK_DAYS = 90  # 病気休暇 per calendar year

# 慶弔休暇: consecutive working days allowed per event.
BEREAVEMENT_DAYS = {
    BereavementEvent.OWN_WEDDING: 5,
    BereavementEvent.DEATH_SPOUSE: 7,
    BereavementEvent.DEATH_PARENT: 7,
    BereavementEvent.DEATH_CHILD: 5,
    BereavementEvent.DEATH_GRANDPARENT: 3,
    BereavementEvent.DEATH_SIBLING: 3,
}

# Which units each leave type may be taken by.
UNITS_ALLOWED = {
    LeaveType.ANNUAL: (LeaveUnit.DAY, LeaveUnit.HALF_DAY, LeaveUnit.HOUR),
    LeaveType.SUMMER: (LeaveUnit.DAY,),
    LeaveType.BEREAVEMENT: (LeaveUnit.DAY,),
    LeaveType.SICK: (LeaveUnit.DAY, LeaveUnit.HOUR),
}


def _number(value: Decimal) -> str:
    # 52.5 stays 52.5; 52.0 becomes 52.
    return f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))


def format_minutes(minutes: Decimal | int) -> str:
    """A quantity of leave as staff count it: days (half days as .5), hours and minutes of a 7 h 45 min day:
    1065 → "2 days 2 h 15 min", 232.5 → "0.5 days", 9532.5 → "20.5 days" (in Japanese "2日 2時間15分", "0.5日").
    Only a half day leaves half a minute, so a remainder with one is the half day, never "52.5 min"."""
    minutes = Decimal(minutes)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, DAY_MINUTES)
    half = rest != rest.to_integral_value() and rest >= HALF_DAY_MINUTES
    if half:
        rest -= HALF_DAY_MINUTES
    hours, mins = divmod(rest, HOUR_MINUTES)
    days, hours = int(days), int(hours)
    parts = []
    if half:
        parts.append(_("%(days)s days") % {"days": f"{days}.5"})
    elif days:
        parts.append(ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
    if hours and mins:
        parts.append(_("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": _number(mins)})
    elif hours:
        parts.append(_("%(hours)s h") % {"hours": hours})
    elif mins or not (days or half):
        parts.append(_("%(minutes)s min") % {"minutes": _number(mins)})
    return sign + " ".join(parts)


@dataclass(frozen=True)
class LeaveQuantity:
    working_days: int
    minutes: Decimal


def quantity(
    leave_type: str,
    unit: str,
    start: date,
    end: date,
    hours: int | None = None,
    bereavement_event: str = "",
) -> LeaveQuantity:
    """How much leave a request takes, or ValidationError when the request itself is not possible.

    Only the request is judged here (its dates, unit and the per-request limits); overlaps with other
    requests and what is left of the balance or the yearly limits are checked by leave_services.
    """
    if leave_type not in LeaveType.values:
        raise ValidationError(_("Unknown leave type: %(type)s") % {"type": leave_type})
    if unit not in LeaveUnit.values:
        raise ValidationError(_("Unknown unit of leave: %(unit)s") % {"unit": unit})
    leave_type, unit = LeaveType(leave_type), LeaveUnit(unit)
    if unit not in UNITS_ALLOWED[leave_type]:
        raise ValidationError(
            _("%(type)s cannot be taken in this unit (%(unit)s).") % {"type": leave_type.label, "unit": unit.label}
        )
    if end < start:
        raise ValidationError({"end_date": _("The leave cannot end before it starts.")})
    if start.year != end.year:
        raise ValidationError(
            _("A leave request cannot span two years (the leave year is the calendar year); file one for %(year)s.")
            % {"year": start.year}
        )
    if unit != LeaveUnit.DAY and start != end:
        if unit == LeaveUnit.HALF_DAY:
            raise ValidationError(_("A half day must start and end on the same day."))
        raise ValidationError(_("Hour leave must start and end on the same day."))
    days = working_days(start, end)
    if not days:
        if start == end:
            raise ValidationError(_("%(date)s is not a working day.") % {"date": date_format(start)})
        raise ValidationError(
            _("There is no working day from %(start)s to %(end)s.")
            % {"start": date_format(start), "end": date_format(end)}
        )

    if leave_type == LeaveType.SUMMER:
        if start.month not in SUMMER_MONTHS or end.month not in SUMMER_MONTHS:
            raise ValidationError(_("Summer leave can only be taken from July to September."))
        if len(days) > SUMMER_DAYS:
            raise ValidationError(
                _("Summer leave is at most %(limit)s days a year; this request covers %(days)s working days.")
                % {"limit": SUMMER_DAYS, "days": len(days)}
            )
    if leave_type == LeaveType.BEREAVEMENT:
        if bereavement_event not in BereavementEvent.values:
            raise ValidationError(
                {"bereavement_event": _("Please choose the event the bereavement or celebration leave is for.")}
            )
        event = BereavementEvent(bereavement_event)
        allowed = BEREAVEMENT_DAYS[event]
        if len(days) > allowed:
            raise ValidationError(
                _("%(event)s allows at most %(limit)s consecutive working days; this request covers %(days)s.")
                % {"event": event.label, "limit": allowed, "days": len(days)}
            )
    if leave_type == LeaveType.SICK and unit == LeaveUnit.DAY and len(days) > SICK_DAYS:
        raise ValidationError(
            _("Sick leave is at most %(limit)s days a year; this request covers %(days)s working days.")
            % {"limit": SICK_DAYS, "days": len(days)}
        )

    if unit == LeaveUnit.HALF_DAY:
        return LeaveQuantity(working_days=1, minutes=HALF_DAY_MINUTES)
    if unit == LeaveUnit.HOUR:
        if not isinstance(hours, int) or isinstance(hours, bool) or not MIN_HOURS <= hours <= MAX_HOURS:
            raise ValidationError(
                _("Hour leave is taken in whole hours, from %(min)s to %(max)s.") % {"min": MIN_HOURS, "max": MAX_HOURS}
            )
        return LeaveQuantity(working_days=1, minutes=Decimal(hours * HOUR_MINUTES))
    return LeaveQuantity(working_days=len(days), minutes=Decimal(len(days) * DAY_MINUTES))


# The working day an hour leave must lie in (8:30–17:15; 7 h 45 min of work and the lunch hour).
WORK_START = time(8, 30)
WORK_END = time(17, 15)


def earliest_after_the_fact(today: date, working_days_back: int) -> date:
    """The earliest first day of leave that may still be filed on `today`: `working_days_back` working days before
    it (0: today)."""
    day, counted = today, 0
    while counted < working_days_back:
        day -= timedelta(days=1)
        counted += is_working_day(day)
    return day
