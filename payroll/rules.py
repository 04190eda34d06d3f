"""The payroll rules as pure functions of the rule rows (payroll/models.py; data, effective-dated, seeded from the
national rules and editable by HR). No database here: each function takes the rule in force for the day it is
about, so a revision never changes what was computed for an earlier day.

Overtime (時間外勤務手当):
- each minute worked is classed by the calendar day it falls on (a working day, or a 週休日/休日: weekends,
  national holidays, 年末年始) and by the hour (night: from `night_from` to `night_until`, 22:00–05:00):
  125/100 working day, 135/100 週休日/休日, 150/100 working-day night, 160/100 週休日/休日 night;
- minutes beyond the month's 60th hour (counted in the order worked) are 150/100, at night 175/100;
- each category's monthly total is rounded to whole hours: `rounding_minutes` (30) or more up, less dropped;
- the hourly base is (給料月額 + 地域手当) × 12 ÷ (weekly hours × 52 − daily hours × the fiscal year's
  holidays on weekdays), and each category's hourly amount is rounded to the yen as the rule says.
Housing (住居手当) and commuting (通勤手当) formulas follow below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from personnel import calendar

# Overtime categories: stored per report and per month as real columns `<name>_minutes`.
DAY, REST, NIGHT, REST_NIGHT, OVER60, OVER60_NIGHT = "day", "rest", "night", "rest_night", "over60", "over60_night"
CATEGORIES = (DAY, REST, NIGHT, REST_NIGHT, OVER60, OVER60_NIGHT)
CATEGORY_LABELS = {
    DAY: _("Working day (125/100)"),
    REST: _("Rest day or holiday (135/100)"),
    NIGHT: _("Working-day night (150/100)"),
    REST_NIGHT: _("Rest-day night (160/100)"),
    OVER60: _("Beyond 60 hours (150/100)"),
    OVER60_NIGHT: _("Beyond 60 hours at night (175/100)"),
}
# The rule column holding each category's rate (percent).
RATE_FIELD = {
    DAY: "rate_day",
    REST: "rate_rest_day",
    NIGHT: "rate_night",
    REST_NIGHT: "rate_rest_night",
    OVER60: "rate_over60",
    OVER60_NIGHT: "rate_over60_night",
}


def minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def is_night(rule: Any, minute: int) -> bool:
    start, end = minute_of_day_of(rule.night_from), minute_of_day_of(rule.night_until)
    return minute >= start or minute < end


def minute_of_day_of(value: Any) -> int:
    return value.hour * 60 + value.minute


def split_minutes(
    *,
    start: datetime,
    end: datetime,
    before: int,
    rule: Any,
    rest_day: Callable[[date], bool] | None = None,
) -> dict[str, int]:
    """The minutes of one stretch of overtime (`start`–`end`, local wall-clock times) by category, given the
    minutes the month already counted `before` it (for the 60-hour line)."""
    rest_day = rest_day or (lambda d: not calendar.is_working_day(d))
    out = dict.fromkeys(CATEGORIES, 0)
    moment, counted = start, before
    rest_cache: dict[date, bool] = {}
    while moment < end:
        day = moment.date()
        if day not in rest_cache:
            rest_cache[day] = rest_day(day)
        night = is_night(rule, minute_of_day(moment))
        if counted >= rule.over60_minutes:
            key = OVER60_NIGHT if night else OVER60
        elif rest_cache[day]:
            key = REST_NIGHT if night else REST
        else:
            key = NIGHT if night else DAY
        out[key] += 1
        counted += 1
        moment += timedelta(minutes=1)
    return out


def round_hours(minutes: int, rule: Any) -> int:
    """A category's monthly total in whole hours: `rounding_minutes` or more round up, less are dropped."""
    hours, rest = divmod(int(minutes), 60)
    return hours + (1 if rest >= rule.rounding_minutes else 0)


def holidays_on_weekdays(fiscal_year: int) -> int:
    """Weekdays of the fiscal year that are not working days (national holidays, 年末年始)."""
    day, end, count = date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31), 0
    while day <= end:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


_ROUNDING = {"half_up": ROUND_HALF_UP, "down": ROUND_DOWN, "up": ROUND_UP}


