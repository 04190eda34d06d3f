"""Write actions on the org master: what they change, what they refuse, and that a refusal saves nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from personnel import access, services
from personnel.models import Assignment, Delegation, OrgUnit, PersonnelAudit, Position, Staff, UnitKind
from tests.conftest import TODAY


def position(code: str) -> Position:
    return Position.objects.get(code=code)


def tree_paths() -> dict[str, str]:
    return dict(OrgUnit.objects.values_list("code", "path"))


# -- org units --------------------------------------------------------------------------------------------


def test_hr_creates_a_subsection_under_a_section(city, office):
    unit = services.orgunit_create(
        actor=city.hr_clerk.user,
        ctx=office,
        parent=city.unit("S1"),
        code="SS9",
        name="研修係",
        kind=UnitKind.SUBSECTION,
    )
    assert unit.get_parent() == city.unit("S1")
    assert PersonnelAudit.objects.filter(action="orgunit_create", actor=city.hr_clerk.user, zone="office").exists()


def test_it_refuses_a_unit_code_that_is_already_used(city, office):
    with pytest.raises(ValidationError, match="SS1"):
        services.orgunit_create(
            actor=city.hr_clerk.user, ctx=office, parent=city.unit("S1"), code="SS1", name="重複係", kind=4
        )
    assert OrgUnit.objects.filter(name="重複係").count() == 0


def test_it_refuses_a_section_under_a_subsection(city, office):
    with pytest.raises(ValidationError):
        services.orgunit_create(
            actor=city.hr_clerk.user, ctx=office, parent=city.unit("SS1"), code="S9", name="逆転課", kind=3
        )
    assert not OrgUnit.objects.filter(code="S9").exists()


def test_a_non_hr_section_head_may_not_create_units(city, office):
    with pytest.raises(access.AccessDenied):
        services.orgunit_create(
            actor=city.approver.user, ctx=office, parent=city.unit("S1"), code="SS9", name="研修係", kind=4
        )
    assert not OrgUnit.objects.filter(code="SS9").exists()


def test_hr_may_not_reorganise_from_home(city, remote_otp):
    with pytest.raises(access.AccessDenied, match="office network"):
        services.orgunit_move(actor=city.hr_clerk.user, ctx=remote_otp, unit=city.unit("SS1"), parent=city.unit("S2"))


def test_moving_a_unit_carries_its_subunits_along(city, office):
    services.orgunit_move(actor=city.hr_clerk.user, ctx=office, unit=city.unit("S1"), parent=city.unit("D2"))
    assert city.unit("SS1").get_ancestors().filter(code="D2").exists()
    assert city.unit("SS2").get_parent().code == "S1"


def test_it_refuses_to_move_a_unit_under_its_own_descendant(city, office):
    before = tree_paths()
    with pytest.raises(ValidationError, match="sub-units"):
        services.orgunit_move(actor=city.hr_clerk.user, ctx=office, unit=city.unit("D1"), parent=city.unit("SS1"))
    assert tree_paths() == before


def test_it_refuses_to_move_a_unit_under_itself(city, office):
    before = tree_paths()
    with pytest.raises(ValidationError):
        services.orgunit_move(actor=city.hr_clerk.user, ctx=office, unit=city.unit("S1"), parent=city.unit("S1"))
    assert tree_paths() == before


def test_it_refuses_to_move_a_section_under_a_subsection(city, office):
    before = tree_paths()
    with pytest.raises(ValidationError):
        services.orgunit_move(actor=city.hr_clerk.user, ctx=office, unit=city.unit("S2"), parent=city.unit("SS1"))
    assert tree_paths() == before


def test_renaming_a_unit_is_audited_with_the_old_name(city, office):
    services.orgunit_update(actor=city.hr_clerk.user, ctx=office, unit=city.unit("SS1"), name="人事企画係")
    entry = PersonnelAudit.objects.get(action="orgunit_update")
    assert city.unit("SS1").name == "人事企画係"
    assert entry.detail["before"]["name"] == "人事係"


def test_a_refused_move_in_an_edit_leaves_the_name_unchanged_too(city, office):
    before = tree_paths()
    with pytest.raises(ValidationError):
        services.orgunit_edit(
            actor=city.hr_clerk.user, ctx=office, unit=city.unit("D1"), parent=city.unit("SS1"), name="総務企画部"
        )
    assert tree_paths() == before and city.unit("D1").name == "総務部"


def test_an_edit_renames_and_moves_in_one_step(city, office):
    services.orgunit_edit(
        actor=city.hr_clerk.user, ctx=office, unit=city.unit("SS3"), parent=city.unit("S1"), name="調達係"
    )
    unit = city.unit("SS3")
    assert (unit.name, unit.get_parent().code) == ("調達係", "S1")


# -- staff ------------------------------------------------------------------------------------------------


def row(number: str, **overrides) -> services.StaffRow:
    values = dict(
        employee_number=number,
        family_name="木村",
        given_name="翔",
        family_name_kana="キムラ",
        given_name_kana="ショウ",
    )
    values.update(overrides)
    return services.StaffRow(**values)


def test_importing_the_same_staff_twice_changes_nothing(city, system_ctx):
    first = services.staff_import(actor=None, ctx=system_ctx, rows=[row("200001"), row("200002")])
    second = services.staff_import(actor=None, ctx=system_ctx, rows=[row("200001"), row("200002")])
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    assert Staff.objects.filter(employee_number__startswith="2000").count() == 2


def test_an_import_with_a_duplicated_number_saves_nothing(city, system_ctx):
    with pytest.raises(ValidationError, match="200003"):
        services.staff_import(actor=None, ctx=system_ctx, rows=[row("200003"), row("200004"), row("200003")])
    assert not Staff.objects.filter(employee_number__in=["200003", "200004"]).exists()


def test_an_import_names_the_missing_fields_of_a_bad_row(city, system_ctx):
    with pytest.raises(ValidationError, match="200005"):
        services.staff_import(actor=None, ctx=system_ctx, rows=[row("200006"), row("200005", family_name_kana=" ")])
    assert not Staff.objects.filter(employee_number="200006").exists()


def test_imported_staff_can_log_in_with_the_given_password(city, system_ctx, client):
    services.staff_import(actor=None, ctx=system_ctx, rows=[row("200007")], password="kimura-pass-2026")
    assert client.login(username="200007", password="kimura-pass-2026")


def test_a_clerk_may_not_register_staff(city, office):
    with pytest.raises(access.AccessDenied):
        services.staff_create(actor=city.applicant.user, ctx=office, row=row("200008"))
    assert not Staff.objects.filter(employee_number="200008").exists()


def test_it_refuses_an_employee_number_already_registered(city, office):
    with pytest.raises(ValidationError, match="100001"):
        services.staff_create(actor=city.hr_clerk.user, ctx=office, row=row("100001", username="someone-new"))


# -- assignments ------------------------------------------------------------------------------------------


def test_it_refuses_an_assignment_that_ends_before_it_starts(city, office):
    with pytest.raises(ValidationError, match="end before it starts"):
        services.assignment_create(
            actor=city.hr_clerk.user,
            ctx=office,
            staff=city.colleague,
            unit=city.unit("S2"),
            position=position("staff"),
            start_date=date(2026, 12, 1),
            end_date=date(2026, 11, 30),
            is_primary=False,
        )
    assert Assignment.objects.filter(staff=city.colleague).count() == 1


def test_it_refuses_a_second_primary_post_in_the_same_period(city, office):
    with pytest.raises(ValidationError, match="兼務"):
        services.assignment_create(
            actor=city.hr_clerk.user,
            ctx=office,
            staff=city.colleague,
            unit=city.unit("S2"),
            position=position("staff"),
            start_date=date(2026, 12, 1),
        )
    assert Assignment.objects.filter(staff=city.colleague).count() == 1


def test_a_transfer_ends_the_old_post_and_starts_the_new_one(city, office):
    old = Assignment.objects.get(staff=city.colleague)
    services.assignment_end(actor=city.hr_clerk.user, ctx=office, assignment=old, end_date=date(2026, 11, 30))
    new = services.assignment_create(
        actor=city.hr_clerk.user,
        ctx=office,
        staff=city.colleague,
        unit=city.unit("S2"),
        position=position("staff"),
        start_date=date(2026, 12, 1),
    )
    assert new.is_primary and Assignment.objects.get(pk=old.pk).end_date == date(2026, 11, 30)


def test_a_concurrent_post_may_overlap_the_primary_post(city, office):
    services.assignment_create(
        actor=city.hr_clerk.user,
        ctx=office,
        staff=city.colleague,
        unit=city.unit("S2"),
        position=position("staff"),
        start_date=date(2026, 12, 1),
        is_primary=False,
    )
    assert Assignment.objects.filter(staff=city.colleague).count() == 2


def test_it_refuses_the_same_post_twice(city, office):
    with pytest.raises(ValidationError, match="already holds"):
        services.assignment_create(
            actor=city.hr_clerk.user,
            ctx=office,
            staff=city.colleague,
            unit=city.unit("SS1"),
            position=position("staff"),
            start_date=date(2026, 12, 1),
            is_primary=False,
        )


def test_it_refuses_a_post_for_an_inactive_account(city, office):
    city.colleague.user.is_active = False
    city.colleague.user.save()
    with pytest.raises(ValidationError, match="not active"):
        services.assignment_create(
            actor=city.hr_clerk.user,
            ctx=office,
            staff=city.colleague,
            unit=city.unit("S2"),
            position=position("staff"),
            start_date=date(2026, 12, 1),
            is_primary=False,
        )


def test_ending_a_post_before_it_started_is_refused_and_keeps_the_post(city, office):
    post = Assignment.objects.get(staff=city.colleague)
    with pytest.raises(ValidationError):
        services.assignment_end(actor=city.hr_clerk.user, ctx=office, assignment=post, end_date=date(2026, 3, 31))
    assert Assignment.objects.get(pk=post.pk).end_date is None


def test_a_section_head_may_not_reassign_their_own_staff(city, office):
    post = Assignment.objects.get(staff=city.colleague)
    with pytest.raises(access.AccessDenied):
        services.assignment_end(actor=city.approver.user, ctx=office, assignment=post, end_date=TODAY)
    assert Assignment.objects.get(pk=post.pk).end_date is None


def test_an_assignment_import_refuses_an_unknown_unit_and_saves_nothing(city, system_ctx):
    rows = [
        services.AssignmentRow("100001", "S2", "staff", date(2026, 12, 1), is_primary=False),
        services.AssignmentRow("100002", "NOPE", "staff", date(2026, 12, 1), is_primary=False),
    ]
    with pytest.raises(ValidationError, match="NOPE"):
        services.assignment_import(actor=None, ctx=system_ctx, rows=rows)
    assert Assignment.objects.count() == len(city.people)


def test_an_assignment_import_refuses_an_overlapping_primary_post(city, system_ctx):
    rows = [services.AssignmentRow("100001", "S2", "staff", date(2026, 12, 1))]
    with pytest.raises(ValidationError, match="100001"):
        services.assignment_import(actor=None, ctx=system_ctx, rows=rows)


# -- delegations ------------------------------------------------------------------------------------------


def delegate_from_approver(ctx, actor, *, delegate, start=TODAY, end=TODAY + timedelta(days=2), reason="出張のため"):
    """The section head (課長, employee 100004 in the cast) hands over to `delegate`."""
    return services.delegation_create(
        actor=actor,
        ctx=ctx,
        delegator=Staff.objects.get(employee_number="100004"),
        delegate=delegate,
        start_date=start,
        end_date=end,
        reason=reason,
    )


def test_a_section_head_delegates_to_a_deputy(city, office):
    delegation = delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    assert delegation.created_by == city.approver.user
    assert PersonnelAudit.objects.filter(action="delegation_create", actor=city.approver.user).exists()


def test_it_refuses_a_delegation_to_oneself(city, office):
    with pytest.raises(ValidationError, match="yourself"):
        delegate_from_approver(office, city.approver.user, delegate=city.approver)
    assert not Delegation.objects.exists()


def test_it_refuses_a_delegation_that_ends_before_it_starts(city, office):
    with pytest.raises(ValidationError, match="end before it starts"):
        delegate_from_approver(office, city.approver.user, delegate=city.delegate, end=TODAY - timedelta(days=1))
    assert not Delegation.objects.exists()


def test_it_refuses_a_delegation_that_starts_in_the_past(city, office):
    with pytest.raises(ValidationError, match="past"):
        delegate_from_approver(office, city.approver.user, delegate=city.delegate, start=TODAY - timedelta(days=1))


def test_it_refuses_a_delegation_without_a_reason(city, office):
    with pytest.raises(ValidationError, match="reason"):
        delegate_from_approver(office, city.approver.user, delegate=city.delegate, reason="   ")


def test_it_refuses_an_overlapping_delegation_by_the_same_person(city, office):
    delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    with pytest.raises(ValidationError, match="revoke that first"):
        delegate_from_approver(
            office, city.approver.user, delegate=city.chief, start=TODAY + timedelta(days=2), end=TODAY + timedelta(5)
        )
    assert Delegation.objects.count() == 1


def test_a_double_submitted_delegation_is_saved_once(city, office):
    delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    with pytest.raises(ValidationError):
        delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    assert Delegation.objects.count() == 1


def test_a_delegation_may_follow_one_that_has_ended(city, office):
    delegate_from_approver(office, city.approver.user, delegate=city.delegate, end=TODAY)
    delegate_from_approver(
        office, city.approver.user, delegate=city.chief, start=TODAY + timedelta(1), end=TODAY + timedelta(2)
    )
    assert Delegation.objects.count() == 2


def test_it_refuses_a_delegate_who_is_away_themselves(city, office, system_ctx):
    services.delegation_create(
        actor=None,
        ctx=system_ctx,
        delegator=city.delegate,
        delegate=city.chief,
        start_date=TODAY,
        end_date=TODAY + timedelta(days=7),
        reason="研修のため",
    )
    with pytest.raises(ValidationError, match="away"):
        delegate_from_approver(office, city.approver.user, delegate=city.delegate)


def test_it_refuses_a_delegate_whose_assignment_has_expired(city, office, system_ctx):
    post = Assignment.objects.get(staff=city.delegate)
    services.assignment_end(actor=None, ctx=system_ctx, assignment=post, end_date=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="no assignment"):
        delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    assert not Delegation.objects.exists()


def test_nobody_may_set_up_a_delegation_for_someone_else(city, office):
    with pytest.raises(access.AccessDenied):
        delegate_from_approver(office, city.colleague.user, delegate=city.colleague)
    assert not Delegation.objects.exists()


def test_hr_sets_up_a_delegation_for_an_absent_section_head(city, office):
    delegation = delegate_from_approver(office, city.hr_clerk.user, delegate=city.delegate)
    assert delegation.created_by == city.hr_clerk.user


def test_the_delegate_may_not_revoke_the_delegation(city, office):
    delegation = delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    with pytest.raises(access.AccessDenied):
        services.delegation_revoke(actor=city.delegate.user, ctx=office, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None


def test_revoking_twice_is_refused(city, office):
    delegation = delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    services.delegation_revoke(actor=city.approver.user, ctx=office, delegation=delegation)
    with pytest.raises(ValidationError, match="already been revoked"):
        services.delegation_revoke(actor=city.approver.user, ctx=office, delegation=delegation)


def test_a_refusal_writes_dates_the_way_the_users_language_does(city, office):
    from django.utils import translation

    delegate_from_approver(office, city.approver.user, delegate=city.delegate)
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        delegate_from_approver(office, city.approver.user, delegate=city.chief)
    assert "2026年11月23日" in refused.value.messages[0]
