"""The city's calendar: working days (勤務日) and the fiscal year (年度). Pure functions, no database.

Working days are Monday to Friday except Japanese national holidays (the `holidays` package, which includes
振替休日 and 国民の休日) and the year-end closure 12/29–1/3 (年末年始, closed by ordinance though not all national
holidays). The fiscal year runs from April to March.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


def fiscal_year(day: date) -> int:
    """Japanese fiscal year (年度): April to March; January–March belong to the previous year's."""
    return day.year if day.month >= 4 else day.year - 1


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    # Building the holiday table costs a few milliseconds; a year's table never changes within a process.
    return frozenset(holidays.Japan(years=year))


def is_year_end_break(d: date) -> bool:
    """12/29–1/3 (年末年始)."""
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and not is_year_end_break(d) and d not in _national_holidays(d.year)


def working_days(start: date, end: date) -> list[date]:
    """The working days from start to end, both inclusive (empty when end is before start)."""
    days = []
    d = start
    while d <= end:
        if is_working_day(d):
            days.append(d)
        d += timedelta(days=1)
    return days
