"""Office-only resources from home: refused with a page that says why, and the refusal logged (AccessRefusal);
the same resources from the office work. Payroll exports do not exist yet (a later issue)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from approvals.models import StepApprover
from personnel import access
from telework.models import AccessRefusal
from tests.approvals.helpers import file_document
from tests.webtools import REMOTE_ADDR, log_in, make_hr_staff, page_text

OFFICE_ONLY = "This information may only be used from the office network, not remotely."
OTP_REQUIRED = "Remote access needs a one-time password (OTP)."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def english_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def personal_document(city, office):
    """A memo (tests/sample_types) filed by the applicant, marked as containing personal information."""
    return file_document(
        city.applicant.user,
        office,
        title="出張命令（個人情報を含む）",
        body="氏名・住所",
        contains_personal_info=True,
        attachments=[SimpleUploadedFile("meibo.txt", b"names", content_type="text/plain")],
    )


@pytest.fixture
def plain_document(city, office):
    return file_document(city.applicant.user, office, title="出張命令")


def refusals():
    return list(AccessRefusal.objects.order_by("pk").values("user_id", "ip", "zone", "path", "reason"))


# --------------------------------------------------------------------------------------------------------
# The org admin
# --------------------------------------------------------------------------------------------------------


def test_it_refuses_the_org_admin_to_hr_from_home_and_logs_it(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    url = reverse("admin:personnel_assignment_changelist")
    response = client.get(url)
    assert response.status_code == 403
    assert OFFICE_ONLY in page_text(response)
    assert refusals() == [
        {"user_id": city.hr_clerk.user.pk, "ip": REMOTE_ADDR, "zone": "remote", "path": url, "reason": OFFICE_ONLY}
    ]


def test_it_refuses_the_admin_front_page_from_home_with_the_reason(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    assert OFFICE_ONLY in page_text(response)
    assert [r["path"] for r in refusals()] == [reverse("admin:index")]


def test_it_refuses_the_org_units_change_page_to_hr_from_home(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    url = reverse("admin:personnel_orgunit_change", args=[city.unit("SS1").pk])
    response = client.get(url)
    assert response.status_code == 403
    assert OFFICE_ONLY in page_text(response)
    assert [r["path"] for r in refusals()] == [url]


def test_it_lets_hr_use_the_org_admin_in_the_office_and_logs_nothing(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, otp=True)
    assert client.get(reverse("admin:personnel_assignment_changelist")).status_code == 200
    assert refusals() == []


# --------------------------------------------------------------------------------------------------------
# Documents containing personal information (個人情報)
# --------------------------------------------------------------------------------------------------------


def test_it_refuses_a_personal_information_document_from_home_with_the_reason(city, client, personal_document):
    log_in(client, city.applicant.user, remote=True, otp=True)
    url = reverse("approvals:document", args=[personal_document.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert OFFICE_ONLY in page_text(response)
    assert personal_document.title not in page_text(response)
    assert refusals() == [
        {"user_id": city.applicant.user.pk, "ip": REMOTE_ADDR, "zone": "remote", "path": url, "reason": OFFICE_ONLY}
    ]


def test_it_refuses_its_approver_from_home_too(city, client, personal_document):
    log_in(client, city.chief.user, remote=True, otp=True)
    response = client.get(reverse("approvals:document", args=[personal_document.pk]))
    assert response.status_code == 403
    assert OFFICE_ONLY in page_text(response)


def test_it_refuses_an_approval_of_it_posted_from_home(city, client, personal_document):
    slot = StepApprover.objects.get(document=personal_document, staff=city.chief)
    log_in(client, city.chief.user, remote=True, otp=True)
    response = client.post(reverse("approvals:act", args=[slot.pk, "approve"]))
    assert response.status_code == 403
    slot.refresh_from_db()
    assert slot.state == "pending"
    assert [r["reason"] for r in refusals()] == [OFFICE_ONLY]


def test_it_refuses_its_attachment_from_home(city, client, personal_document):
    attachment = personal_document.attachments.get()
    log_in(client, city.applicant.user, remote=True, otp=True)
    response = client.get(reverse("approvals:attachment", args=[attachment.pk]))
    assert response.status_code == 403
    assert OFFICE_ONLY in page_text(response)
    assert len(refusals()) == 1


def test_it_opens_the_same_document_and_attachment_in_the_office(city, client, personal_document):
    log_in(client, city.applicant.user, otp=True)
    assert client.get(reverse("approvals:document", args=[personal_document.pk])).status_code == 200
    attachment = personal_document.attachments.get()
    assert client.get(reverse("approvals:attachment", args=[attachment.pk])).status_code == 200
    assert refusals() == []


def test_it_opens_a_document_without_personal_information_from_home(city, client, plain_document):
    log_in(client, city.applicant.user, remote=True, otp=True)
    assert client.get(reverse("approvals:document", args=[plain_document.pk])).status_code == 200
    assert refusals() == []


def test_it_keeps_a_404_for_a_personal_document_the_user_could_not_open_in_the_office(city, client, personal_document):
    log_in(client, city.outsider.user, remote=True, otp=True)
    response = client.get(reverse("approvals:document", args=[personal_document.pk]))
    assert response.status_code == 404
    assert refusals() == []


def test_it_keeps_a_404_for_a_document_that_does_not_exist(city, client):
    log_in(client, city.applicant.user, remote=True, otp=True)
    assert client.get(reverse("approvals:document", args=[999999])).status_code == 404
    assert refusals() == []


# --------------------------------------------------------------------------------------------------------
# No OTP from home
# --------------------------------------------------------------------------------------------------------


def test_it_logs_a_remote_password_only_refusal_with_the_otp_reason(city, client):
    log_in(client, city.applicant.user, remote=True)
    response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 403
    assert OTP_REQUIRED in page_text(response)
    assert [r["reason"].startswith(OTP_REQUIRED) for r in refusals()] == [True]


def test_it_does_not_log_refusals_in_the_office(city, client):
    make_hr_staff(city.approver)
    log_in(client, city.approver.user)
    assert client.get(reverse("admin:personnel_assignment_changelist")).status_code == 403
    assert refusals() == []


# --------------------------------------------------------------------------------------------------------
# The refusal log page (情報政策)
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def it_admin(city):
    city.payroll_chief.user.groups.add(Group.objects.get(name=access.Role.IT))
    return log_in(english_client(), city.payroll_chief.user)


def test_it_lists_the_refusals_for_it(city, client, personal_document, it_admin):
    log_in(client, city.applicant.user, remote=True, otp=True)
    client.get(reverse("approvals:document", args=[personal_document.pk]))
    response = it_admin.get(reverse("telework:refusals"))
    assert response.status_code == 200
    text = page_text(response)
    assert f"/approvals/documents/{personal_document.pk}/" in text
    assert REMOTE_ADDR in text
    assert city.applicant.full_name in text
    assert OFFICE_ONLY in text


def test_it_lists_the_refusals_in_constant_queries(city, client, it_admin, django_assert_max_num_queries):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    for _ in range(5):
        client.get(reverse("admin:personnel_assignment_changelist"))
    it_admin.get(reverse("telework:refusals"))
    with django_assert_max_num_queries(12):
        response = it_admin.get(reverse("telework:refusals"))
    assert page_text(response).count("data-refusal=") == 5


def test_it_refuses_the_refusal_log_to_others(city, client):
    log_in(client, city.approver.user)
    response = client.get(reverse("telework:refusals"))
    assert response.status_code == 403
    assert "You are not allowed to do this." in page_text(response)
