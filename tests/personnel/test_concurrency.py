"""Two people acting at the same moment: the row locks in the services let exactly one of them through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from personnel import access, services
from personnel.models import Assignment, Delegation, OrgUnit, Position, Staff
from tests.concurrency import race  # still importable from here, as before
from tests.conftest import TODAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_overlapping_delegations_submitted_at_once_save_one(city):
    ctx = access.AccessContext.office(today=TODAY)
    approver = Staff.objects.get(pk=city.approver.pk)

    def delegate_to(staff_pk: int) -> Callable[[], Delegation]:
        return lambda: services.delegation_create(
            actor=approver.user,
            ctx=access.AccessContext.office(today=ctx.today),
            delegator=approver,
            delegate=Staff.objects.get(pk=staff_pk),
            start_date=TODAY,
            end_date=TODAY + timedelta(days=3),
            reason="出張のため",
        )

    results = race(delegate_to(city.delegate.pk), delegate_to(city.chief.pk))
    assert sum(isinstance(r, Delegation) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Delegation.objects.filter(delegator=approver).count() == 1


def test_two_primary_posts_entered_at_once_save_one(city):
    staff = Staff.objects.get(pk=city.colleague.pk)
    Assignment.objects.filter(staff=staff).update(end_date=date(2026, 11, 30))
    hr = city.hr_clerk.user

    def post_in(code: str) -> Callable[[], Assignment]:
        return lambda: services.assignment_create(
            actor=hr,
            ctx=access.AccessContext.office(today=TODAY),
            staff=staff,
            unit=OrgUnit.objects.get(code=code),
            position=Position.objects.get(code="staff"),
            start_date=date(2026, 12, 1),
        )

    results = race(post_in("S2"), post_in("S3"))
    assert sum(isinstance(r, Assignment) for r in results) == 1
    assert Assignment.objects.filter(staff=staff, start_date=date(2026, 12, 1)).count() == 1


def test_two_units_added_under_one_parent_at_once_both_get_their_own_place(city):
    hr = city.hr_clerk.user

    def add(code: str) -> Callable[[], OrgUnit]:
        return lambda: services.orgunit_create(
            actor=hr,
            ctx=access.AccessContext.office(today=TODAY),
            parent=OrgUnit.objects.get(code="S2"),
            code=code,
            name=f"新設{code}",
            kind=4,
        )

    results = race(add("SSX"), add("SSY"))
    assert all(isinstance(r, OrgUnit) for r in results), results
    parent = OrgUnit.objects.get(code="S2")
    assert parent.numchild == 3
    assert {u.code for u in parent.get_children()} == {"SS3", "SSX", "SSY"}
