"""The org admin: HR keeps assignments and units in Django's admin, through access.py and the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from personnel.models import Assignment, OrgUnit, PersonnelAudit, Position
from tests.webtools import log_in, make_hr_staff, page_text


@pytest.fixture
def hr(city, client):
    make_hr_staff(city.hr_clerk)
    return log_in(client, city.hr_clerk.user)


def assignment_of(staff) -> Assignment:
    return Assignment.objects.get(staff=staff, is_primary=True)


def change_url(obj) -> str:
    return reverse(f"admin:personnel_{obj._meta.model_name}_change", args=[obj.pk])


def assignment_form(assignment: Assignment, **changes) -> dict:
    data = {
        "unit": assignment.unit_id,
        "position": assignment.position_id,
        "start_date": assignment.start_date.isoformat(),
        "end_date": assignment.end_date.isoformat() if assignment.end_date else "",
        "is_primary": "on" if assignment.is_primary else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def unit_form(unit: OrgUnit, parent: OrgUnit | None, **changes) -> dict:
    data = {
        "parent": parent.pk if parent else "",
        "name": unit.name,
        "name_kana": unit.name_kana,
        "abbreviation": unit.abbreviation,
        "extension": unit.extension,
    }
    data.update(changes)
    return data


def test_hr_opens_the_assignment_list(city, hr):
    response = hr.get(reverse("admin:personnel_assignment_changelist"))
    assert response.status_code == 200
    assert "高橋 健" in page_text(response)


def test_hr_edits_an_assignment_through_the_service(city, hr):
    post = assignment_of(city.colleague)
    response = hr.post(change_url(post), assignment_form(post, position=Position.objects.get(code="senior").pk))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.position.code == "senior"
    audit = PersonnelAudit.objects.get(action="assignment_update")
    assert audit.actor == city.hr_clerk.user and audit.zone == "office"


def test_hr_adds_a_concurrent_post(city, hr):
    response = hr.post(
        reverse("admin:personnel_assignment_add"),
        {
            "staff": city.approver.pk,
            "unit": city.units["S2"].pk,
            "position": Position.objects.get(code="section_head").pk,
            "start_date": "2026-10-01",
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(staff=city.approver, unit=city.units["S2"], is_primary=False).exists()
    assert PersonnelAudit.objects.filter(action="assignment_create").exists()


def test_it_shows_the_services_refusal_of_a_second_primary_post_as_a_form_error(city, hr):
    response = hr.post(
        reverse("admin:personnel_assignment_add"),
        {
            "staff": city.approver.pk,
            "unit": city.units["S2"].pk,
            "position": Position.objects.get(code="section_head").pk,
            "start_date": "2026-10-01",
            "is_primary": "on",
        },
    )
    assert response.status_code == 200
    assert "兼務として登録してください" in page_text(response)
    assert Assignment.objects.filter(staff=city.approver).count() == 1


def test_it_shows_an_assignment_that_ends_before_it_starts_as_a_form_error(city, hr):
    post = assignment_of(city.colleague)
    response = hr.post(change_url(post), assignment_form(post, end_date="2026-03-01"))
    assert response.status_code == 200
    assert "配属の終了日を開始日より前にすることはできません。" in page_text(response)
    post.refresh_from_db()
    assert post.end_date is None


def test_hr_cannot_delete_an_assignment(city, hr):
    post = assignment_of(city.colleague)
    assert hr.get(reverse("admin:personnel_assignment_delete", args=[post.pk])).status_code == 403
    assert Assignment.objects.filter(pk=post.pk).exists()


def test_it_redirects_staff_without_admin_access_to_the_admin_login(city, client):
    log_in(client, city.approver.user)
    response = client.get(reverse("admin:personnel_assignment_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_refuses_the_assignment_list_to_a_non_hr_member_even_with_is_staff(city, client):
    make_hr_staff(city.approver)  # is_staff alone: the permission model still says no
    log_in(client, city.approver.user)
    assert client.get(reverse("admin:personnel_assignment_changelist")).status_code == 403


def test_it_refuses_an_assignment_change_by_a_non_hr_member_with_is_staff(city, client):
    make_hr_staff(city.approver)
    log_in(client, city.approver.user)
    post = assignment_of(city.colleague)
    response = client.post(change_url(post), assignment_form(post, position=Position.objects.get(code="senior").pk))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.position.code == "staff"


def test_it_refuses_hr_working_from_home_with_the_office_only_reason(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    response = client.get(reverse("admin:personnel_assignment_changelist"))
    assert response.status_code == 403
    assert "庁内ネットワークからのみ" in page_text(response)


def test_it_refuses_an_assignment_change_posted_by_hr_from_home(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    post = assignment_of(city.colleague)
    response = client.post(change_url(post), assignment_form(post, position=Position.objects.get(code="senior").pk))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.position.code == "staff"


def test_hr_sees_the_org_tree_in_tree_order(city, hr):
    response = hr.get(reverse("admin:personnel_orgunit_changelist"))
    names = [unit.name for unit in response.context["cl"].result_list]
    assert names[:4] == ["テスト市", "総務局", "総務部", "人事課"]


def test_hr_moves_a_subsection_to_another_section(city, hr):
    unit = city.unit("SS2")
    response = hr.post(change_url(unit), unit_form(unit, city.unit("S2")))
    assert response.status_code == 302
    assert city.unit("SS2").get_parent() == city.unit("S2")
    assert PersonnelAudit.objects.filter(action="orgunit_move").exists()


def test_it_shows_an_error_when_a_unit_is_moved_under_its_own_descendant(city, hr):
    unit = city.unit("D1")
    response = hr.post(change_url(unit), unit_form(unit, city.unit("SS1")))
    assert response.status_code == 200
    assert "自身またはその下位組織の下に移すことはできません" in page_text(response)
    assert city.unit("D1").get_parent() == city.unit("B1")


def test_a_refused_move_leaves_the_name_unchanged_too(city, hr):
    unit = city.unit("D1")
    hr.post(change_url(unit), unit_form(unit, city.unit("SS1"), name="新総務部"))
    assert city.unit("D1").name == "総務部"


def test_hr_renames_a_unit_through_the_service(city, hr):
    unit = city.unit("SS2")
    response = hr.post(change_url(unit), unit_form(unit, city.unit("S1"), name="給与厚生係"))
    assert response.status_code == 302
    assert city.unit("SS2").name == "給与厚生係"
    assert PersonnelAudit.objects.get(action="orgunit_update").detail["before"]["name"] == "給与係"


def test_hr_creates_a_unit_under_a_section(city, hr):
    response = hr.post(
        reverse("admin:personnel_orgunit_add"),
        {"parent": city.units["S2"].pk, "code": "SS9", "name": "検査係", "kind": 4, "name_kana": "", "extension": ""},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="SS9").get_parent() == city.unit("S2")


def test_it_shows_the_services_refusal_of_a_section_under_a_subsection(city, hr):
    response = hr.post(
        reverse("admin:personnel_orgunit_add"),
        {"parent": city.units["SS1"].pk, "code": "S9", "name": "新課", "kind": 3},
    )
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(code="S9").exists()
    assert "の下に置くことはできません" in page_text(response)


def test_hr_searches_staff_by_kana(city, hr):
    response = hr.get(reverse("admin:personnel_staff_changelist"), {"q": "タカハシ"})
    assert [s.full_name for s in response.context["cl"].result_list] == ["高橋 健"]


def test_staff_are_read_only_in_the_admin(city, hr):
    response = hr.post(change_url(city.approver), {"employee_number": "1", "family_name": "改ざん"})
    assert response.status_code == 403
    city.approver.refresh_from_db()
    assert city.approver.family_name == "高橋"


def test_hr_reads_the_audit_log_but_cannot_change_it(city, hr):
    entry = PersonnelAudit.objects.first()
    assert hr.get(reverse("admin:personnel_personnelaudit_changelist")).status_code == 200
    assert hr.post(change_url(entry), {"action": "x"}).status_code == 403


def test_hr_sees_delegations(city, hr):
    assert hr.get(reverse("admin:personnel_delegation_changelist")).status_code == 200


def test_the_admin_index_lists_the_org_master_for_hr(city, hr):
    text = page_text(hr.get(reverse("admin:index")))
    assert reverse("admin:personnel_assignment_changelist") in text
    assert reverse("admin:personnel_orgunit_changelist") in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_save_runs_the_durable_service_outside_any_outer_transaction(client, system_ctx):
    """Outside the test transaction: Django's admin wraps saves in atomic(), which a durable service refuses."""
    from personnel import services
    from personnel.models import Staff

    city_unit = services.orgunit_create(actor=None, ctx=system_ctx, parent=None, code="C", name="市", kind=0)
    staff = services.staff_create(
        actor=None, ctx=system_ctx, row=services.StaffRow("1", "人事", "太郎", "ジンジ", "タロウ"), password=None
    )
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=staff,
        unit=city_unit,
        position=Position.objects.get(code="staff"),
        start_date=date(2026, 4, 1),
    )
    from django.contrib.auth.models import Group

    from personnel.access import Role

    staff.user.groups.add(Group.objects.get(name=Role.HR))
    make_hr_staff(Staff.objects.get(pk=staff.pk))
    log_in(client, staff.user)
    response = client.post(
        reverse("admin:personnel_orgunit_change", args=[city_unit.pk]),
        {"parent": "", "name": "新市", "name_kana": "", "abbreviation": "", "extension": ""},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=city_unit.pk).name == "新市"


