"""決裁文書検索 (approvals/views/search.py): criteria, Japanese folding, what the user may see, paging, sorting, and
CSV/xlsx exports that are logged."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from personnel.models import PersonnelAudit
from tests.approvals.helpers import approve_in_turn, file_document, file_leave
from tests.conftest import NOW
from tests.sample_types.models import PURCHASE
from tests.webtools import log_in, page_text


def search(client, **params):
    return client.get(reverse("approvals:search"), params)


def titles(response) -> list[str]:
    return [d.title for d in response.context["page"].object_list]


@pytest.fixture
def decided(city, office):
    """A memo about telework, decided (it has a 決裁番号), and an open purchase."""
    memo = file_leave(city, office, title="テレワーク実施要領の改正について", body="在宅勤務の手当を見直す。")
    memo = approve_in_turn(memo, [city.chief, city.delegate, city.approver], office)
    purchase = file_document(city.applicant.user, office, doc_type=PURCHASE, title="プリンタ購入", amount=250_000)
    return memo, purchase


def test_it_finds_a_decided_document_by_its_number(city, client, decided):
    memo, _purchase = decided
    log_in(client, city.approver.user)
    response = search(client, number=memo.number)
    assert titles(response) == [memo.title]
    assert memo.number in page_text(response)


def test_the_number_may_be_typed_in_full_width(city, client, decided):
    memo, _purchase = decided
    full_width = memo.number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    log_in(client, city.approver.user)
    assert titles(search(client, number=full_width)) == [memo.title]


@pytest.mark.parametrize("typed", ["ﾃﾚﾜｰｸ", "てれわーく", "テレワーク", "在宅勤務"])
def test_words_of_the_title_and_body_are_found_however_they_are_typed(city, client, decided, typed):
    log_in(client, city.approver.user)
    assert titles(search(client, q=typed)) == ["テレワーク実施要領の改正について"]


def test_every_word_must_match(city, client, decided):
    log_in(client, city.approver.user)
    assert titles(search(client, q="テレワーク プリンタ")) == []


def test_it_finds_by_the_applicants_kana_name(city, client, decided):
    log_in(client, city.approver.user)
    assert len(titles(search(client, applicant="やまだ"))) == 2
    assert titles(search(client, applicant="ｻﾄｳ")) == []


def test_it_filters_by_type_status_and_amount(city, client, decided):
    log_in(client, city.approver.user)
    assert titles(search(client, doc_type=PURCHASE)) == ["プリンタ購入"]
    assert titles(search(client, status="decided")) == ["テレワーク実施要領の改正について"]
    assert titles(search(client, amount_min="100000", amount_max="300000")) == ["プリンタ購入"]
    assert titles(search(client, amount_min="300000")) == []


def test_it_filters_by_the_drafting_unit_and_the_units_below_it(city, client, decided):
    log_in(client, city.approver.user)
    assert len(titles(search(client, unit=city.unit("S1").pk))) == 2
    assert titles(search(client, unit=city.unit("SS2").pk)) == []


def test_it_filters_by_the_filing_and_decision_periods(city, client, decided):
    day = NOW.date()
    log_in(client, city.approver.user)
    assert len(titles(search(client, filed_from=day.isoformat(), filed_to=day.isoformat()))) == 2
    assert titles(search(client, filed_from=(day + timedelta(days=1)).isoformat())) == []
    assert titles(search(client, decided_to=day.isoformat())) == ["テレワーク実施要領の改正について"]


def test_a_period_that_ends_before_it_starts_is_pointed_out(city, client, decided):
    log_in(client, city.approver.user)
    response = search(client, filed_from="2026-12-10", filed_to="2026-12-01")
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.context["form"].errors["filed_to"]


def test_it_sorts_by_amount_and_by_filing_time(city, client, office, decided):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        file_document(city.applicant.user, office, doc_type=PURCHASE, title="机の購入", amount=90_000)
    log_in(client, city.approver.user)
    assert titles(search(client, sort="-amount", doc_type=PURCHASE)) == ["プリンタ購入", "机の購入"]
    assert titles(search(client, sort="-filed"))[0] == "机の購入"
    assert titles(search(client, sort="filed"))[-1] == "机の購入"


def test_a_user_finds_only_the_documents_they_may_see(city, client, decided):
    log_in(client, city.outsider.user)  # 市民課長: not on the route, not above 人事課
    assert titles(search(client)) == []
    assert titles(search(client, q="テレワーク")) == []


def test_results_are_paginated(city, client, office):
    for n in range(52):
        file_leave(city, office, title=f"一般伺い{n}")
    log_in(client, city.approver.user)
    first = search(client)
    assert len(titles(first)) == 50 and first.context["page"].paginator.count == 52
    assert len(titles(search(client, page=2))) == 2


def test_the_csv_export_has_a_bom_every_row_and_is_logged(city, client, decided):
    memo, _purchase = decided
    log_in(client, city.approver.user)
    response = search(client, q="テレワーク", export="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Decision number (決裁番号)"
    assert rows[1][0] == memo.number and rows[1][2] == memo.title and len(rows) == 2
    entry = PersonnelAudit.objects.get(action="export")
    assert entry.target == "approvals.search"
    assert entry.detail["rows"] == 1 and entry.detail["format"] == "csv"
    assert entry.detail["criteria"]["text"] == "テレワーク"
    assert entry.zone == "office"


def test_the_xlsx_export_opens_with_every_row(city, client, decided):
    log_in(client, city.approver.user)
    response = search(client, export="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3
    assert {values[1][2], values[2][2]} == {"テレワーク実施要領の改正について", "プリンタ購入"}
    assert 250000 in (values[1][6], values[2][6])
    assert PersonnelAudit.objects.filter(action="export", detail__format="xlsx").count() == 1


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv(city, client, office):
    file_leave(city, office, title='=HYPERLINK("http://example.invalid")')
    log_in(client, city.approver.user)
    rows = list(csv.reader(io.StringIO(search(client, export="csv").content.decode("utf-8-sig"))))
    assert rows[1][2].startswith("'=")


def test_the_search_page_costs_the_same_queries_for_one_row_or_fifty(
    city, client, office, django_assert_max_num_queries
):
    file_leave(city, office, title="一般伺い")
    log_in(client, city.approver.user)
    search(client)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        search(client)
    for n in range(30):
        file_leave(city, office, title=f"一般伺い{n}")
    with CaptureQueriesContext(connection) as many:
        search(client)
    assert len(many) == len(one)
