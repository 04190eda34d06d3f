"""Input rules a clerk would expect (issue 9), each test written first: hour leave inside working hours only, no
leave filed long after the fact (sick leave a little longer), and no full day of leave on a day of telework — on
both forms."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from leave import services as leave_services
from telework_applications import services as telework_services

pytestmark = pytest.mark.django_db

# TODAY is Monday 23 November 2026 (a holiday); the working days before it: 20 (Fri), 19, 18, 17, 16, 13, 12, 11 …


def leave(city, office, start: date, leave_type: str = "annual", **kwargs):
    kwargs.setdefault("unit", "day")
    kwargs.setdefault("end_date", start)
    return leave_services.leave_request_file(
        actor=city.applicant.user, ctx=office, leave_type=leave_type, start_date=start, **kwargs
    )


def telework(city, office, day: date):
    return telework_services.telework_application_file(
        actor=city.applicant.user, ctx=office, start_date=day, end_date=day, tasks="資料作成", place="自宅"
    )


@pytest.mark.parametrize(("start", "hours"), [(time(3, 0), 2), (time(16, 15), 2), (time(7, 30), 2)])
def test_hour_leave_outside_working_hours_is_refused(city, office, start, hours):
    with pytest.raises(ValidationError, match="working hours"):
        leave(city, office, date(2026, 11, 24), unit="hour", start_time=start, hours=hours)


def test_hour_leave_inside_working_hours_is_taken(city, office):
    document = leave(city, office, date(2026, 11, 24), unit="hour", start_time=time(15, 15), hours=2)

    assert document.title.endswith("15:15–17:15 (2時間)")


def test_leave_long_after_the_fact_is_refused(city, office):
    with pytest.raises(ValidationError, match="too far in the past"):
        leave(city, office, date(2026, 11, 16))


def test_leave_just_after_the_fact_is_taken(city, office):
    assert leave(city, office, date(2026, 11, 18)).status == "in_progress"


def test_sick_leave_may_be_filed_a_little_longer_after_the_fact(city, office):
    assert leave(city, office, date(2026, 11, 12), "sick").status == "in_progress"
    with pytest.raises(ValidationError, match="too far in the past"):
        leave(city, office, date(2026, 11, 2), "sick")


def test_a_full_day_of_leave_on_a_day_of_telework_is_refused(city, office):
    telework(city, office, date(2026, 11, 25))

    with pytest.raises(ValidationError, match="telework"):
        leave(city, office, date(2026, 11, 25))


def test_telework_on_a_day_of_leave_is_refused(city, office):
    leave(city, office, date(2026, 11, 26))

    with pytest.raises(ValidationError, match="leave"):
        telework(city, office, date(2026, 11, 26))


def test_an_hour_of_leave_on_a_day_of_telework_is_taken(city, office):
    telework(city, office, date(2026, 11, 25))

    assert leave(city, office, date(2026, 11, 25), unit="hour", start_time=time(9, 0), hours=1).pk


def test_a_reason_longer_than_the_form_allows_is_refused_by_the_service_too(city, office):
    with pytest.raises(ValidationError, match="too long"):
        leave(city, office, date(2026, 11, 24), reason="理" * 100_000)
