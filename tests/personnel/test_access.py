"""The one permission model: every rule in personnel/access.py with an allowed and a denied case."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from approvals.models import Document
from personnel import access, services
from personnel.models import Assignment, Delegation, OrgUnit, Position
from tests.conftest import TODAY


def make_doc(applicant, unit, title="休暇申請", **extra) -> Document:
    return Document.objects.create(doc_type="leave", title=title, applicant=applicant, drafting_unit=unit, **extra)


def titles(user, ctx, action="view"):
    return set(access.visible(user, action, Document.objects.all(), ctx).values_list("title", flat=True))


@pytest.fixture
def docs(city):
    """One document filed in each of several units, by someone who works there."""
    return {
        "SS1": make_doc(city.applicant, city.unit("SS1"), "人事係の文書"),
        "SS2": make_doc(city.hr_clerk, city.unit("SS2"), "給与係の文書"),
        "S1": make_doc(city.delegate, city.unit("S1"), "人事課の文書"),
        "S2": make_doc(city.department_head, city.unit("S2"), "契約課の文書"),
        "S3": make_doc(city.outsider, city.unit("S3"), "市民課の文書"),
    }


# -- 0. context -------------------------------------------------------------------------------------------


def test_it_refuses_an_anonymous_user(docs, office):
    from django.contrib.auth.models import AnonymousUser

    assert titles(AnonymousUser(), office) == set()
    decision = access.check(AnonymousUser(), "view", docs["SS1"], office)
    assert not decision and decision.reason == access.REASON_NOT_LOGGED_IN


def test_it_refuses_an_inactive_account(city, docs, office):
    city.applicant.user.is_active = False
    city.applicant.user.save()
    assert titles(city.applicant.user, office) == set()
    assert access.check(city.applicant.user, "view", docs["SS1"], office).reason == access.REASON_INACTIVE


def test_it_refuses_staff_whose_assignment_has_ended(city, docs, system_ctx):
    assignment = Assignment.objects.get(staff=city.approver)
    services.assignment_end(actor=None, ctx=system_ctx, assignment=assignment, end_date=TODAY - timedelta(days=1))
    ctx = access.AccessContext.office(today=TODAY)
    assert titles(city.approver.user, ctx) == set()
    assert access.check(city.approver.user, "view", docs["SS1"], ctx).reason == access.REASON_NO_ASSIGNMENT


def test_an_ended_assignment_still_counted_on_a_date_it_covered(city, docs, system_ctx):
    assignment = Assignment.objects.get(staff=city.approver)
    services.assignment_end(actor=None, ctx=system_ctx, assignment=assignment, end_date=TODAY - timedelta(days=1))
    yesterday = access.AccessContext.office(today=TODAY - timedelta(days=1))
    assert "人事係の文書" in titles(city.approver.user, yesterday)


def test_it_refuses_a_remote_request_without_otp(city, docs, remote_password):
    assert titles(city.applicant.user, remote_password) == set()
    decision = access.check(city.applicant.user, "view", docs["SS1"], remote_password)
    assert decision.reason == access.REASON_OTP_REQUIRED


def test_it_allows_a_remote_request_with_otp(city, docs, remote_otp):
    assert titles(city.applicant.user, remote_otp) == {"人事係の文書"}


def test_it_hides_personal_information_rows_remotely(city, office, remote_otp):
    make_doc(city.applicant, city.unit("SS1"), "扶養親族の届出", contains_personal_info=True)
    make_doc(city.applicant, city.unit("SS1"), "出張の報告")
    assert titles(city.applicant.user, office) == {"扶養親族の届出", "出張の報告"}
    assert titles(city.applicant.user, remote_otp) == {"出張の報告"}


def test_it_explains_a_remote_refusal_of_a_personal_information_row(city, remote_otp):
    doc = make_doc(city.applicant, city.unit("SS1"), "扶養親族の届出", contains_personal_info=True)
    decision = access.check(city.applicant.user, "view", doc, remote_otp)
    assert not decision and decision.reason == access.REASON_OFFICE_ONLY


def test_it_refuses_an_office_only_action_remotely_even_to_hr(city, remote_otp, office):
    assignment = Assignment.objects.get(staff=city.applicant)
    assert access.can(city.hr_clerk.user, "change", assignment, office)
    decision = access.check(city.hr_clerk.user, "change", assignment, remote_otp)
    assert not decision and decision.reason == access.REASON_OFFICE_ONLY


def test_the_context_rejects_an_unknown_zone():
    with pytest.raises(ValueError, match="zone"):
        access.AccessContext(zone="cafe")


# -- 1. superusers ----------------------------------------------------------------------------------------


def test_a_superuser_sees_everything_in_the_office(city, docs, office):
    city.colleague.user.is_superuser = True
    city.colleague.user.save()
    assert len(titles(city.colleague.user, office)) == len(docs)


def test_a_superuser_is_still_refused_remotely_without_otp(city, docs, remote_password):
    city.colleague.user.is_superuser = True
    city.colleague.user.save()
    assert titles(city.colleague.user, remote_password) == set()


# -- 2. functional roles ----------------------------------------------------------------------------------


def test_hr_may_change_any_assignment(city, office):
    other_unit_post = Assignment.objects.get(staff=city.outsider)
    assert access.can(city.hr_clerk.user, "change", other_unit_post, office)
    assert access.visible(city.hr_clerk.user, "change", Assignment.objects.all(), office).count() == len(city.people)


def test_a_section_head_without_the_hr_role_may_not_change_assignments(city, office):
    own_section_post = Assignment.objects.get(staff=city.applicant)
    assert not access.can(city.approver.user, "change", own_section_post, office)
    assert access.visible(city.approver.user, "change", Assignment.objects.all(), office).count() == 0


# -- 3. everyone on duty ----------------------------------------------------------------------------------


def test_every_staff_member_on_duty_may_read_the_org_tree(city, office):
    assert access.visible(city.applicant.user, "view", OrgUnit.objects.all(), office).count() == len(city.units)


def test_an_action_no_rule_names_is_refused(city, office):
    unit = city.unit("SS1")
    assert not access.can(city.applicant.user, "delete", unit, office)
    assert access.visible(city.applicant.user, "delete", OrgUnit.objects.all(), office).count() == 0


# -- 4. organisation: owner and supervisors ---------------------------------------------------------------


def test_a_clerk_sees_their_own_documents_only(city, docs, office):
    assert titles(city.applicant.user, office) == {"人事係の文書"}
    assert titles(city.colleague.user, office) == set()


def test_a_subsection_chief_sees_their_subsection_but_not_the_next_one(city, docs, office):
    assert titles(city.chief.user, office) == {"人事係の文書"}
    assert not access.can(city.chief.user, "view", docs["SS2"], office)


def test_a_section_head_sees_the_whole_section_and_nothing_outside_it(city, docs, office):
    assert titles(city.approver.user, office) == {"人事係の文書", "給与係の文書", "人事課の文書"}
    assert not access.can(city.approver.user, "view", docs["S2"], office)
    assert not access.can(city.approver.user, "view", docs["S3"], office)


def test_a_department_head_sees_every_section_of_the_department(city, docs, office):
    assert titles(city.department_head.user, office) == {
        "人事係の文書",
        "給与係の文書",
        "人事課の文書",
        "契約課の文書",
    }
    assert not access.can(city.department_head.user, "view", docs["S3"], office)


def test_a_concurrent_post_grants_the_same_as_a_primary_one(city, docs, system_ctx, office):
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.outsider,
        unit=city.unit("S2"),
        position=Position.objects.get(code="deputy_section_head"),
        start_date=date(2026, 10, 1),
        is_primary=False,
    )
    assert titles(city.outsider.user, office) == {"市民課の文書", "契約課の文書"}


def test_a_post_that_starts_tomorrow_grants_nothing_today(city, docs, system_ctx, office):
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.outsider,
        unit=city.unit("S2"),
        position=Position.objects.get(code="deputy_section_head"),
        start_date=TODAY + timedelta(days=1),
        is_primary=False,
    )
    assert titles(city.outsider.user, office) == {"市民課の文書"}


def test_moving_a_subsection_moves_who_supervises_it(city, docs, system_ctx, office):
    services.orgunit_move(actor=None, ctx=system_ctx, unit=city.unit("SS1"), parent=city.unit("S3"))
    assert "人事係の文書" in titles(city.outsider.user, office)
    assert "人事係の文書" not in titles(city.approver.user, office)


# -- 5. object grants (guardian) --------------------------------------------------------------------------


def test_a_user_grant_shares_one_document_with_a_reviewer(city, docs, office):
    assign_perm("approvals.view_document", city.outsider.user, docs["SS1"])
    assert titles(city.outsider.user, office) == {"市民課の文書", "人事係の文書"}
    assert access.can(city.outsider.user, "view", docs["SS1"], office)
    assert not access.can(city.outsider.user, "view", docs["SS2"], office)


def test_a_group_grant_shares_a_document_with_every_member(city, docs, office):
    reviewers = Group.objects.create(name="監査委員事務局")
    reviewers.user_set.add(city.colleague.user)
    assign_perm("approvals.view_document", reviewers, docs["S2"])
    assert titles(city.colleague.user, office) == {"契約課の文書"}


def test_a_grant_for_another_action_does_not_allow_viewing(city, docs, office):
    assign_perm("approvals.change_document", city.colleague.user, docs["S2"])
    assert titles(city.colleague.user, office) == set()


# -- 6. delegation (代理) ----------------------------------------------------------------------------------


@pytest.fixture
def approver_away(city, system_ctx):
    """The 課長 delegates to a 係員 for three days from today."""
    return services.delegation_create(
        actor=None,
        ctx=system_ctx,
        delegator=city.approver,
        delegate=city.colleague,
        start_date=TODAY,
        end_date=TODAY + timedelta(days=2),
        reason="出張のため",
    )


def test_a_delegate_sees_what_the_delegator_sees_during_the_delegation(city, docs, approver_away, office):
    assert titles(city.colleague.user, office) == {"人事係の文書", "給与係の文書", "人事課の文書"}


def test_check_names_the_delegator_the_delegate_acts_for(city, docs, approver_away, office):
    decision = access.check(city.colleague.user, "view", docs["SS2"], office)
    assert decision.allowed
    assert decision.acting_for_staff_id == city.approver.pk
    assert decision.delegation_id == approver_away.pk


def test_check_names_the_user_themselves_when_no_delegation_is_needed(city, docs, approver_away, office):
    decision = access.check(city.approver.user, "view", docs["SS2"], office)
    assert decision.acting_for_staff_id == city.approver.pk and decision.delegation_id is None


def test_a_delegation_grants_nothing_after_it_ends(city, docs, approver_away):
    after = access.AccessContext.office(today=TODAY + timedelta(days=3))
    assert titles(city.colleague.user, after) == set()


def test_a_revoked_delegation_grants_nothing(city, docs, approver_away, system_ctx, office):
    services.delegation_revoke(actor=None, ctx=system_ctx, delegation=approver_away)
    assert titles(city.colleague.user, office) == set()


def test_a_delegation_does_not_pass_on_functional_roles(city, system_ctx, office):
    services.delegation_create(
        actor=None,
        ctx=system_ctx,
        delegator=city.hr_clerk,
        delegate=city.colleague,
        start_date=TODAY,
        end_date=TODAY,
        reason="休暇のため",
    )
    assert not access.can(city.colleague.user, "change", Assignment.objects.get(staff=city.outsider), office)


def test_a_delegate_cannot_delegate_the_delegators_authority_again(city, approver_away, office):
    onward = Delegation(delegator=city.approver, delegate=city.outsider)
    assert not access.can(city.colleague.user, "add", onward, office)


# -- adding objects (unsaved instances and model classes) -------------------------------------------------


def test_a_staff_member_may_set_up_their_own_delegation(city, office):
    assert access.can(city.approver.user, "add", Delegation(delegator=city.approver, delegate=city.delegate), office)


def test_a_staff_member_may_not_set_up_someone_elses_delegation(city, office):
    assert not access.can(
        city.colleague.user, "add", Delegation(delegator=city.approver, delegate=city.colleague), office
    )


def test_hr_may_set_up_anyones_delegation(city, office):
    assert access.can(city.hr_clerk.user, "add", Delegation(delegator=city.approver, delegate=city.delegate), office)


def test_only_hr_may_add_units(city, office):
    assert access.can(city.hr_clerk.user, "add", OrgUnit, office)
    assert not access.can(city.department_head.user, "add", OrgUnit, office)


def test_require_raises_with_the_user_facing_reason(city, remote_password):
    with pytest.raises(access.AccessDenied, match=re.escape(str(access.REASON_OTP_REQUIRED))):
        access.require(city.hr_clerk.user, "add", OrgUnit, remote_password)


def test_a_model_without_a_policy_is_a_programming_error(city, office):
    with pytest.raises(ImproperlyConfigured, match="no access policy"):
        access.can(city.applicant.user, "view", Group, office)


def test_a_rule_naming_an_owner_the_policy_lacks_is_refused_at_registration():
    with pytest.raises(ImproperlyConfigured, match="owner"):
        access.register(Group, access.Policy(rules={"view": access.Rule(owner=True)}))


# -- visible() is one SQL filter --------------------------------------------------------------------------


def _queries_for(user, rows: int, city) -> int:
    unit = city.unit("SS2")
    Document.objects.bulk_create(
        [Document(doc_type="leave", title=f"文書{i}", applicant=city.hr_clerk, drafting_unit=unit) for i in range(rows)]
    )
    ctx = access.AccessContext.office(today=TODAY)
    ContentType.objects.get_for_model(Document)  # the process's cache, filled as by any page served before
    with CaptureQueriesContext(connection) as captured:
        list(access.visible(user, "view", Document.objects.all(), ctx))
    return len(captured)


def test_visible_runs_the_same_number_of_queries_for_few_and_many_rows(city, approver_away):
    few = _queries_for(city.colleague.user, 5, city)
    many = _queries_for(city.colleague.user, 500, city)
    assert few == many <= 6


def test_visible_returns_a_queryset_that_composes_with_further_filters(city, docs, office):
    qs = access.visible(city.approver.user, "view", Document.objects.all(), office).filter(drafting_unit__code="SS2")
    assert list(qs.values_list("title", flat=True)) == ["給与係の文書"]


def test_the_mayor_supervises_every_unit_of_the_city(city, docs, system_ctx, office):
    mayor = services.staff_create(
        actor=None, ctx=system_ctx, row=services.StaffRow("100099", "市川", "守", "イチカワ", "マモル")
    )
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=mayor,
        unit=city.unit("C"),
        position=Position.objects.get(code="mayor"),
        start_date=date(2026, 4, 1),
    )
    assert titles(mayor.user, office) == {d.title for d in docs.values()}
    assert access.can(mayor.user, "view", docs["S3"], office)
