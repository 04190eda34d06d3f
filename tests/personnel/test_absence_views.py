"""Marking oneself (or, for HR, someone else) away today from my page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from personnel import absence
from tests.conftest import TODAY
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db


def test_i_mark_myself_away_and_back(city):
    client = log_in(Client(), city.chief.user)

    response = client.post(reverse("personnel:absence_mark"), {"reason": "出張（東京）"}, follow=True)

    assert "出張（東京）" in page_text(response)
    assert absence.absences([city.chief.pk], TODAY) == {city.chief.pk: "不在: 出張（東京）"}
    client.post(reverse("personnel:absence_clear"))
    assert absence.absences([city.chief.pk], TODAY) == {}


def test_a_colleague_cannot_mark_someone_else_away(city):
    client = log_in(Client(), city.colleague.user)

    response = client.post(reverse("personnel:absence_mark"), {"reason": "不在", "employee_number": "100003"})

    assert response.status_code == 400
    assert absence.absences([city.chief.pk], TODAY) == {}


def test_hr_marks_someone_away(city):
    client = log_in(Client(), city.hr_clerk.user)

    client.post(reverse("personnel:absence_mark"), {"reason": "病欠", "employee_number": "100003"})

    assert absence.absences([city.chief.pk], TODAY) == {city.chief.pk: "不在: 病欠"}


def test_a_reason_is_required(city):
    client = log_in(Client(), city.chief.user)

    response = client.post(reverse("personnel:absence_mark"), {"reason": "  "})

    assert response.status_code == 400
    assert absence.absences([city.chief.pk], TODAY) == {}
