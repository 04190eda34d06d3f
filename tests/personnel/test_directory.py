"""The staff directory (職員名簿): search and a query count that does not grow with the rows shown."""

from __future__ import annotations

import re
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personnel import services
from tests.webtools import log_in, page_text


def directory(client, q: str | None = None, **params):
    if q is not None:
        params["q"] = q
    return client.get(reverse("personnel:directory"), params)


def names_in(response) -> list[str]:
    return [person.full_name for person in response.context["page"].object_list]


def add_staff(system_ctx, count: int, unit_code: str = "SS3") -> None:
    rows = [
        services.StaffRow(f"2{n:05d}", "試験", f"職員{n}", "シケン", f"ショクイン{n}", extension=f"9{n:03d}")
        for n in range(count)
    ]
    services.staff_import(actor=None, ctx=system_ctx, rows=rows)
    services.assignment_import(
        actor=None,
        ctx=system_ctx,
        rows=[services.AssignmentRow(r.employee_number, unit_code, "staff", date(2026, 4, 1)) for r in rows],
    )


def test_the_directory_lists_every_member_with_unit_position_and_extension(city, client):
    log_in(client, city.applicant.user)
    response = directory(client)
    text = page_text(response)
    assert len(names_in(response)) == 9
    assert "高橋 健" in text and "人事課" in text and "課長" in text and "0004" in text


def test_it_finds_a_person_by_kanji(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "高橋")) == ["高橋 健"]


def test_it_finds_a_person_by_katakana(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "タカハシ")) == ["高橋 健"]


def test_it_finds_a_person_by_hiragana(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "たかはし")) == ["高橋 健"]


def test_it_finds_a_person_by_half_width_katakana(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "ﾀｶﾊｼ")) == ["高橋 健"]


def test_it_finds_a_person_by_the_full_name_typed_without_a_space(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "高橋健")) == ["高橋 健"]
    assert names_in(directory(client, "たかはしけん")) == ["高橋 健"]


def test_it_finds_a_person_by_employee_number_typed_in_full_width_digits(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "１００００４")) == ["高橋 健"]


def test_it_finds_a_person_by_extension(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "0006")) == ["伊藤 美咲"]


def test_it_finds_the_members_of_a_unit_by_its_name(city, client):
    log_in(client, city.applicant.user)
    assert set(names_in(directory(client, "給与係"))) == {"渡辺 直子", "小林 恵"}


def test_several_words_narrow_the_search(city, client):
    log_in(client, city.applicant.user)
    assert names_in(directory(client, "人事係 スズキ")) == ["鈴木 一郎"]


def test_it_says_so_when_nobody_matches(city, client):
    log_in(client, city.applicant.user)
    response = directory(client, "存在しない名前")
    assert names_in(response) == []
    assert "該当する職員はいません。" in page_text(response)


def test_the_directory_is_paginated_by_fifty(city, client, system_ctx):
    add_staff(system_ctx, 60)
    log_in(client, city.applicant.user)
    first, second = directory(client), directory(client, page=2)
    assert len(names_in(first)) == 50 and len(names_in(second)) == 19
    assert "2 / 2 ページ" in page_text(second)


def test_the_page_links_keep_the_search(city, client, system_ctx):
    add_staff(system_ctx, 60)
    log_in(client, city.applicant.user)
    first = directory(client, "試験")
    assert 'rel="next" href="?q=%E8%A9%A6%E9%A8%93&amp;page=2"' in page_text(first)
    second = directory(client, "試験", page=2)
    assert len(names_in(second)) == 10
    previous = re.search(r'rel="prev" href="\?([^"]*)"', page_text(second)).group(1).split("&amp;")
    assert sorted(previous) == ["page=1", "q=%E8%A9%A6%E9%A8%93"]


def test_the_query_count_does_not_grow_with_the_rows_shown(city, client, system_ctx):
    log_in(client, city.applicant.user)
    directory(client)  # warm up: content types, session
    with CaptureQueriesContext(connection) as few:
        assert len(names_in(directory(client))) == 9
    add_staff(system_ctx, 40)
    with CaptureQueriesContext(connection) as many:
        assert len(names_in(directory(client))) == 49
    assert len(many) == len(few)


def test_the_directory_stays_within_a_fixed_number_of_queries(city, client, system_ctx, django_assert_max_num_queries):
    add_staff(system_ctx, 50)
    log_in(client, city.applicant.user)
    # One more than before units were named with their parent: the parents of the page's units, in one query.
    with django_assert_max_num_queries(13):
        directory(client)


def test_units_are_named_with_the_unit_above_and_numbers_are_shown(city, client):
    log_in(client, city.applicant.user)
    text = page_text(directory(client, "高橋"))
    assert "総務部 人事課" in text and "100004" in text


def test_it_refuses_the_directory_to_a_member_without_an_assignment(city, client, system_ctx):
    from personnel.models import Assignment

    services.assignment_end(
        actor=None, ctx=system_ctx, assignment=Assignment.objects.get(staff=city.applicant), end_date=date(2026, 4, 1)
    )
    log_in(client, city.applicant.user)
    response = directory(client)
    assert response.status_code == 403
    assert "現在の配属がないため" in page_text(response)
