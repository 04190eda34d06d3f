"""Leave balances, the checks a request must pass, and what a decision debits (leave/services.py).

Leave requests here are made directly (a Document row in the wanted status and its LeaveRequest), so each test
sets up exactly the other leave it needs; test_leave_filing.py goes through the approvals engine.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from approvals import doctypes
from approvals.doctypes import Acting
from approvals.models import Document, DocumentStatus
from leave import services as leave_services
from leave.models import LeaveBalance, LeaveRequest
from leave.rules import DAY_MINUTES, HALF_DAY_MINUTES, quantity
from personnel.models import PersonnelAudit, Staff
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

DAYS = Decimal(DAY_MINUTES)


def leave_row(
    city,
    *,
    start: date,
    end: date | None = None,
    leave_type: str = "annual",
    unit: str = "day",
    half: str = "",
    start_time: time | None = None,
    hours: int | None = None,
    event: str = "",
    status: str = DocumentStatus.IN_PROGRESS,
    staff: Staff | None = None,
    minutes: Decimal | None = None,
) -> LeaveRequest:
    """A leave document in `status` with its request, as filing would have left it (`minutes` overrides the
    charge, for long sick leave beyond what one request may ask)."""
    staff = staff or city.applicant
    end = end or start
    taken = quantity(leave_type, unit, start, end, hours=hours, bereavement_event=event)
    document = Document.objects.create(
        doc_type="leave",
        title=f"休暇 {start:%Y/%m/%d}",
        applicant=staff,
        drafting_unit=city.unit("SS1"),
        status=status,
    )
    return LeaveRequest.objects.create(
        document=document,
        staff=staff,
        leave_type=leave_type,
        unit=unit,
        start_date=start,
        end_date=end,
        half=half,
        start_time=start_time,
        hours=hours,
        bereavement_event=event,
        working_days=taken.working_days,
        minutes=minutes if minutes is not None else taken.minutes,
    )


def validate(city, *, start: date, end: date | None = None, staff: Staff | None = None, **kwargs) -> Decimal:
    kwargs.setdefault("leave_type", "annual")
    kwargs.setdefault("unit", "day")
    return leave_services.leave_request_validate(
        staff=staff or city.applicant, start_date=start, end_date=end or start, **kwargs
    ).minutes


def balance(city, year: int, *, carried: Decimal = Decimal(0), used: Decimal = Decimal(0)) -> LeaveBalance:
    return LeaveBalance.objects.create(
        staff=city.applicant, year=year, granted_minutes=20 * DAYS, carried_minutes=carried, used_minutes=used
    )


# --------------------------------------------------------------------------------------------------------
# Balances
# --------------------------------------------------------------------------------------------------------


def test_it_grants_twenty_days_and_carries_nothing_in_a_first_year(city):
    created = leave_services.leave_balance_for(staff=city.applicant, year=2026)

    assert (created.granted_minutes, created.carried_minutes, created.used_minutes) == (20 * DAYS, 0, 0)


def test_it_carries_over_what_was_left_of_the_year_before(city):
    balance(city, 2025, used=15 * DAYS + HALF_DAY_MINUTES)

    created = leave_services.leave_balance_for(staff=city.applicant, year=2026)

    assert created.carried_minutes == 5 * DAYS - HALF_DAY_MINUTES


def test_it_carries_over_at_most_twenty_days(city):
    balance(city, 2025, carried=20 * DAYS, used=3 * DAYS)

    created = leave_services.leave_balance_for(staff=city.applicant, year=2026)

    assert created.carried_minutes == 20 * DAYS
    assert created.remaining_minutes == 40 * DAYS


def test_it_keeps_the_carry_over_fixed_once_the_year_exists(city):
    previous = balance(city, 2025, used=10 * DAYS)
    leave_services.leave_balance_for(staff=city.applicant, year=2026)
    previous.used_minutes = 20 * DAYS
    previous.save()

    again = leave_services.leave_balance_for(staff=city.applicant, year=2026)

    assert again.carried_minutes == 10 * DAYS
    assert LeaveBalance.objects.filter(staff=city.applicant, year=2026).count() == 1


def test_it_shows_a_summary_without_creating_a_balance(city):
    balance(city, 2025, used=12 * DAYS)

    summary = leave_services.leave_summary(staff=city.applicant, year=2026)

    assert (summary.granted, summary.carried, summary.available) == (20 * DAYS, 8 * DAYS, 28 * DAYS)
    assert not LeaveBalance.objects.filter(year=2026).exists()


def test_it_counts_pending_leave_in_the_summary(city):
    balance(city, 2026, used=2 * DAYS)
    leave_row(city, start=date(2026, 12, 1), end=date(2026, 12, 3))  # 3 days in progress
    leave_row(city, start=date(2026, 12, 7), unit="half_day", half="am", status=DocumentStatus.SENT_BACK)

    summary = leave_services.leave_summary(staff=city.applicant, year=2026)

    assert summary.used == 2 * DAYS
    assert summary.pending == 3 * DAYS + HALF_DAY_MINUTES
    assert summary.available == 15 * DAYS - HALF_DAY_MINUTES


@pytest.mark.parametrize("status", [DocumentStatus.WITHDRAWN, DocumentStatus.REJECTED, DocumentStatus.DRAFT])
def test_it_leaves_leave_that_does_not_count_out_of_the_summary(city, status):
    leave_row(city, start=date(2026, 12, 1), end=date(2026, 12, 3), status=status)

    assert leave_services.leave_summary(staff=city.applicant, year=2026).available == 20 * DAYS


def test_it_shows_summer_leave_taken_and_pending_against_its_limit(city):
    leave_row(city, leave_type="summer", start=date(2026, 7, 1), end=date(2026, 7, 2), status=DocumentStatus.DECIDED)
    leave_row(city, leave_type="summer", start=date(2026, 8, 3))

    summer = leave_services.leave_summary(staff=city.applicant, year=2026).limits["summer"]

    assert (summer.taken_minutes, summer.pending_minutes, summer.available_minutes) == (2 * DAYS, DAYS, 2 * DAYS)


def test_it_keeps_special_leave_out_of_the_annual_summary(city):
    leave_row(city, leave_type="sick", start=date(2026, 12, 1), end=date(2026, 12, 4))

    summary = leave_services.leave_summary(staff=city.applicant, year=2026)

    assert (summary.pending, summary.available) == (0, 20 * DAYS)
    assert summary.limits["sick"].pending_minutes == 4 * DAYS


# --------------------------------------------------------------------------------------------------------
# Overlaps
# --------------------------------------------------------------------------------------------------------


def test_it_refuses_a_day_already_taken(city):
    earlier = leave_row(city, start=date(2026, 12, 1), end=date(2026, 12, 3))

    with pytest.raises(ValidationError) as refused:
        validate(city, start=date(2026, 12, 3), end=date(2026, 12, 4))

    [message] = refused.value.messages
    assert strip_tags(message) == f"You already have leave on Dec. 3, 2026 (request #{earlier.document_id})."
    assert f'<a href="/approvals/documents/{earlier.document_id}/">' in message  # the page links to it


def test_it_refuses_a_day_already_taken_as_another_type_of_leave(city):
    leave_row(city, leave_type="sick", start=date(2026, 12, 1))

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1))


def test_it_refuses_a_day_taken_by_leave_already_decided(city):
    leave_row(city, start=date(2026, 12, 1), status=DocumentStatus.DECIDED)

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1))


def test_it_refuses_the_same_half_day_twice(city):
    leave_row(city, start=date(2026, 12, 1), unit="half_day", half="am")

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1), unit="half_day", half="am")


def test_it_allows_a_morning_and_an_afternoon_on_one_day(city):
    leave_row(city, start=date(2026, 12, 1), unit="half_day", half="am")

    assert validate(city, start=date(2026, 12, 1), unit="half_day", half="pm") == HALF_DAY_MINUTES


def test_it_refuses_a_half_day_on_a_day_already_taken(city):
    leave_row(city, start=date(2026, 11, 30), end=date(2026, 12, 2))

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1), unit="half_day", half="pm")


def test_it_refuses_hours_that_meet_other_hours(city):
    leave_row(city, start=date(2026, 12, 1), unit="hour", start_time=time(9, 0), hours=3)

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(11, 0), hours=2)


def test_it_allows_hours_after_other_hours_end(city):
    leave_row(city, start=date(2026, 12, 1), unit="hour", start_time=time(9, 0), hours=3)

    assert validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(12, 0), hours=2) == 120


def test_it_refuses_hours_on_a_full_day_of_leave(city):
    leave_row(city, start=date(2026, 12, 1))

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(13, 0), hours=1)


def test_it_refuses_a_full_day_on_a_day_with_hours_taken(city):
    leave_row(city, start=date(2026, 12, 2), unit="hour", start_time=time(13, 0), hours=1)

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1), end=date(2026, 12, 3))


def test_it_allows_a_half_day_and_hours_within_one_working_day(city):
    leave_row(city, start=date(2026, 12, 1), unit="half_day", half="am")

    assert validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(14, 0), hours=3) == 180


def test_it_refuses_a_half_day_and_hours_beyond_one_working_day(city):
    leave_row(city, start=date(2026, 12, 1), unit="half_day", half="am")

    with pytest.raises(ValidationError, match="You already have leave on"):
        validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(13, 0), hours=4)


@pytest.mark.parametrize("status", [DocumentStatus.WITHDRAWN, DocumentStatus.REJECTED])
def test_it_frees_the_days_of_withdrawn_or_rejected_leave(city, status):
    leave_row(city, start=date(2026, 12, 1), end=date(2026, 12, 3), status=status)

    assert validate(city, start=date(2026, 12, 1), end=date(2026, 12, 3)) == 3 * DAYS


def test_it_does_not_clash_a_request_with_itself_when_it_is_checked_again(city):
    own = leave_row(city, start=date(2026, 12, 1), status=DocumentStatus.SENT_BACK)

    assert validate(city, start=date(2026, 12, 1), exclude_document_id=own.document_id) == DAYS


def test_it_does_not_clash_with_someone_elses_leave(city):
    leave_row(city, start=date(2026, 12, 1), staff=city.colleague)

    assert validate(city, start=date(2026, 12, 1)) == DAYS


def test_it_asks_for_the_morning_or_afternoon_of_a_half_day(city):
    with pytest.raises(ValidationError, match="morning or the afternoon"):
        validate(city, start=date(2026, 12, 1), unit="half_day")


def test_it_asks_for_the_start_time_of_hour_leave(city):
    with pytest.raises(ValidationError, match="time the hour leave starts"):
        validate(city, start=date(2026, 12, 1), unit="hour", hours=2)


def test_it_refuses_hour_leave_running_past_midnight(city):
    with pytest.raises(ValidationError, match="must end on the day it starts"):
        validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(22, 0), hours=3)


# --------------------------------------------------------------------------------------------------------
# Balance and limits
# --------------------------------------------------------------------------------------------------------


def test_it_refuses_annual_leave_beyond_the_balance_counting_pending_leave(city):
    balance(city, 2026, used=5 * DAYS)
    leave_row(city, start=date(2026, 6, 1), end=date(2026, 6, 19))  # 15 working days, not decided yet

    with pytest.raises(ValidationError) as refused:
        validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(9, 0), hours=1)

    assert refused.value.messages == [
        "This request needs 1 h of annual leave, but only 0 min is available in 2026 (requests not yet decided "
        "included)."
    ]


def test_it_allows_annual_leave_up_to_the_last_minute_of_the_balance(city):
    balance(city, 2026, used=20 * DAYS - 60)

    assert validate(city, start=date(2026, 12, 1), unit="hour", start_time=time(9, 0), hours=1) == 60


def test_it_counts_the_carry_over_in_the_balance(city):
    balance(city, 2025, used=19 * DAYS)  # one day carried into 2026
    leave_row(city, start=date(2026, 6, 1), end=date(2026, 6, 26))  # 20 working days

    assert validate(city, start=date(2026, 12, 1)) == DAYS


def test_it_refuses_summer_leave_beyond_five_days_a_year(city):
    leave_row(city, leave_type="summer", start=date(2026, 7, 1), end=date(2026, 7, 3), status=DocumentStatus.DECIDED)
    leave_row(city, leave_type="summer", start=date(2026, 8, 3))

    with pytest.raises(ValidationError, match="only 1 day of the yearly 5 days is left in 2026"):
        validate(city, leave_type="summer", start=date(2026, 9, 1), end=date(2026, 9, 2))


def test_it_refuses_sick_leave_beyond_ninety_days_a_year(city):
    leave_row(city, leave_type="sick", start=date(2026, 4, 1), minutes=89 * DAYS, status=DocumentStatus.DECIDED)

    with pytest.raises(ValidationError, match="Sick leave"):
        validate(city, leave_type="sick", start=date(2026, 12, 1), end=date(2026, 12, 2))


def test_it_allows_sick_leave_when_the_annual_balance_is_spent(city):
    balance(city, 2026, used=20 * DAYS)

    assert validate(city, leave_type="sick", start=date(2026, 12, 1), end=date(2026, 12, 2)) == 2 * DAYS


def test_it_allows_bereavement_leave_when_the_annual_balance_is_spent(city):
    balance(city, 2026, used=20 * DAYS)

    minutes = validate(
        city, leave_type="bereavement", bereavement_event="own_wedding", start=date(2026, 12, 1), end=date(2026, 12, 7)
    )

    assert minutes == 5 * DAYS


def test_it_writes_nothing_when_validating(city):
    validate(city, start=date(2026, 12, 1))

    assert not LeaveBalance.objects.exists()


# --------------------------------------------------------------------------------------------------------
# The decided hook
# --------------------------------------------------------------------------------------------------------


def decided_hook(city, request, ctx) -> None:
    """What the engine calls when the 課長 decides the leave (inside the deciding transaction)."""
    doctypes.get("leave").on_decided(
        document=request.document, detail=request, ctx=ctx, actor=Acting(by=city.approver, for_=city.approver)
    )


def test_it_debits_annual_leave_when_decided(city, office):
    request = leave_row(city, start=date(2026, 12, 1), end=date(2026, 12, 2))

    decided_hook(city, request, office)

    assert LeaveBalance.objects.get(staff=city.applicant, year=2026).used_minutes == 2 * DAYS


def test_it_records_the_debit_in_the_personnel_audit(city, office):
    request = leave_row(city, start=date(2026, 12, 1), unit="half_day", half="pm")

    decided_hook(city, request, office)

    entry = PersonnelAudit.objects.get(action="leave_balance_debit")
    assert entry.actor == city.approver.user  # who decided, recorded with the debit
    assert entry.detail == {
        "document": request.document_id,
        "year": 2026,
        "minutes": "232.5",
        "used_before": "0.0",
        "used_after": "232.5",
    }


def test_it_debits_the_year_the_leave_is_in(city, office):
    request = leave_row(city, start=date(2027, 1, 4))

    decided_hook(city, request, office)

    assert LeaveBalance.objects.get(staff=city.applicant, year=2027).used_minutes == DAYS
    assert not LeaveBalance.objects.filter(year=TODAY.year).exists()


@pytest.mark.parametrize(
    ("leave_type", "event"), [("sick", ""), ("summer", ""), ("bereavement", "death_sibling")], ids=str
)
def test_it_leaves_the_annual_balance_alone_for_special_leave(city, office, leave_type, event):
    request = leave_row(city, leave_type=leave_type, event=event, start=date(2026, 8, 3))

    decided_hook(city, request, office)

    assert LeaveBalance.objects.get(staff=city.applicant, year=2026).used_minutes == 0


def test_it_refuses_a_decision_that_would_overdraw_the_balance(city, office):
    balance(city, 2026, used=19 * DAYS)
    request = leave_row(city, start=date(2026, 12, 1), end=date(2026, 12, 2))

    with pytest.raises(ValidationError, match="has only 1 day of annual leave left in 2026; this leave needs 2 days"):
        decided_hook(city, request, office)

    assert LeaveBalance.objects.get(staff=city.applicant, year=2026).used_minutes == 19 * DAYS


def test_it_refuses_a_decision_beyond_the_yearly_summer_limit(city, office):
    leave_row(city, leave_type="summer", start=date(2026, 7, 1), end=date(2026, 7, 7), status=DocumentStatus.DECIDED)
    request = leave_row(city, leave_type="summer", start=date(2026, 8, 3))

    with pytest.raises(ValidationError, match="has only 0 min of Summer leave"):
        decided_hook(city, request, office)
