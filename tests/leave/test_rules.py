"""The leave calendar and quantities (leave/rules.py): pure functions, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from leave.rules import DAY_MINUTES, HALF_DAY_MINUTES, LeaveQuantity, format_minutes, quantity
from personnel.calendar import is_working_day, working_days


def test_it_skips_the_weekend():
    assert working_days(date(2026, 11, 6), date(2026, 11, 9)) == [date(2026, 11, 6), date(2026, 11, 9)]


def test_it_skips_culture_day():
    # 文化の日, a Tuesday
    assert working_days(date(2026, 11, 2), date(2026, 11, 4)) == [date(2026, 11, 2), date(2026, 11, 4)]


def test_it_skips_labour_thanksgiving_day():
    # 勤労感謝の日, a Monday
    assert not is_working_day(date(2026, 11, 23))
    assert is_working_day(date(2026, 11, 24))


def test_it_skips_a_substitute_holiday():
    # 振替休日 for Constitution Day falling on a Sunday
    assert not is_working_day(date(2026, 5, 6))


def test_it_skips_the_year_end_break():
    assert working_days(date(2026, 12, 28), date(2027, 1, 5)) == [
        date(2026, 12, 28),
        date(2027, 1, 4),
        date(2027, 1, 5),
    ]


def test_it_counts_no_working_day_when_the_end_is_before_the_start():
    assert working_days(date(2026, 12, 2), date(2026, 12, 1)) == []


def test_it_charges_a_day_per_working_day():
    assert quantity("annual", "day", date(2026, 11, 20), date(2026, 11, 25)) == LeaveQuantity(
        working_days=3, minutes=Decimal(3 * DAY_MINUTES)
    )


def test_it_charges_half_a_day_for_a_half_day():
    assert quantity("annual", "half_day", date(2026, 12, 1), date(2026, 12, 1)) == LeaveQuantity(
        working_days=1, minutes=HALF_DAY_MINUTES
    )


def test_it_charges_sixty_minutes_an_hour():
    assert quantity("annual", "hour", date(2026, 12, 1), date(2026, 12, 1), hours=3).minutes == Decimal(180)


def test_it_refuses_leave_ending_before_it_starts():
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        quantity("annual", "day", date(2026, 12, 2), date(2026, 12, 1))


def test_it_refuses_leave_spanning_two_years():
    with pytest.raises(ValidationError, match="cannot span two years"):
        quantity("annual", "day", date(2026, 12, 28), date(2027, 1, 5))


def test_it_refuses_a_range_without_a_working_day():
    with pytest.raises(ValidationError, match="There is no working day from"):
        quantity("annual", "day", date(2026, 11, 21), date(2026, 11, 23))


def test_it_refuses_a_single_holiday():
    with pytest.raises(ValidationError, match="is not a working day"):
        quantity("annual", "half_day", date(2026, 11, 3), date(2026, 11, 3))


def test_it_refuses_a_half_day_over_two_days():
    with pytest.raises(ValidationError, match="half day must start and end on the same day"):
        quantity("annual", "half_day", date(2026, 12, 1), date(2026, 12, 2))


def test_it_refuses_hour_leave_over_two_days():
    with pytest.raises(ValidationError, match="Hour leave must start and end on the same day"):
        quantity("annual", "hour", date(2026, 12, 1), date(2026, 12, 2), hours=2)


@pytest.mark.parametrize("hours", [None, 0, 8])
def test_it_refuses_hour_leave_outside_one_to_seven_hours(hours):
    with pytest.raises(ValidationError, match="whole hours, from 1 to 7"):
        quantity("annual", "hour", date(2026, 12, 1), date(2026, 12, 1), hours=hours)


def test_it_refuses_summer_leave_by_the_hour():
    with pytest.raises(ValidationError, match="cannot be taken in this unit"):
        quantity("summer", "hour", date(2026, 8, 3), date(2026, 8, 3), hours=2)


def test_it_refuses_summer_leave_outside_july_to_september():
    with pytest.raises(ValidationError, match="only be taken from July to September"):
        quantity("summer", "day", date(2026, 6, 29), date(2026, 7, 1))


def test_it_refuses_more_than_five_days_of_summer_leave_at_once():
    with pytest.raises(ValidationError, match="at most 5 days a year"):
        quantity("summer", "day", date(2026, 8, 3), date(2026, 8, 10))


def test_it_refuses_bereavement_leave_without_its_event():
    with pytest.raises(ValidationError, match="choose the event"):
        quantity("bereavement", "day", date(2026, 12, 1), date(2026, 12, 1))


def test_it_refuses_bereavement_leave_beyond_the_events_allowance():
    # a grandparent allows 3 working days; Thu to Tue is 4
    with pytest.raises(ValidationError, match="at most 3 consecutive working days; this request covers 4"):
        quantity("bereavement", "day", date(2026, 12, 3), date(2026, 12, 8), bereavement_event="death_grandparent")


def test_it_counts_bereavement_allowance_in_working_days():
    # a parent allows 7 working days: Mon 11/30 to Tue 12/8 with the weekend between
    result = quantity("bereavement", "day", date(2026, 11, 30), date(2026, 12, 8), bereavement_event="death_parent")
    assert result.working_days == 7


def test_it_refuses_an_unknown_leave_type():
    with pytest.raises(ValidationError, match="Unknown leave type"):
        quantity("sabbatical", "day", date(2026, 12, 1), date(2026, 12, 1))


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (Decimal(0), "0 min"),
        (Decimal(45), "45 min"),
        (Decimal(120), "2 h"),
        (HALF_DAY_MINUTES, "0.5 days"),
        (Decimal(DAY_MINUTES) + HALF_DAY_MINUTES, "1.5 days"),
        (HALF_DAY_MINUTES + 120, "0.5 days 2 h"),
        (Decimal(240), "4 h"),
        (Decimal(DAY_MINUTES), "1 day"),
        (Decimal(2 * DAY_MINUTES + 210), "2 days 3 h 30 min"),
        (Decimal(40 * DAY_MINUTES), "40 days"),
    ],
)
def test_it_writes_minutes_as_days_hours_and_minutes(minutes, text):
    assert format_minutes(minutes) == text
