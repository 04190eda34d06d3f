"""staff_grant_role: HR puts a member of staff into a functional role (and, for the admin roles, lets them open
Django's admin)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from personnel import access, services
from personnel.models import PersonnelAudit


def test_hr_grants_the_finance_role_with_an_audit_entry(city, office):
    assert services.staff_grant_role(actor=city.hr_clerk.user, ctx=office, staff=city.chief, role=access.Role.FINANCE)
    city.chief.user.refresh_from_db()
    assert city.chief.user.groups.filter(name=access.Role.FINANCE).exists()
    assert not city.chief.user.is_staff  # finance works in the portal, not in Django's admin
    entry = PersonnelAudit.objects.get(action="staff_grant_role")
    assert (entry.actor, entry.zone, entry.detail["role"]) == (city.hr_clerk.user, "office", "財務担当")


@pytest.mark.parametrize("role", [access.Role.HR, access.Role.IT])
def test_the_admin_roles_also_open_django_admin(city, office, role):
    services.staff_grant_role(actor=city.hr_clerk.user, ctx=office, staff=city.colleague, role=role)
    city.colleague.user.refresh_from_db()
    assert city.colleague.user.is_staff


def test_granting_a_role_already_held_changes_nothing(city, office):
    services.staff_grant_role(actor=city.hr_clerk.user, ctx=office, staff=city.chief, role=access.Role.RECORDS)
    again = services.staff_grant_role(actor=city.hr_clerk.user, ctx=office, staff=city.chief, role=access.Role.RECORDS)
    assert again is False
    assert PersonnelAudit.objects.filter(action="staff_grant_role").count() == 1


def test_a_section_head_outside_hr_may_not_grant_roles(city, office):
    with pytest.raises(access.AccessDenied):
        services.staff_grant_role(actor=city.approver.user, ctx=office, staff=city.applicant, role=access.Role.HR)
    assert not city.applicant.user.groups.exists()
    assert not PersonnelAudit.objects.filter(action="staff_grant_role").exists()


def test_hr_may_not_grant_roles_from_home(city, remote_otp):
    with pytest.raises(access.AccessDenied) as refused:
        services.staff_grant_role(actor=city.hr_clerk.user, ctx=remote_otp, staff=city.applicant, role=access.Role.IT)
    assert str(refused.value) == str(access.REASON_OFFICE_ONLY)
    city.applicant.user.refresh_from_db()
    assert not city.applicant.user.is_staff


def test_it_refuses_an_unknown_role(city, office):
    with pytest.raises(ValidationError, match="市長室"):
        services.staff_grant_role(actor=city.hr_clerk.user, ctx=office, staff=city.applicant, role="市長室")
    assert not city.applicant.user.groups.exists()


def test_it_refuses_a_role_for_an_inactive_account(city, office):
    city.outsider.user.is_active = False
    city.outsider.user.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        services.staff_grant_role(actor=city.hr_clerk.user, ctx=office, staff=city.outsider, role=access.Role.HR)
    assert not city.outsider.user.groups.exists()
