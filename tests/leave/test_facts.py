"""The facts an approver sees beside a leave request (leave/selectors.leave_facts, through the engine's `facts`
hook): the balance after it and who else in the team is away those days; in the inbox and on the document page."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leave import services as leave_services
from tests.leave.test_filing import file
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def file_for(person, office, **kwargs):
    kwargs.setdefault("leave_type", "annual")
    kwargs.setdefault("unit", "day")
    kwargs.setdefault("end_date", kwargs["start_date"])
    return leave_services.leave_request_file(actor=person.user, ctx=office, **kwargs)


def test_the_inbox_row_shows_the_balance_after_and_the_colleague_away(city, client, office):
    file_for(city.colleague, office, start_date=date(2026, 12, 10))
    file(city, office, start_date=date(2026, 12, 10), end_date=date(2026, 12, 11))
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:inbox")))
    assert "Balance after this request" in text
    assert "18 days" in text  # 20 days granted, two taken by this request
    assert "佐藤 花子" in text and "Leave" in text


def test_the_document_page_shows_the_same_facts(city, client, office):
    file_for(city.colleague, office, start_date=date(2026, 12, 11), unit="hour", start_time=time(9), hours=2)
    document = file(city, office, start_date=date(2026, 12, 10), end_date=date(2026, 12, 11))
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:document", args=[document.pk])))
    assert "For the approver" in text
    assert "Part-day leave" in text and "佐藤 花子" in text


def test_nobody_else_away_is_said_plainly(city, client, office):
    file(city, office, start_date=date(2026, 12, 10))
    log_in(client, city.chief.user)
    assert "Nobody else is on leave or telework." in page_text(client.get(reverse("approvals:inbox")))


def test_the_inbox_costs_the_same_queries_for_one_leave_request_or_many(city, client, office):
    file(city, office, start_date=date(2026, 12, 1))
    log_in(client, city.chief.user)
    client.get(reverse("approvals:inbox"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("approvals:inbox"))
    for day in (2, 3, 4, 7, 8):
        file(city, office, start_date=date(2026, 12, day))
    file_for(city.colleague, office, start_date=date(2026, 12, 9))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("approvals:inbox"))
    assert len(many) == len(one)
