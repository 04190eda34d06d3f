"""Leave filed or balances created by two callers at the same moment (PostgreSQL row locks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from approvals.models import Document
from leave import services as leave_services
from leave.models import LeaveBalance
from personnel import access
from personnel.models import Staff
from tests.approvals.helpers import away
from tests.concurrency import race
from tests.conftest import TODAY

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
        filing(user_pk, date(2026, 11, 24), date(2026, 12, 8)),  # 11 working days
        filing(user_pk, date(2026, 12, 9), date(2026, 12, 22)),  # 10 working days
    )

    assert sum(isinstance(r, Document) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert leave_services.leave_summary(staff=city.applicant, year=2026).available >= 0


def _approve(document: Document, *staff: Staff) -> None:
    from approvals import services as approval_services
    from approvals.models import StepApprover

    for person in staff:
        slot = StepApprover.objects.get(document=document, staff=person)
        approval_services.slot_approve(slot=slot, actor=person.user, ctx=access.AccessContext.office(today=TODAY))


def test_it_decides_leave_ahead_of_absent_approvers_while_the_applicant_files_more(city):
    from approvals import services as approval_services
    from approvals.models import StepApprover

    document = filing(city.applicant.user_id, date(2026, 12, 1), date(2026, 12, 1))()
    slot = StepApprover.objects.get(document=document, staff=city.approver)
    approver_pk = city.approver.user_id
    away(city, city.chief, city.delegate)

    results = race(
        lambda: approval_services.slot_approve_ahead(
            slot=slot,
            actor=get_user_model().objects.get(pk=approver_pk),
            ctx=access.AccessContext.office(today=TODAY),
        ),
        filing(city.applicant.user_id, date(2026, 12, 8), date(2026, 12, 8)),
    )

    # Both succeed: the 後閲 decision and the filing take the audit head before the balance, so neither waits
    # for the other in a cycle (PostgreSQL would abort one with "deadlock detected").
    assert all(isinstance(r, Document) for r in results), results


def test_it_bulk_decides_leave_while_one_of_the_applicants_files_more(city):
    from approvals import services as approval_services
    from approvals.models import StepApprover

    documents = []
    for person, day in ((city.applicant, 1), (city.colleague, 2)):
        document = filing(person.user_id, date(2026, 12, day), date(2026, 12, day))()
        _approve(document, city.chief, city.delegate)
        documents.append(document)
    ids = [StepApprover.objects.get(document=d, staff=city.approver).pk for d in documents]
    approver_pk = city.approver.user_id

    results = race(
        lambda: approval_services.slots_bulk_approve(
            slot_ids=ids,
            actor=get_user_model().objects.get(pk=approver_pk),
            ctx=access.AccessContext.office(today=TODAY),
        ),
        filing(city.colleague.user_id, date(2026, 12, 9), date(2026, 12, 9)),
    )

    assert isinstance(results[0], approval_services.BulkResult) and len(results[0].decided) == 2, results
    assert isinstance(results[1], Document), results
