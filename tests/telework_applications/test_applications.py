"""Telework applications (在宅勤務申請): filed through the approval engine, decided by the 課長; bad input refused
with nothing filed; the pages (my applications, the form with its route)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from approvals import selectors
from approvals import services as approvals_services
from approvals.models import Document, DocumentStatus, SlotState, StepApprover
from telework_applications import services as applications
from telework_applications.models import TeleworkApplication
from tests.conftest import TODAY
from tests.webtools import log_in, page_text

# TODAY (2026-11-23) is 勤労感謝の日, a national holiday; the next days are working days.
TUESDAY = date(2026, 11, 24)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def file(city, ctx, **kwargs) -> Document:
    fields = {"start_date": TUESDAY, "end_date": FRIDAY, "tasks": "条例改正案の資料作成", "place": "自宅"}
    fields.update(kwargs)
    return applications.telework_application_file(actor=city.applicant.user, ctx=ctx, **fields)


def pending_slot(document: Document) -> StepApprover:
    return StepApprover.objects.select_related("staff", "step").get(document=document, state=SlotState.PENDING)


def decide(document: Document, ctx) -> Document:
    """Every approver on the route approves in turn, the last one deciding."""
    while (slot := StepApprover.objects.filter(document=document, state=SlotState.PENDING).first()) is not None:
        approvals_services.slot_approve(slot=slot, actor=slot.staff.user, ctx=ctx)
    document.refresh_from_db()
    return document


# --------------------------------------------------------------------------------------------------------
# Filing and deciding
# --------------------------------------------------------------------------------------------------------


def test_it_files_an_application_as_a_telework_document_in_progress(city, office):
    document = file(city, office)
    document.refresh_from_db()
    assert (document.doc_type, document.status, document.applicant) == ("telework", "in_progress", city.applicant)
    application = document.telework_application
    assert (application.staff, application.start_date, application.end_date) == (city.applicant, TUESDAY, FRIDAY)
    assert (application.working_days, application.tasks, application.place) == (4, "条例改正案の資料作成", "自宅")
    assert "自宅" in document.body
    assert "条例改正案の資料作成" in document.body


def test_it_puts_the_filed_application_in_the_chiefs_inbox(city, office):
    document = file(city, office)
    inbox = selectors.inbox(user=city.chief.user, ctx=office)
    assert [slot.document_id for slot in inbox] == [document.pk]
    assert not selectors.inbox(user=city.approver.user, ctx=office).exists()


def test_it_is_decided_by_the_section_head(city, office):
    document = file(city, office)
    approvals_services.slot_approve(slot=pending_slot(document), actor=city.chief.user, ctx=office)
    while not (slot := pending_slot(document)).step.is_decision:
        approvals_services.slot_approve(slot=slot, actor=slot.staff.user, ctx=office)
    assert slot.staff == city.approver
    approvals_services.slot_approve(slot=slot, actor=city.approver.user, ctx=office)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    assert document.number


def test_it_files_from_home_with_otp(city, remote_otp):
    assert file(city, remote_otp).status == DocumentStatus.IN_PROGRESS


def test_it_counts_only_working_days(city, office):
    document = file(city, office, start_date=FRIDAY, end_date=date(2026, 11, 30))  # Fri, Sat, Sun, Mon
    assert document.telework_application.working_days == 2


def test_it_accepts_a_period_of_31_days(city, office):
    document = file(city, office, start_date=date(2027, 1, 5), end_date=date(2027, 2, 4))  # Tuesday to Thursday
    assert document.telework_application.working_days == 22  # 23 weekdays, one of them 成人の日 (1/11)


def test_it_accepts_a_period_next_to_another(city, office):
    file(city, office, start_date=TUESDAY, end_date=TUESDAY)
    assert file(city, office, start_date=date(2026, 11, 25), end_date=FRIDAY).status == DocumentStatus.IN_PROGRESS


def test_it_frees_the_days_of_a_withdrawn_application(city, office):
    first = file(city, office)
    approvals_services.document_withdraw(document=first, actor=city.applicant.user, ctx=office)
    assert file(city, office).status == DocumentStatus.IN_PROGRESS


# --------------------------------------------------------------------------------------------------------
# Bad input: refused, nothing filed
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start_date": FRIDAY, "end_date": TUESDAY}, "The last day cannot be before the first day."),
        (
            {"start_date": date(2026, 11, 20), "end_date": TUESDAY},
            "Telework cannot be applied for on a day that has passed.",
        ),
        ({"start_date": TODAY, "end_date": TUESDAY}, "is not a working day"),
        ({"start_date": TUESDAY, "end_date": SATURDAY}, "is not a working day"),
        ({"start_date": date(2026, 12, 1), "end_date": date(2027, 1, 4)}, "at most 31 days"),
        ({"tasks": "  "}, "Please describe the tasks you will work on."),
        ({"place": ""}, "Please give the place you will work from."),
        ({"place": "x" * 201}, "The place is too long"),
        ({"tasks": "資料作成。" * 46_604}, "The tasks are too long"),  # the 233,020 characters of an attack
    ],
    ids=[
        "reversed",
        "past",
        "holiday-start",
        "weekend-end",
        "too-long",
        "no-tasks",
        "no-place",
        "place-too-long",
        "tasks-too-long",
    ],  # fmt: skip
)
def test_it_refuses_bad_input_and_files_nothing(city, office, fields, message):
    with pytest.raises(ValidationError) as error:
        file(city, office, **fields)
    assert any(message in m for m in error.value.messages)
    assert not Document.objects.exists()
    assert not TeleworkApplication.objects.exists()


def test_it_refuses_an_overlapping_application_and_files_nothing_more(city, office):
    file(city, office)
    with pytest.raises(ValidationError) as error:
        file(city, office, start_date=FRIDAY, end_date=date(2026, 11, 30))
    assert "the periods overlap" in error.value.messages[0]
    assert TeleworkApplication.objects.count() == 1
    assert Document.objects.count() == 1


def test_it_refuses_an_account_without_staff(db, office):
    user = get_user_model().objects.create_user(username="nobody", password="x")  # noqa: S106
    with pytest.raises(ValidationError):
        applications.telework_application_file(
            actor=user, ctx=office, start_date=TUESDAY, end_date=FRIDAY, tasks="t", place="p"
        )
    assert not Document.objects.exists()


def test_it_refuses_a_remote_session_without_otp(city, remote_password):
    from personnel.access import AccessDenied

    with pytest.raises(AccessDenied):
        file(city, remote_password)
    assert not Document.objects.exists()


# --------------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------------


def form_data(**kwargs) -> dict:
    data = {"start_date": "2026-11-24", "end_date": "2026-11-27", "tasks": "資料作成", "place": "自宅"}
    data.update(kwargs)
    return data


def test_it_shows_the_form_with_the_route(city, client):
    log_in(client, city.applicant.user)
    response = client.get(reverse("approvals:new", args=["telework"]))
    assert response.status_code == 200
    text = page_text(response)
    assert city.chief.full_name in text
    assert city.approver.full_name in text
    assert "data-route-error" not in text


def test_it_files_from_the_form_and_opens_the_document(city, client):
    log_in(client, city.applicant.user)
    response = client.post(reverse("approvals:new", args=["telework"]), form_data())
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:document", args=[document.pk])
    assert document.telework_application.working_days == 4


def test_it_shows_the_form_again_with_the_reason_and_files_nothing(city, client):
    log_in(client, city.applicant.user)
    response = client.post(reverse("approvals:new", args=["telework"]), form_data(end_date="2026-11-28"))
    assert response.status_code == 400
    assert "is not a working day" in page_text(response)
    assert "資料作成" in page_text(response)
    assert not Document.objects.exists()


def test_it_refuses_a_form_without_dates(city, client):
    log_in(client, city.applicant.user)
    response = client.post(reverse("approvals:new", args=["telework"]), form_data(start_date=""))
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_it_lists_my_applications_with_status_and_decision_number(city, client, office):
    decided = decide(file(city, office, start_date=TUESDAY, end_date=TUESDAY), office)
    file(city, office, start_date=FRIDAY, end_date=FRIDAY)
    log_in(client, city.applicant.user)
    response = client.get(reverse("approvals:type_list", args=["telework"]))
    text = page_text(response)
    assert response.status_code == 200
    assert text.count("data-document=") == 2
    assert decided.number in text
    assert "In progress" in text


def test_it_lists_only_my_own_applications(city, client, office):
    file(city, office)
    log_in(client, city.colleague.user)
    assert "data-document=" not in page_text(client.get(reverse("approvals:type_list", args=["telework"])))


def test_it_lists_applications_in_constant_queries(city, client, office, django_assert_max_num_queries):
    url = reverse("approvals:type_list", args=["telework"])
    file(city, office, start_date=date(2026, 11, 24), end_date=date(2026, 11, 24))
    log_in(client, city.applicant.user)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for day in (25, 26, 27):
        file(city, office, start_date=date(2026, 11, day), end_date=date(2026, 11, day))
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert page_text(response).count("data-document=") == 4


def test_it_refuses_the_pages_from_home_without_otp(city, client):
    log_in(client, city.applicant.user, remote=True)
    assert client.get(reverse("approvals:type_list", args=["telework"])).status_code == 403
    assert client.post(reverse("approvals:new", args=["telework"]), form_data()).status_code == 403
    assert not Document.objects.exists()
