"""Leave filed or balances created by two callers at the same moment (PostgreSQL row locks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from approvals.models import Document
from personnel import access, leave_services
from personnel.models import LeaveBalance, Staff
from tests.conftest import TODAY
from tests.personnel.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_it_creates_one_balance_when_two_callers_need_it_at_once(city):
    staff_pk = city.applicant.pk

    def create() -> LeaveBalance:
        with transaction.atomic():
            return leave_services.leave_balance_for(staff=Staff.objects.get(pk=staff_pk), year=2026, for_update=True)

    results = race(create, create)

    assert all(isinstance(r, LeaveBalance) for r in results), results
    assert results[0].pk == results[1].pk
    assert LeaveBalance.objects.filter(staff_id=staff_pk, year=2026).count() == 1


def filing(user_pk: int, start: date, end: date) -> Callable[[], Document]:
    return lambda: leave_services.leave_request_file(
        actor=get_user_model().objects.get(pk=user_pk),
        ctx=access.AccessContext.office(today=TODAY),
        leave_type="annual",
        unit="day",
        start_date=start,
        end_date=end,
    )


def test_it_files_one_of_two_overlapping_requests_made_at_once(city):
    user_pk = city.applicant.user_id
    # The year's balance already exists, as it does after a first filing: only its row lock keeps the two apart.
    leave_services.leave_balance_for(staff=city.applicant, year=2026)

    results = race(
        filing(user_pk, date(2026, 12, 1), date(2026, 12, 2)), filing(user_pk, date(2026, 12, 2), date(2026, 12, 3))
    )

    assert sum(isinstance(r, Document) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Document.objects.filter(applicant=city.applicant).count() == 1


def test_it_files_one_of_two_requests_that_together_exceed_the_balance(city):
    user_pk = city.applicant.user_id
    leave_services.leave_balance_for(staff=city.applicant, year=2026)

    results = race(
        filing(user_pk, date(2026, 6, 1), date(2026, 6, 15)),  # 11 working days
        filing(user_pk, date(2026, 10, 1), date(2026, 10, 15)),  # 10 working days (10/12 is Sports Day)
    )

    assert sum(isinstance(r, Document) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert leave_services.leave_summary(staff=city.applicant, year=2026).available >= 0
