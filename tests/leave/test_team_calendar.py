"""The team calendar (personnel/selectors.team_calendar): leave and telework per member and working day, for the
heads of a unit and HR; kinds only."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse

from tests.leave.test_facts import file_for
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def calendar(client, **params):
    return client.get(reverse("personnel:team_calendar"), params)


def test_the_chief_sees_who_is_away_which_day_without_the_leave_type(city, client, office):
    file_for(city.colleague, office, start_date=date(2026, 12, 10), leave_type="sick")
    file_for(city.applicant, office, start_date=date(2026, 12, 11), unit="hour", start_time=time(9), hours=2)
    log_in(client, city.chief.user)
    response = calendar(client, start="2026-12-07")
    page = response.context["page"]
    assert page.days[0] == date(2026, 12, 7) and len(page.days) == 10
    cells = {member.full_name: cells for member, cells in page.rows}
    assert cells["佐藤 花子"][3] == ["Leave"]  # Thursday 10 December
    assert cells["山田 太郎"][4] == ["Part-day leave"]
    assert "sick" not in page_text(response).lower()


def test_a_section_head_sees_the_members_of_the_subsections(city, client, office):
    log_in(client, city.approver.user)  # 課長 of 人事課
    names = {m.full_name for m, _cells in calendar(client).context["page"].rows}
    assert {"山田 太郎", "佐藤 花子", "鈴木 一郎", "渡辺 直子"} <= names


def test_a_member_without_a_head_post_is_refused(city, client):
    log_in(client, city.colleague.user)
    assert calendar(client).status_code == 403


def test_a_head_cannot_open_another_units_calendar(city, client):
    log_in(client, city.outsider.user)  # 市民課長
    page = calendar(client, unit=city.unit("SS1").pk).context["page"]
    assert page.unit_id != city.unit("SS1").pk
    assert "山田 太郎" not in {m.full_name for m, _cells in page.rows}