def to_yen(amount: Decimal, mode: str) -> int:
    return int(amount.quantize(Decimal(1), rounding=_ROUNDING[mode]))


def hourly_base(*, monthly: int, fiscal_year: int, rule: Any) -> Decimal:
    """(給料月額 + 地域手当) × 12 ÷ (weekly hours × 52 − daily hours × weekday holidays of the fiscal year)."""
    hours = (Decimal(rule.weekly_minutes) * 52 - Decimal(rule.daily_minutes) * holidays_on_weekdays(fiscal_year)) / 60
    return Decimal(monthly) * 12 / hours


@dataclass(frozen=True)
class Estimate:
    hourly: Decimal
    lines: tuple[tuple[str, int, int, int], ...]  # (category, rounded hours, yen per hour, yen)
    total: int


def allowance_estimate(*, monthly: int, fiscal_year: int, minutes: Mapping[str, int], rule: Any) -> Estimate:
    """The month's estimated overtime allowance from its minutes per category."""
    base = hourly_base(monthly=monthly, fiscal_year=fiscal_year, rule=rule)
    lines = []
    for category in CATEGORIES:
        hours = round_hours(minutes.get(category, 0), rule)
        if not hours:
            continue
        per_hour = to_yen(base * getattr(rule, RATE_FIELD[category]) / 100, rule.yen_rounding)
        lines.append((category, hours, per_hour, per_hour * hours))
    return Estimate(hourly=base, lines=tuple(lines), total=sum(line[3] for line in lines))


# --------------------------------------------------------------------------------------------------------
# Caps (上限): 45 h a month and 360 h a year; a 他律部署 100 h, 720 h, an average of 80 h over any 2–6 months,
# more than 45 h in at most 6 months of the year. 特例業務 minutes are not counted (recorded, exempt).
# --------------------------------------------------------------------------------------------------------

NEAR, OVER = "near", "over"