def test_the_admin_greets_the_staff_member_by_name_in_japanese(city, client, hr):
    text = page_text(client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ja"))
    assert "ログイン中：渡辺 直子" in text
    assert "ようこそ" not in text


def test_admin_titles_read_as_natural_japanese(city, client, hr):
    changelist = page_text(client.get(reverse("admin:personnel_orgunit_changelist"), HTTP_ACCEPT_LANGUAGE="ja"))
    assert "組織を選んで変更" in changelist and "変更する 組織 を選択" not in changelist
    unit = city.unit("SS1")
    change = page_text(client.get(change_url(unit), HTTP_ACCEPT_LANGUAGE="ja"))
    assert "組織の変更" in change


def test_the_admins_unit_autocomplete_names_each_unit_with_its_parent(city, client, hr):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "personnel", "model_name": "assignment", "field_name": "unit", "term": "人事"},
    )
    assert sorted(r["text"] for r in response.json()["results"]) == ["人事課 人事係", "総務部 人事課"]


def test_the_parent_unit_is_chosen_with_a_searchable_autocomplete(city, client, hr):
    response = client.get(change_url(city.unit("SS1")))
    html = response.content.decode()
    assert 'class="admin-autocomplete' in html and 'name="parent"' in html
    assert "総務部 人事課" in html  # the current parent, named with its own parent


def test_the_add_button_reads_naturally(city, client, hr):
    text = page_text(client.get(reverse("admin:personnel_orgunit_changelist"), HTTP_ACCEPT_LANGUAGE="ja"))
    assert "組織の追加" in text and "組織 を追加" not in text
