"""個人情報 stays in the office (issue 9): a type marks the filings that hold personal information itself (sick
leave: health; 慶弔休暇: family events), so they are office-only without the applicant remembering to tick the box;
every office-only refusal from home is logged, the 404-shaped ones too; and /admin/ from home is refused and logged
for anyone who is not logged in, instead of showing a login form to the internet."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from approvals.models import Document, DocumentStatus
from leave import services as leave_services
from telework.models import AccessRefusal
from tests.telework.login_helpers import remote_client
from tests.webtools import log_in

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 11, 24)


def file(city, office, leave_type: str, **kwargs) -> Document:
    kwargs.setdefault("unit", "day")
    return leave_services.leave_request_file(
        actor=city.applicant.user, ctx=office, leave_type=leave_type, start_date=TUESDAY, end_date=TUESDAY, **kwargs
    )


@pytest.mark.parametrize("leave_type", ["sick", "bereavement"])
def test_leave_that_tells_of_health_or_family_is_marked_by_its_type(city, office, leave_type):
    extra = {"bereavement_event": "death_parent"} if leave_type == "bereavement" else {}
    document = file(city, office, leave_type, **extra)

    document.refresh_from_db()
    assert document.contains_personal_info


def test_annual_leave_is_not_marked_unless_the_applicant_marks_it(city, office):
    assert not file(city, office, "annual").contains_personal_info
    assert Document.objects.get(pk=file_marked(city, office).pk).contains_personal_info


def file_marked(city, office) -> Document:
    return leave_services.leave_request_file(
        actor=city.applicant.user,
        ctx=office,
        leave_type="annual",
        unit="day",
        start_date=date(2026, 11, 25),
        end_date=date(2026, 11, 25),
        contains_personal_info=True,
    )


def test_sick_leave_cannot_be_opened_or_withdrawn_from_home_and_both_are_logged(city, office):
    document = file(city, office, "sick")
    client = log_in(Client(), city.applicant.user, remote=True, otp=True)

    opened = client.get(reverse("approvals:document", args=[document.pk]))
    withdrawn = client.post(reverse("approvals:withdraw", args=[document.pk]))

    assert (opened.status_code, withdrawn.status_code) == (403, 403)
    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert list(AccessRefusal.objects.values_list("path", flat=True).order_by("pk")) == [
        f"/approvals/documents/{document.pk}/",
        f"/approvals/documents/{document.pk}/withdraw/",
    ]


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/cms-admin/", "/cms-admin/login/"])
def test_an_admin_from_home_is_refused_and_logged_for_a_visitor_not_logged_in(db, path):
    response = remote_client().get(path)

    assert response.status_code == 403
    assert "Location" not in response
    refusal = AccessRefusal.objects.get()
    assert (refusal.path, refusal.user, refusal.zone) == (path, None, "remote")


def test_an_admin_from_home_is_refused_and_logged_for_staff_without_admin_rights(city):
    client = log_in(Client(), city.applicant.user, remote=True, otp=True)

    response = client.get("/admin/")

    assert response.status_code == 403
    assert AccessRefusal.objects.get().user == city.applicant.user