@dataclass(frozen=True)
class CapFinding:
    level: str  # NEAR or OVER
    kind: str  # month, year, average, months_over
    limit: int  # minutes (or months for months_over)
    value: int  # minutes (or months), for average the highest average in minutes

    @property
    def message(self) -> str:
        hours = {"limit": self.limit // 60, "value": _hours_text(self.value)}
        texts = {
            (NEAR, "month"): _("This month's overtime is %(value)s, near its limit of %(limit)d hours."),
            (OVER, "month"): _("This month's overtime is %(value)s, over its limit of %(limit)d hours."),
            (NEAR, "year"): _("This year's overtime is %(value)s, near its limit of %(limit)d hours."),
            (OVER, "year"): _("This year's overtime is %(value)s, over its limit of %(limit)d hours."),
            (NEAR, "average"): _("The average over recent months is %(value)s, near its limit of %(limit)d hours."),
            (OVER, "average"): _("The average over recent months is %(value)s, over its limit of %(limit)d hours."),
        }
        if self.kind == "months_over":
            if self.level == NEAR:
                return str(_("Months over 45 hours this year: %(value)d of at most %(limit)d.")) % {
                    "value": self.value,
                    "limit": self.limit,
                }
            return str(_("Months over 45 hours this year: %(value)d, more than the %(limit)d allowed.")) % {
                "value": self.value,
                "limit": self.limit,
            }
        return str(texts[(self.level, self.kind)]) % hours


def _hours_text(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return str(_("%(h)d h %(m)02d min")) % {"h": hours, "m": rest}


def months_back(month: date, n: int) -> list[date]:
    """`month` and the n − 1 months before it, newest first (first days)."""
    out, year, m = [], month.year, month.month
    for _i in range(n):
        out.append(date(year, m, 1))
        m -= 1
        if m == 0:
            year, m = year - 1, 12
    return out


def cap_findings(*, month: date, counted: Mapping[date, int], designated: bool, rule: Any) -> list[CapFinding]:
    """What the caps say about `month`, given the counted (non-特例) minutes of each month (first days as keys;
    months before the fiscal year too, for the averages)."""
    month = month.replace(day=1)
    warn = Decimal(rule.warn_percent) / 100
    findings: list[CapFinding] = []

    def judge(kind: str, value: int, limit: int) -> None:
        if value > limit:
            findings.append(CapFinding(OVER, kind, limit, value))
        elif value >= limit * warn:
            findings.append(CapFinding(NEAR, kind, limit, value))

    fy = calendar.fiscal_year(month)
    year_months = [m for m in counted if calendar.fiscal_year(m) == fy and m <= month]
    judge("month", counted.get(month, 0), rule.designated_monthly_cap if designated else rule.monthly_cap)
    judge("year", sum(counted[m] for m in year_months), rule.designated_yearly_cap if designated else rule.yearly_cap)
    if designated:
        averages = [
            sum(counted.get(m, 0) for m in months_back(month, n)) // n for n in range(2, rule.average_months + 1)
        ]
        judge("average", max(averages), rule.designated_average)
        over = sum(1 for m in year_months if counted[m] > rule.monthly_cap)
        if over > rule.designated_months_over:
            findings.append(CapFinding(OVER, "months_over", rule.designated_months_over, over))
        elif over == rule.designated_months_over and counted.get(month, 0) > rule.monthly_cap:
            findings.append(CapFinding(NEAR, "months_over", rule.designated_months_over, over))
    return findings


# --------------------------------------------------------------------------------------------------------
# Housing (住居手当) and commuting (通勤手当)
# --------------------------------------------------------------------------------------------------------


def housing_allowance(*, rent: int, rule: Any) -> int:
    """Rent over `threshold` (16,000円): up to `step` (27,000円) the rent − threshold; above, (step − threshold)
    + (rent − step) ÷ 2, the half rounded down to `round_unit` (100円); at most `cap` (28,000円)."""
    if rent < 0:
        raise ValueError("rent")
    if rent <= rule.threshold:
        return 0
    if rent <= rule.step:
        amount = rent - rule.threshold
    else:
        half = (rent - rule.step) // 2
        amount = (rule.step - rule.threshold) + half // rule.round_unit * rule.round_unit
    return min(amount, rule.cap)


TRANSIT, CAR, BICYCLE = "transit", "car", "bicycle"


@dataclass(frozen=True)
class Leg:
    means: str  # TRANSIT, CAR or BICYCLE
    km: Decimal  # one way
    line: str = ""
    from_station: str = ""
    to_station: str = ""
    pass_1m: int = 0
    pass_3m: int = 0
    pass_6m: int = 0

    def monthly_pass(self) -> Decimal:
        """The monthly equivalent of the cheapest pass offered (1, 3 or 6 months)."""
        offers = [Decimal(p) / n for p, n in ((self.pass_1m, 1), (self.pass_3m, 3), (self.pass_6m, 6)) if p]
        return min(offers) if offers else Decimal(0)


@dataclass(frozen=True)
class Commuting:
    one_way_km: Decimal
    transit: int
    car: int
    parking: int
    total: int
    eligible: bool


def commuting_allowance(*, legs: Iterable[Leg], parking: int, rule: Any, bands: Iterable[Any]) -> Commuting:
    """Paid from `min_km` one way (the whole route); transit at the monthly equivalent of its passes (yen
    rounded down) up to `transit_cap`; car and bicycle by the band of their one-way distance; parking up to
    `parking_cap`; the parts add up, at most `total_cap`."""
    legs = list(legs)
    km = sum((leg.km for leg in legs), Decimal(0))
    if km < rule.min_km:
        return Commuting(km, 0, 0, 0, 0, False)
    transit = min(int(sum((leg.monthly_pass() for leg in legs if leg.means == TRANSIT), Decimal(0))), rule.transit_cap)
    driven = sum((leg.km for leg in legs if leg.means in (CAR, BICYCLE)), Decimal(0))
    car = 0
    if driven:
        for band in sorted(bands, key=lambda b: b.from_km):
            if driven >= band.from_km:
                car = band.monthly
    parking_paid = min(parking, rule.parking_cap) if driven else 0
    total = min(transit + car + parking_paid, rule.total_cap)
    return Commuting(km, transit, car, parking_paid, total, True)
