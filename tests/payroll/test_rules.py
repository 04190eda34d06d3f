"""The payroll rules at their boundaries (payroll/rules.py), on the seeded national values."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from payroll import rules
from payroll.models import CommutingBand, CommutingRule, HousingRule, OvertimeRule

RULE = OvertimeRule(effective_from=date(2020, 4, 1))
WEDNESDAY = date(2026, 12, 2)
SATURDAY = date(2026, 12, 5)
HOLIDAY_MONDAY = date(2026, 11, 23)  # 勤労感謝の日


def split(start, end, before=0):
    out = rules.split_minutes(start=start, end=end, before=before, rule=RULE)
    return {k: v for k, v in out.items() if v}


def at(day, h, m=0):
    return datetime.combine(day, time(h, m))


def test_a_working_day_evening_is_125_until_22_and_150_from_22():
    assert split(at(WEDNESDAY, 21, 59), at(WEDNESDAY, 22, 0)) == {"day": 1}
    assert split(at(WEDNESDAY, 22, 0), at(WEDNESDAY, 22, 1)) == {"night": 1}
    assert split(at(WEDNESDAY, 18), at(WEDNESDAY, 23, 30)) == {"day": 240, "night": 90}


def test_the_night_ends_at_five():
    thursday = date(2026, 12, 3)
    assert split(at(thursday, 4, 59), at(thursday, 5, 0)) == {"night": 1}
    assert split(at(thursday, 5, 0), at(thursday, 5, 1)) == {"day": 1}


def test_a_saturday_and_a_holiday_monday_are_135_and_160_at_night():
    assert split(at(SATURDAY, 9), at(SATURDAY, 17)) == {"rest": 480}
    assert split(at(HOLIDAY_MONDAY, 21), at(HOLIDAY_MONDAY, 23)) == {"rest": 60, "rest_night": 60}


def test_minutes_past_midnight_take_the_class_of_the_day_they_fall_on():
    friday = date(2026, 12, 4)
    # Friday 23:00 → Saturday 01:00: an hour of working-day night, an hour of rest-day night.
    assert split(at(friday, 23), at(SATURDAY, 1)) == {"night": 60, "rest_night": 60}


def test_the_fiscal_year_end_night_runs_into_a_working_april_first():
    march_31, april_1 = date(2027, 3, 31), date(2027, 4, 1)
    assert split(at(march_31, 21), at(april_1, 1)) == {"day": 60, "night": 180}


def test_the_sixtieth_hour_crossing_mid_shift_raises_the_rest_of_it():
    before = 59 * 60 + 30  # 59 h 30 min already this month
    assert split(at(WEDNESDAY, 21), at(WEDNESDAY, 23), before=before) == {"day": 30, "over60": 30, "over60_night": 60}
    assert split(at(SATURDAY, 10), at(SATURDAY, 11), before=60 * 60) == {"over60": 60}


@pytest.mark.parametrize(("minutes", "hours"), [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (600 + 29, 10)])
def test_monthly_totals_round_half_hours_up_and_drop_less(minutes, hours):
    assert rules.round_hours(minutes, RULE) == hours


def test_the_hourly_base_divides_by_the_hours_of_the_fiscal_year():
    holidays = rules.holidays_on_weekdays(2026)
    hours = Decimal(2325 * 52 - 465 * holidays) / 60
    base = rules.hourly_base(monthly=300_000 + 30_000, fiscal_year=2026, rule=RULE)
    assert base == Decimal(330_000 * 12) / hours
    estimate = rules.allowance_estimate(monthly=330_000, fiscal_year=2026, minutes={"day": 600, "night": 90}, rule=RULE)
    assert [line[:2] for line in estimate.lines] == [("day", 10), ("night", 2)]
    day_rate = int((base * 125 / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert estimate.lines[0][2] == day_rate
    assert estimate.total == sum(line[3] for line in estimate.lines)


def counted(**months):
    return {date(2026, int(k[1:]), 1): v * 60 for k, v in months.items()}


def test_the_monthly_cap_warns_near_and_says_over():
    month = date(2026, 12, 1)
    assert rules.cap_findings(month=month, counted=counted(m12=35), designated=False, rule=RULE) == []
    near = rules.cap_findings(month=month, counted=counted(m12=36), designated=False, rule=RULE)
    assert [(f.level, f.kind) for f in near] == [("near", "month")]
    over = rules.cap_findings(month=month, counted=counted(m12=46), designated=False, rule=RULE)
    assert ("over", "month") in [(f.level, f.kind) for f in over]


def test_the_year_cap_counts_the_fiscal_year_only():
    month = date(2026, 12, 1)
    hours = {date(2026, 3, 1): 300 * 60, date(2026, 4, 1): 30 * 60, date(2026, 12, 1): 30 * 60}
    assert [f.kind for f in rules.cap_findings(month=month, counted=hours, designated=False, rule=RULE)] == []


def test_a_designated_unit_has_100_hours_a_month_and_the_two_to_six_month_average():
    month = date(2026, 12, 1)
    findings = rules.cap_findings(month=month, counted=counted(m11=90, m12=90), designated=True, rule=RULE)
    kinds = {(f.level, f.kind) for f in findings}
    assert ("over", "average") in kinds  # (90 + 90) / 2 = 90 > 80
    assert not any(k == "month" and level == "over" for level, k in kinds)  # 90 ≤ 100
    calm = rules.cap_findings(month=month, counted=counted(m11=40, m12=90), designated=True, rule=RULE)
    assert ("over", "average") not in {(f.level, f.kind) for f in calm}  # (40 + 90) / 2 = 65


def test_a_designated_unit_may_pass_45_hours_in_six_months_of_the_year_not_seven():
    month = date(2026, 12, 1)
    six = {date(2026, m, 1): 50 * 60 for m in (4, 5, 7, 9, 11, 12)}
    assert ("over", "months_over") not in {
        (f.level, f.kind) for f in rules.cap_findings(month=month, counted=six, designated=True, rule=RULE)
    }
    seven = {**six, date(2026, 10, 1): 50 * 60}
    assert ("over", "months_over") in {
        (f.level, f.kind) for f in rules.cap_findings(month=month, counted=seven, designated=True, rule=RULE)
    }


HOUSING = HousingRule(effective_from=date(2023, 4, 1))


@pytest.mark.parametrize(
    ("rent", "allowance"),
    [
        (0, 0),
        (16_000, 0),
        (16_001, 1),
        (27_000, 11_000),
        (27_001, 11_000),
        (27_200, 11_100),
        (60_000, 27_500),
        (61_000, 28_000),
        (100_000, 28_000),
    ],
)
def test_the_housing_allowance_formula(rent, allowance):
    assert rules.housing_allowance(rent=rent, rule=HOUSING) == allowance


def test_a_negative_rent_is_not_a_rent():
    with pytest.raises(ValueError):
        rules.housing_allowance(rent=-1, rule=HOUSING)


COMMUTING = CommutingRule(effective_from=date(2025, 4, 1), min_km=Decimal(2))
BANDS = [CommutingBand(from_km=Decimal(2), monthly=4_200), CommutingBand(from_km=Decimal(5), monthly=7_300)]


def test_commuting_is_paid_from_two_kilometres_one_way():
    short = rules.commuting_allowance(
        legs=[rules.Leg(means=rules.BICYCLE, km=Decimal("1.9"))], parking=0, rule=COMMUTING, bands=BANDS
    )
    assert (short.eligible, short.total) == (False, 0)
    two = rules.commuting_allowance(
        legs=[rules.Leg(means=rules.BICYCLE, km=Decimal(2))], parking=0, rule=COMMUTING, bands=BANDS
    )
    assert (two.eligible, two.total) == (True, 4_200)


def test_transit_pays_the_cheapest_monthly_pass_and_mixed_routes_add_up():
    train = rules.Leg(means=rules.TRANSIT, km=Decimal(12), pass_1m=10_000, pass_3m=28_500, pass_6m=54_000)
    car = rules.Leg(means=rules.CAR, km=Decimal("5.5"))
    result = rules.commuting_allowance(legs=[train, car], parking=8_000, rule=COMMUTING, bands=BANDS)
    assert (result.transit, result.car, result.parking) == (9_000, 7_300, 5_000)  # 54,000 ÷ 6; parking capped
    assert result.total == 21_300


def test_transit_is_capped_per_month():
    shinkansen = rules.Leg(means=rules.TRANSIT, km=Decimal(200), pass_1m=200_000)
    result = rules.commuting_allowance(legs=[shinkansen], parking=0, rule=COMMUTING, bands=BANDS)
    assert result.total == 150_000
