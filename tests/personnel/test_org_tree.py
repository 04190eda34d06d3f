"""The org tree (組織) and a unit's page: every unit with its head, without a query per unit."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personnel import services
from personnel.models import OrgUnit, Position, UnitKind
from tests.webtools import log_in, page_text


def heads(response) -> dict[str, str | None]:
    return {unit.name: (unit.heads[0].staff.full_name if unit.heads else None) for unit in response.context["units"]}


def test_the_tree_lists_units_in_tree_order(city, client):
    log_in(client, city.applicant.user)
    response = client.get(reverse("personnel:unit_tree"))
    names = [unit.name for unit in response.context["units"]]
    assert names[:5] == ["テスト市", "総務局", "総務部", "人事課", "人事係"]
    assert names.index("契約課") < names.index("市民局")


def test_each_unit_shows_its_highest_ranked_member_as_head(city, client):
    log_in(client, city.applicant.user)
    found = heads(client.get(reverse("personnel:unit_tree")))
    assert found["人事課"] == "高橋 健"  # 課長 above the 課長補佐 in the same unit
    assert found["人事係"] == "鈴木 一郎"
    assert found["総務部"] == "田中 誠"
    assert found["契約課"] is None


def test_a_unit_without_members_is_shown_as_vacant(city, client):
    log_in(client, city.applicant.user)
    assert "空席" in page_text(client.get(reverse("personnel:unit_tree")))


def test_the_tree_shows_each_units_kind(city, client):
    log_in(client, city.applicant.user)
    text = page_text(client.get(reverse("personnel:unit_tree")))
    assert "局" in text and "課" in text and "係" in text
    assert 'class="org-tree__row depth-5"' in text


def test_the_tree_does_not_query_once_per_unit(city, client, system_ctx):
    log_in(client, city.applicant.user)
    client.get(reverse("personnel:unit_tree"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("personnel:unit_tree"))
    section = city.unit("S2")
    for n in range(10):
        unit = services.orgunit_create(
            actor=None,
            ctx=system_ctx,
            parent=OrgUnit.objects.get(pk=section.pk),
            code=f"X{n}",
            name=f"新設係{n}",
            kind=UnitKind.SUBSECTION,
        )
        staff = services.staff_create(
            actor=None, ctx=system_ctx, row=services.StaffRow(f"3000{n:02d}", "新", f"係長{n}", "シン", "カカリチョウ")
        )
        services.assignment_create(
            actor=None,
            ctx=system_ctx,
            staff=staff,
            unit=unit,
            position=Position.objects.get(code="chief"),
            start_date=date(2026, 4, 1),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("personnel:unit_tree"))
    assert len(response.context["units"]) == 22
    assert len(many) == len(few)


def test_a_unit_page_lists_its_members_by_rank(city, client):
    log_in(client, city.applicant.user)
    response = client.get(reverse("personnel:unit_detail", args=[city.units["S1"].pk]))
    assert [post.staff.full_name for post in response.context["page"].members] == ["高橋 健", "中村 大輔"]


def test_a_unit_page_shows_the_units_above_and_below(city, client):
    log_in(client, city.applicant.user)
    page = client.get(reverse("personnel:unit_detail", args=[city.units["S1"].pk])).context["page"]
    assert [u.name for u in page.ancestors] == ["テスト市", "総務局", "総務部"]
    assert [u.name for u in page.children] == ["人事係", "給与係"]


def test_an_unknown_unit_is_not_found(city, client):
    log_in(client, city.applicant.user)
    assert client.get(reverse("personnel:unit_detail", args=[999999])).status_code == 404


def test_it_refuses_the_tree_to_a_remote_session_without_otp(city, client):
    log_in(client, city.applicant.user, remote=True)
    response = client.get(reverse("personnel:unit_tree"))
    assert response.status_code == 403
    assert "ワンタイムパスワード" in page_text(response)


def test_the_tree_folds_to_a_level(city, client):
    log_in(client, city.applicant.user)
    response = client.get(reverse("personnel:unit_tree"), {"level": UnitKind.DEPARTMENT})
    names = [unit.name for unit in response.context["units"]]
    assert names == ["テスト市", "総務局", "総務部", "市民局", "市民部"]
    everything = client.get(reverse("personnel:unit_tree"), {"level": "nonsense"})
    assert len(everything.context["units"]) == 12
