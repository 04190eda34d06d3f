"""Leave filed, decided, withdrawn and rejected through the approvals engine, end to end."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from approvals import services
from approvals.models import Document, DocumentStatus, SlotState, StepApprover
from leave import services as leave_services
from leave.models import LeaveBalance, LeaveRequest
from leave.rules import DAY_MINUTES

pytestmark = pytest.mark.django_db

DAYS = Decimal(DAY_MINUTES)


def file(city, office, **kwargs) -> Document:
    kwargs.setdefault("leave_type", "annual")
    kwargs.setdefault("unit", "day")
    kwargs.setdefault("end_date", kwargs["start_date"])
    return leave_services.leave_request_file(actor=city.applicant.user, ctx=office, **kwargs)


def decide(document: Document, office) -> Document:
    """Every approver on the route approves in turn, the last one deciding."""
    while (slot := StepApprover.objects.filter(document=document, state=SlotState.PENDING).first()) is not None:
        services.slot_approve(slot=slot, actor=slot.staff.user, ctx=office)
    document.refresh_from_db()
    return document


def summary(city):
    return leave_services.leave_summary(staff=city.applicant, year=2026)


def test_it_files_leave_as_a_document_in_progress(city, office):
    document = file(city, office, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2), reason="家族旅行")

    document.refresh_from_db()
    assert (document.doc_type, document.status, document.applicant) == ("leave", "in_progress", city.applicant)
    assert document.title == "年次休暇 2026/12/01–12/02 (2日)"
    assert document.body == "家族旅行"
    request = document.leave_request
    assert (request.staff, request.working_days, request.minutes) == (city.applicant, 2, 2 * DAYS)


def test_it_titles_hour_leave_with_its_times(city, office):
    document = file(
        city, office, leave_type="sick", unit="hour", start_date=date(2026, 12, 1), start_time=time(9, 0), hours=3
    )

    assert document.title == "病気休暇 2026/12/01 9:00–12:00 (3時間)"


def test_it_stores_only_the_fields_the_unit_uses(city, office):
    document = file(city, office, start_date=date(2026, 12, 1), half="am", start_time=time(9, 0), hours=2)

    request = LeaveRequest.objects.get(document=document)
    assert (request.half, request.start_time, request.hours, request.minutes) == ("", None, None, DAYS)


def test_it_counts_filed_leave_as_pending(city, office):
    file(city, office, start_date=date(2026, 12, 1), unit="half_day", half="pm")

    assert (summary(city).pending, summary(city).used) == (Decimal("232.5"), 0)


def test_it_refuses_to_file_over_leave_already_filed_and_writes_nothing(city, office):
    first = file(city, office, start_date=date(2026, 12, 1), end_date=date(2026, 12, 3))

    with pytest.raises(
        ValidationError, match=f"You already have leave on Dec. 2, 2026 \\(<a [^>]+>request #{first.pk}</a>\\)"
    ):
        file(city, office, start_date=date(2026, 12, 2))

    assert Document.objects.count() == 1


def test_it_refuses_to_file_beyond_the_balance_counting_filed_leave(city, office):
    file(city, office, start_date=date(2026, 11, 24), end_date=date(2026, 12, 21))  # 20 working days

    with pytest.raises(ValidationError, match="only 0 min is available in 2026"):
        file(city, office, start_date=date(2026, 12, 22))

    assert Document.objects.count() == 1


def test_it_refuses_leave_for_an_account_without_staff(city, office):
    admin = get_user_model().objects.create_superuser(username="root", password="x")

    with pytest.raises(ValidationError, match="Only staff members can apply for leave"):
        leave_services.leave_request_file(
            actor=admin,
            ctx=office,
            leave_type="annual",
            unit="day",
            start_date=date(2026, 12, 1),
            end_date=date(2026, 12, 1),
        )


def test_it_debits_the_balance_when_the_leave_is_decided(city, office):
    document = decide(file(city, office, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2)), office)

    assert document.status == DocumentStatus.DECIDED
    assert (summary(city).used, summary(city).pending) == (2 * DAYS, 0)


def test_it_leaves_the_balance_alone_when_sick_leave_is_decided(city, office):
    decide(file(city, office, leave_type="sick", start_date=date(2026, 12, 1)), office)

    assert LeaveBalance.objects.get(staff=city.applicant, year=2026).used_minutes == 0
    assert summary(city).limits["sick"].taken_minutes == DAYS


def test_it_restores_nothing_when_leave_is_withdrawn(city, office):
    document = file(city, office, start_date=date(2026, 12, 1))

    services.document_withdraw(document=document, actor=city.applicant.user, ctx=office)

    assert (summary(city).used, summary(city).pending, summary(city).available) == (0, 0, 20 * DAYS)


def test_it_frees_the_day_when_leave_is_rejected(city, office):
    document = file(city, office, start_date=date(2026, 12, 1))
    slot = StepApprover.objects.filter(document=document, state=SlotState.PENDING).first()
    services.document_reject(slot=slot, actor=slot.staff.user, ctx=office, comment="業務繁忙のため")

    again = file(city, office, start_date=date(2026, 12, 1))

    assert again.status == DocumentStatus.IN_PROGRESS
    assert summary(city).available == 19 * DAYS


def test_it_refuses_the_decision_when_the_balance_has_run_out_since_filing(city, office):
    document = file(city, office, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2))
    LeaveBalance.objects.filter(staff=city.applicant, year=2026).update(used_minutes=19 * DAYS)

    with pytest.raises(services.ActionRefused, match="has only 1 day of annual leave left in 2026"):
        decide(document, office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert LeaveBalance.objects.get(staff=city.applicant, year=2026).used_minutes == 19 * DAYS
