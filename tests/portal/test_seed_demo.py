"""The demo city (manage.py seed_demo): its shape at the default size, what a small run builds, and that runs
are repeatable."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from approvals import selectors as approval_selectors
from approvals.models import Document, DocumentStatus
from leave.models import LeaveBalance
from payroll.models import InputState, OvertimeMonth, PayrollInput
from personnel import access
from personnel.models import Assignment, Delegation, OrgUnit, PersonnelAudit, Staff, UnitKind
from personnel.org import assignments_current, delegations_active
from portal import demo
from tests.conftest import TODAY

SMALL = 300
KATAKANA = re.compile(r"^[ァ-ヶー]+$")
KANJI_OR_KANA = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff々ヶ]+$")

User = get_user_model()


@pytest.fixture
def seeded(db):
    return demo.seed(size=SMALL, today=TODAY)


def counts() -> dict[str, int]:
    models = [OrgUnit, Staff, User, Assignment, Delegation, PersonnelAudit, User.groups.through]
    return {m.__name__: m.objects.count() for m in models}


def staff(username: str) -> Staff:
    return Staff.objects.select_related("user").get(user__username=username)


# -- the plan, without a database ------------------------------------------------------------------------


def test_the_default_plan_is_a_city_sized_tree():
    units = Counter(u.kind for u in demo.plan_units(demo.DEFAULT_SIZE))
    assert units[UnitKind.CITY] == 1
    assert units[UnitKind.BUREAU] >= 5
    assert units[UnitKind.DEPARTMENT] >= units[UnitKind.BUREAU]
    assert units[UnitKind.SECTION] >= 40
    assert units[UnitKind.SUBSECTION] >= 120


def test_every_bureau_of_the_default_plan_has_departments():
    units = demo.plan_units(demo.DEFAULT_SIZE)
    with_departments = {u.parent_code for u in units if u.kind == UnitKind.DEPARTMENT}
    assert {u.code for u in units if u.kind == UnitKind.BUREAU} <= with_departments


def test_the_benchmark_plan_reaches_the_real_number_of_units():
    assert len(demo.plan_units(10_000)) >= 1000


def test_every_planned_unit_has_a_unique_code_and_abbreviation_and_an_extension():
    units = demo.plan_units(10_000)
    assert len({u.code for u in units}) == len(units)
    assert len({u.abbreviation for u in units}) == len(units)
    assert all(u.abbreviation and u.extension for u in units)


def test_the_default_plan_holds_exactly_the_requested_staff():
    plan = demo.make_plan(demo.DEFAULT_SIZE)
    assert len(plan.staff) == demo.DEFAULT_SIZE
    assert len({r.employee_number for r in plan.staff}) == demo.DEFAULT_SIZE


def test_the_plan_is_the_same_every_time():
    assert demo.make_plan(SMALL).staff == demo.make_plan(SMALL).staff


def test_it_refuses_a_size_too_small_for_the_tree(db):
    with pytest.raises(CommandError, match="at least"):
        call_command("seed_demo", size=demo.minimum_size(50) - 1, stdout=StringIO())
    assert not OrgUnit.objects.exists()


def test_the_demo_password_passes_the_password_validators(db):
    validate_password(demo.DEMO_PASSWORD, user=User(username="kakariin", email="kakariin@example.jp"))


# -- a small run ------------------------------------------------------------------------------------------


def test_it_builds_all_five_unit_kinds(seeded):
    assert set(OrgUnit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert OrgUnit.get_root_nodes().get().name == demo.CITY_NAME


def test_it_registers_the_requested_number_of_staff(seeded):
    assert Staff.objects.count() == SMALL


def test_every_section_has_a_section_head_and_every_subsection_a_chief_today(seeded):
    posts = assignments_current(on=TODAY)
    heads = set(posts.filter(position__code="section_head").values_list("unit_id", flat=True))
    chiefs = set(posts.filter(position__code="chief").values_list("unit_id", flat=True))
    assert set(OrgUnit.objects.filter(kind=UnitKind.SECTION).values_list("pk", flat=True)) <= heads
    assert set(OrgUnit.objects.filter(kind=UnitKind.SUBSECTION).values_list("pk", flat=True)) <= chiefs


def test_every_member_of_staff_holds_exactly_one_primary_post_today(seeded):
    primary = Counter(assignments_current(on=TODAY).filter(is_primary=True).values_list("staff_id", flat=True))
    assert len(primary) == SMALL
    assert set(primary.values()) == {1}


def test_the_top_of_the_city_is_filled(seeded):
    posts = assignments_current(on=TODAY)
    assert posts.filter(position__code="mayor", unit__kind=UnitKind.CITY).count() == 1
    assert posts.filter(position__code="deputy_mayor", unit__kind=UnitKind.CITY).count() == 2
    for kind, position in [(UnitKind.BUREAU, "bureau_head"), (UnitKind.DEPARTMENT, "department_head")]:
        headed = set(posts.filter(position__code=position).values_list("unit_id", flat=True))
        assert set(OrgUnit.objects.filter(kind=kind).values_list("pk", flat=True)) <= headed


def test_the_demo_accounts_log_in_with_the_demo_password(seeded, client):
    for account in demo.KNOWN_ACCOUNTS:
        assert client.login(username=account.username, password=demo.DEMO_PASSWORD), account.username
    assert [line.username for line in seeded.accounts] == [a.username for a in demo.KNOWN_ACCOUNTS]


def test_an_ordinary_employee_logs_in_with_the_employee_number(seeded, client):
    number = Staff.objects.exclude(user__username__in=[a.username for a in demo.KNOWN_ACCOUNTS]).first()
    assert client.login(username=number.employee_number, password=demo.DEMO_PASSWORD)
    assert not client.login(username=number.employee_number, password="wrong-password-2026")


def test_the_reporting_line_of_the_demo_accounts_is_what_their_names_say(seeded):
    def post(username: str) -> Assignment:
        return (
            assignments_current(on=TODAY).select_related("unit", "position").get(staff=staff(username), is_primary=True)
        )

    clerk, chief, section_head, department_head = (post(n) for n in ("kakariin", "kakaricho", "kacho", "bucho"))
    assert (clerk.position.code, chief.position.code) == ("staff", "chief")
    assert clerk.unit == chief.unit
    assert chief.unit.get_parent() == section_head.unit and section_head.position.code == "section_head"
    assert section_head.unit.get_parent() == department_head.unit
    assert department_head.position.code == "department_head"


def test_the_role_groups_are_populated(seeded):
    for role in access.Role:
        assert Group.objects.get(name=role).user_set.exists(), role
    cast = {
        "jinji": access.Role.HR,
        "zaimu": access.Role.FINANCE,
        "shomu": access.Role.GENERAL_AFFAIRS,
        "bunsho": access.Role.RECORDS,
        "johoseisaku": access.Role.IT,
    }
    for username, role in cast.items():
        assert staff(username).user.groups.filter(name=role).exists(), username


def test_only_hr_and_it_members_may_open_the_django_admin(seeded):
    admins = User.objects.filter(is_staff=True)
    assert admins.filter(username__in=["jinji", "johoseisaku"]).count() == 2
    assert not admins.exclude(groups__name__in=[access.Role.HR, access.Role.IT]).exists()
    assert not staff("kacho").user.is_staff


def test_role_grants_went_through_the_service_with_an_audit_entry(seeded):
    grants = PersonnelAudit.objects.filter(action="staff_grant_role", zone="system")
    assert grants.count() == User.groups.through.objects.count()


def test_there_are_concurrent_posts(seeded):
    concurrent = assignments_current(on=TODAY).filter(is_primary=False)
    assert concurrent.exists()
    for post in concurrent:
        assert assignments_current(on=TODAY).filter(staff=post.staff, is_primary=True).exclude(unit=post.unit).exists()


def test_some_staff_have_a_former_post_that_has_ended(seeded):
    assert Assignment.objects.filter(end_date__lt=TODAY).exists()


def test_kacho_has_delegated_to_hosa_from_today(seeded):
    delegation = delegations_active(on=TODAY).get(delegator=staff("kacho"))
    assert delegation.delegate == staff("hosa")
    assert delegation.start_date == TODAY


def test_kakaricho_sees_the_certificates_teams_documents_while_acting_for_its_chief(seeded, office):
    delegation = delegations_active(on=TODAY).get(delegate=staff("kakaricho"))
    certificates = assignments_current(on=TODAY).get(staff=delegation.delegator, is_primary=True).unit
    applicant = assignments_current(on=TODAY).filter(unit=certificates, position__code="staff").first().staff
    document = Document.objects.create(
        doc_type="leave", title="年次休暇届", applicant=applicant, drafting_unit=certificates
    )
    decision = access.check(staff("kakaricho").user, "view", document, office)
    assert decision.allowed and decision.delegation_id == delegation.pk
    assert not access.can(staff("kakariin").user, "view", document, office)


def test_kakaricho_has_kakariins_leave_in_the_inbox(seeded, office):
    items = list(approval_selectors.inbox(user=staff("kakaricho").user, ctx=office).filter(document__doc_type="leave"))
    assert [i.document.applicant for i in items] == [staff("kakariin")]
    assert items[0].document.leave_request.leave_type == "annual"


def test_kacho_has_three_leave_requests_to_decide_and_hosa_holds_them_as_delegate(seeded, office):
    items = list(approval_selectors.inbox(user=staff("kacho").user, ctx=office))
    assert len(items) == 3 and all(i.step.is_decision for i in items)
    delegated = approval_selectors.delegated_to_me(user=staff("hosa").user, ctx=office)
    assert {i.pk for i in delegated} == {i.pk for i in items}


def test_kakariin_has_a_decided_half_day_with_its_decision_number(seeded):
    decided = Document.objects.get(applicant=staff("kakariin"), status=DocumentStatus.DECIDED, doc_type="leave")
    assert decided.number and decided.leave_request.unit == "half_day"
    assert LeaveBalance.objects.get(staff=staff("kakariin"), year=decided.leave_request.start_date.year).used_minutes


def test_kakariins_overtime_is_decided_for_shomu_to_check_and_an_order_waits_for_kakaricho(seeded, office):
    waiting = PayrollInput.objects.filter(state=InputState.DECIDED, staff=staff("kakariin"))
    assert sorted(waiting.values_list("kind", flat=True)) == ["ot_order", "ot_report"]
    assert access.can(staff("shomu").user, "process", waiting.get(kind="ot_report").document, office)
    yesterday = TODAY - timedelta(days=1)
    ledger = OvertimeMonth.objects.get(staff=staff("kakariin"), month=yesterday.replace(day=1))
    assert ledger.total_minutes == 5 * 60 + 15
    inbox = approval_selectors.inbox(user=staff("kakaricho").user, ctx=office).filter(document__doc_type="ot_order")
    assert [i.document.overtime_order.work_date for i in inbox] == [TODAY + timedelta(days=1)]


def test_names_are_japanese_with_katakana_readings(seeded):
    for row in Staff.objects.values("family_name", "given_name", "family_name_kana", "given_name_kana"):
        assert KANJI_OR_KANA.match(row["family_name"]) and KANJI_OR_KANA.match(row["given_name"]), row
        assert KATAKANA.match(row["family_name_kana"]) and KATAKANA.match(row["given_name_kana"]), row


# -- running again ----------------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(seeded):
    before = counts()
    out = StringIO()
    call_command("seed_demo", size=SMALL, stdout=out)
    assert counts() == before
    assert "0 created" in out.getvalue()
    assert "kakariin" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()


def test_a_second_run_reports_nothing_created(seeded):
    again = demo.seed(size=SMALL, today=TODAY)
    assert again.total_created == 0
    assert again.unchanged["staff"] == SMALL


def test_a_run_on_a_later_day_renews_only_the_lapsed_delegations(seeded):
    later = TODAY + timedelta(days=30)
    report = demo.seed(size=SMALL, today=later)
    assert report.created["delegations"] == len(demo.make_plan(SMALL).delegations)
    assert report.total_created == report.created["delegations"]
    assert delegations_active(on=later).filter(delegator=staff("kacho"), delegate=staff("hosa")).exists()


def test_a_run_the_next_day_leaves_running_delegations_alone(seeded):
    report = demo.seed(size=SMALL, today=TODAY + timedelta(days=1))
    assert report.total_created == 0


def test_it_refuses_to_lay_a_city_of_another_size_over_this_one(seeded):
    before = counts()
    with pytest.raises(CommandError, match="different organisation"):
        call_command("seed_demo", size=SMALL + 200, stdout=StringIO())
    assert counts() == before
