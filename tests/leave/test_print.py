"""A decided leave as a formal 決裁文書: the print page and the PDF (WeasyPrint), read back with pypdf."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.leave.test_filing import decide, file
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_leave(city, office):
    return decide(file(city, office, start_date=date(2026, 12, 10)), office)


def pdf_text(response) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_pdf_of_a_one_day_leave_is_one_page_with_the_number_and_the_stamps(city, client, decided_leave):
    log_in(client, city.approver.user)
    response = client.get(reverse("approvals:pdf", args=[decided_leave.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert quote(f"{decided_leave.number}.pdf") in response["Content-Disposition"]
    text, pages = pdf_text(response)
    assert pages == 1
    assert decided_leave.number in text
    for name in ("山田", "鈴木", "高橋"):  # the applicant's and the approvers' stamps
        assert name in text
    assert "11/23" in text  # the stamps' date (filed and decided on the frozen day)
    assert "決裁文書" in text


def test_the_print_page_has_the_formal_layout(city, client, decided_leave):
    log_in(client, city.applicant.user)
    response = client.get(reverse("approvals:print", args=[decided_leave.pk]))
    text = page_text(response)
    assert decided_leave.number in text and "決裁文書" in text
    assert 'href="/static/portal/print.css"' in response.content.decode()


def test_nobody_prints_a_document_they_may_not_see(city, client, decided_leave):
    log_in(client, city.outsider.user)
    assert client.get(reverse("approvals:pdf", args=[decided_leave.pk])).status_code == 404
    assert client.get(reverse("approvals:print", args=[decided_leave.pk])).status_code == 404
