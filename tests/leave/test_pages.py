"""The leave pages: the request form (balance and route shown before filing, check, file) and my leave.

The route of city.applicant's (人事係 係員) leave: 係長 city.chief → 課長補佐 city.delegate → 課長 city.approver,
who decides. Pages are fetched in English (the Japanese catalogue of these strings is written separately) and
on the real date, as the middleware sets it; leave dates are working days of this year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals import selectors as approval_selectors
from approvals import services as approval_services
from approvals.models import Document, DocumentStatus, SlotState, StepApprover
from leave import services as leave_services
from leave.models import LeaveRequest
from personnel import services
from personnel.calendar import is_working_day
from personnel.models import Assignment
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db

ROUTE = "係長 鈴木 一郎 → 課長補佐 中村 大輔 → 課長 高橋 健 (Decision)"


@pytest.fixture
def client(client):
    """Pages in English: LocaleMiddleware reads Accept-Language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today() -> date:
    return timezone.localdate()


def working_day(on_or_after: date, skip: int = 0) -> date:
    """The first working day on or after a date, or the one `skip` working days later."""
    d = on_or_after
    while not is_working_day(d):
        d += timedelta(days=1)
    for _ in range(skip):
        d += timedelta(days=1)
        while not is_working_day(d):
            d += timedelta(days=1)
    return d


def december(today: date, skip: int = 0) -> date:
    """A working day early in December of this year: ahead of the frozen today (leave is not filed long after the
    fact), before the year-end break, and of the same leave year."""
    return working_day(date(today.year, 12, 1), skip)


def form(start: date, end: date | None = None, **fields) -> dict:
    data = {"leave_type": "annual", "unit": "day", "start_date": start, "end_date": end or "", "reason": ""}
    data.update(fields)
    return data


def post(client, data: dict, button: str = "file"):
    return client.post(reverse("approvals:new", args=["leave"]), {**data, button: "1"})


def plain(response) -> str:
    """The page as text: tags removed, whitespace collapsed (to read the route as one line)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def decide(document: Document, ctx) -> None:
    """The chief, the delegate and the approver approve in turn; the approver decides."""
    while (slot := StepApprover.objects.filter(document=document, state=SlotState.PENDING).first()) is not None:
        approval_services.slot_approve(slot=slot, actor=slot.staff.user, ctx=ctx)


def end_post(staff, system_ctx, today: date) -> None:
    services.assignment_end(
        actor=None, ctx=system_ctx, assignment=Assignment.objects.get(staff=staff), end_date=today - timedelta(days=1)
    )


# ---- before filing -------------------------------------------------------------------------------------


def test_it_shows_the_available_balance_before_filing(city, client):
    log_in(client, city.applicant.user)
    response = client.get(reverse("approvals:new", args=["leave"]))
    assert response.status_code == 200
    assert "20 days" in page_text(response)


def test_it_shows_the_route_the_request_will_take(city, client):
    log_in(client, city.applicant.user)
    assert ROUTE in plain(client.get(reverse("approvals:new", args=["leave"])))


def test_the_form_is_marked_to_send_once_and_takes_files(city, client):
    log_in(client, city.applicant.user)
    text = page_text(client.get(reverse("approvals:new", args=["leave"])))
    assert "data-once" in text and 'enctype="multipart/form-data"' in text
    assert '<input type="file" name="attachments" multiple' in text
    assert 'type="date"' in text and 'type="radio" name="leave_type"' in text


def test_it_checks_a_request_and_shows_what_is_left_without_filing(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today), december(today, 1)), button="preview")
    text = page_text(response)
    assert response.status_code == 200
    assert "This request takes 2 days (2 working days)." in text
    assert "Annual leave left after it:" in text and "18 days" in text
    assert not Document.objects.exists()


def test_it_checks_hour_leave_in_hours(city, client, today):
    log_in(client, city.applicant.user)
    data = form(december(today), unit="hour", start_time="09:00", hours="3")
    response = post(client, data, button="preview")
    assert response.status_code == 200
    assert "This request takes 3 h (1 working day)." in page_text(response)


def test_it_checks_bereavement_leave_as_not_counted_against_the_balance(city, client, today):
    log_in(client, city.applicant.user)
    data = form(december(today), leave_type="bereavement", bereavement_event="death_grandparent")
    response = post(client, data, button="preview")
    assert response.status_code == 200
    assert "This leave is not counted against your annual leave." in page_text(response)


# ---- filing --------------------------------------------------------------------------------------------


def test_it_files_the_request_and_opens_its_document(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today), december(today, 1), reason="家族旅行"))
    document = Document.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("approvals:document", args=[document.pk])
    assert (document.doc_type, document.status, document.applicant) == ("leave", "in_progress", city.applicant)
    request = LeaveRequest.objects.get(document=document)
    assert (request.start_date, request.end_date, request.working_days, request.reason) == (
        december(today),
        december(today, 1),
        2,
        "家族旅行",
    )


def test_it_says_the_request_was_filed(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today)))
    assert response.status_code == 302
    assert f"Filed “{Document.objects.get().title}”." in messages_of(client.get(response.url))


def test_the_chief_finds_the_filed_request_in_the_inbox(city, client, today, office):
    log_in(client, city.applicant.user)
    post(client, form(december(today)))
    document = Document.objects.get()
    inbox = approval_selectors.inbox(user=city.chief.user, ctx=office)
    assert [slot.document_id for slot in inbox] == [document.pk]


def test_it_files_half_a_day_on_the_start_date_whatever_end_date_was_sent(city, client, today):
    log_in(client, city.applicant.user)
    post(client, form(december(today), december(today, 3), unit="half_day", half="pm"))
    request = LeaveRequest.objects.get()
    assert (request.unit, request.half, request.end_date) == ("half_day", "pm", december(today))


def test_it_files_the_attachments_with_the_request(city, client, today):
    log_in(client, city.applicant.user)
    files = [
        SimpleUploadedFile("診断書.pdf", b"%PDF-1.4 certificate", content_type="application/pdf"),
        SimpleUploadedFile("receipt.png", b"\x89PNG image", content_type="image/png"),
    ]
    data = form(december(today), leave_type="sick", attachments=files)
    response = post(client, data)
    assert response.status_code == 302
    assert sorted(a.name for a in Document.objects.get().attachments.all()) == ["receipt.png", "診断書.pdf"]


# ---- refused input: 400, the reason shown, nothing filed ------------------------------------------------


def assert_refused(response, message: str, documents_before: int = 0) -> None:
    assert response.status_code == 400
    assert message in page_text(response)
    assert Document.objects.count() == documents_before


def test_it_refuses_leave_that_ends_before_it_starts(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today, 1), december(today)))
    assert_refused(response, "The leave cannot end before it starts.")


def test_it_refuses_a_range_with_no_working_day(city, client, today):
    saturday = date(today.year, 12, 1)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    log_in(client, city.applicant.user)
    response = post(client, form(saturday, saturday + timedelta(days=1)))
    assert_refused(response, "There is no working day from")


def test_it_refuses_leave_beyond_the_balance(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(date(today.year, 11, 24), date(today.year, 12, 28)))
    assert_refused(response, "but only 20 days is available")


def test_it_refuses_leave_over_leave_already_filed(city, client, today, office):
    first = leave_services.leave_request_file(
        actor=city.applicant.user,
        ctx=office,
        leave_type="annual",
        unit="day",
        start_date=december(today),
        end_date=december(today, 2),
    )
    log_in(client, city.applicant.user)
    response = post(client, form(december(today, 1)))
    assert_refused(response, f"request #{first.pk}", documents_before=1)  # a link to it, in brackets


def test_it_refuses_a_check_of_a_bad_request_too(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today, 1), december(today)), button="preview")
    assert_refused(response, "The leave cannot end before it starts.")


def test_it_refuses_a_form_without_a_start_date(city, client):
    log_in(client, city.applicant.user)
    response = post(client, {"leave_type": "annual", "unit": "day", "start_date": ""})
    assert_refused(response, "This field is required.")


def test_the_refused_form_keeps_what_was_typed(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today, 1), december(today), reason="通院のため"))
    text = page_text(response)
    assert "通院のため" in text
    assert f'value="{december(today, 1).isoformat()}"' in text


def test_a_double_submitted_form_files_once_and_says_the_second_overlaps(city, client, today):
    log_in(client, city.applicant.user)
    data = form(december(today))
    first, second = post(client, data), post(client, data)
    assert first.status_code == 302 and second.status_code == 400
    assert "You already have leave on" in page_text(second)
    assert Document.objects.count() == 1


# ---- no one to decide ----------------------------------------------------------------------------------


def test_it_names_the_missing_decider_and_disables_filing(city, client, system_ctx, today):
    end_post(city.approver, system_ctx, today)
    log_in(client, city.applicant.user)
    response = client.get(reverse("approvals:new", args=["leave"]))
    text = plain(response)
    assert "This document cannot be filed now." in text
    assert "Nobody holds the post of 課長 over 人事係" in text
    assert re.search(r'<button type="submit" name="file"[^>]* disabled', page_text(response))


def test_it_files_nothing_without_a_decider(city, client, system_ctx, today):
    end_post(city.approver, system_ctx, today)
    log_in(client, city.applicant.user)
    response = post(client, form(december(today)))
    assert_refused(response, "Nobody holds the post of 課長 over 人事係")


# ---- who may use the pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["leave:list", "approvals:choose"])
def test_it_refuses_a_remote_session_without_otp(city, client, name):
    log_in(client, city.applicant.user, remote=True)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "one-time password" in page_text(response)


@pytest.mark.parametrize("name", ["leave:list", "approvals:choose"])
def test_it_allows_a_remote_session_with_otp(city, client, name):
    log_in(client, city.applicant.user, remote=True, otp=True)
    assert client.get(reverse(name)).status_code == 200


def test_it_refuses_filing_from_a_remote_session_without_otp(city, client, today):
    log_in(client, city.applicant.user, remote=True)
    response = post(client, form(december(today)))
    assert response.status_code == 403
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", ["leave:list", "approvals:choose"])
def test_it_refuses_a_member_without_a_current_post(city, client, system_ctx, today, name):
    end_post(city.applicant, system_ctx, today)
    log_in(client, city.applicant.user)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "no current assignment" in page_text(response)


def test_it_refuses_a_login_without_a_staff_record(db, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "a-long-password-1")
    log_in(client, admin)
    response = client.get(reverse("approvals:new", args=["leave"]))
    assert response.status_code == 403
    assert "Only staff members can file documents." in page_text(response)


def test_it_asks_anonymous_users_to_log_in(db, client):
    response = client.get(reverse("leave:list"))
    assert response.status_code == 302
    assert reverse("login") in response.url


# ---- my leave ------------------------------------------------------------------------------------------


def test_my_leave_shows_the_balance_with_pending_leave(city, client, today):
    log_in(client, city.applicant.user)
    post(client, form(december(today), unit="half_day", half="am"))
    text = plain(client.get(reverse("leave:list")))
    assert f"Annual leave available in {today.year} 19.5 days" in text
    assert "Pending (申請中) 0.5 days" in text


def test_my_leave_shows_summer_and_sick_leave_against_their_limits(city, client, today):
    log_in(client, city.applicant.user)
    post(client, form(december(today), leave_type="sick"))
    text = plain(client.get(reverse("leave:list")))
    assert "Summer leave (夏季休暇) 0 min 0 min 5 days / 5 days" in text
    assert "Sick leave (病気休暇) 0 min 1 day 89 days / 90 days" in text


def test_my_leave_lists_a_pending_request_with_where_it_waits(city, client, today):
    log_in(client, city.applicant.user)
    post(client, form(december(today)))
    document = Document.objects.get()
    response = client.get(reverse("leave:list"))
    text = plain(response)
    assert "In progress" in text and "Waiting for 係長 鈴木 一郎" in text
    assert reverse("approvals:document", args=[document.pk]) in page_text(response)


def test_my_leave_shows_the_decision_number_once_decided(city, client, today, office):
    log_in(client, city.applicant.user)
    post(client, form(december(today)))
    document = Document.objects.get()
    decide(document, office)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    text = plain(client.get(reverse("leave:list")))
    assert "Decided" in text and f"Decision No. {document.number}" in text
    assert "Used (取得済) 1 day" in text


def withdraw(document: Document, city, ctx) -> None:
    approval_services.document_withdraw(document=document, actor=city.applicant.user, ctx=ctx)


def reject(document: Document, city, ctx) -> None:
    slot = StepApprover.objects.get(document=document, staff=city.chief)
    approval_services.document_reject(slot=slot, actor=city.chief.user, ctx=ctx, comment="繁忙期のため")


def send_back(document: Document, city, ctx) -> None:
    slot = StepApprover.objects.get(document=document, staff=city.chief)
    approval_services.document_send_back(slot=slot, actor=city.chief.user, ctx=ctx, to_order=0, comment="日付を確認")


@pytest.mark.parametrize(
    ("act", "status"),
    [
        (withdraw, '"status status--withdrawn">Withdrawn<'),
        (reject, '"status status--rejected">Rejected<'),
        (send_back, '"status status--sent_back">Sent back<'),
    ],
)
def test_my_leave_shows_a_closed_or_sent_back_request_with_its_status(city, client, today, office, act, status):
    log_in(client, city.applicant.user)
    post(client, form(december(today)))
    act(Document.objects.get(), city, office)
    assert status in page_text(client.get(reverse("leave:list")))


def test_my_leave_lists_only_my_own_requests(city, client, today, office):
    leave_services.leave_request_file(
        actor=city.colleague.user,
        ctx=office,
        leave_type="annual",
        unit="day",
        start_date=december(today),
        end_date=december(today),
    )
    log_in(client, city.applicant.user)
    assert "You have no leave requests this year or next." in page_text(client.get(reverse("leave:list")))


def test_my_leave_costs_the_same_queries_for_one_request_or_four(city, client, today):
    log_in(client, city.applicant.user)
    post(client, form(december(today)))
    url = reverse("leave:list")
    client.get(url)  # warm caches (content types, sessions) outside the measurement
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for skip in (1, 2, 3):
        post(client, form(december(today, skip)))
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert len(response.context["page"].documents) == 4
    assert len(four) == len(one)


# ---- my page -------------------------------------------------------------------------------------------


def test_my_page_shows_the_available_annual_leave_and_links_to_the_leave_pages(city, client, today):
    log_in(client, city.applicant.user)
    response = client.get(reverse("personnel:my_page"))
    text = page_text(response)
    assert f"Annual leave available in {today.year}" in text and "20 days" in text
    assert reverse("approvals:new", args=["leave"]) in text and reverse("leave:list") in text


def test_hour_leave_without_a_start_time_points_at_the_start_time(city, client, today):
    log_in(client, city.applicant.user)
    response = post(client, form(december(today), unit="hour", hours="2"))
    assert response.status_code == 400
    form_ = response.context["form"]
    assert form_.errors["start_time"] == ["Please give the time the hour leave starts."]
    assert not form_.non_field_errors()


def test_leave_that_ends_before_it_starts_points_at_the_end_date(city, client, today):
    log_in(client, city.applicant.user)
    start = december(today, skip=2)
    response = post(client, form(start, end=december(today)))
    assert response.context["form"].errors["end_date"] == ["The leave cannot end before it starts."]


def test_the_overlap_message_links_to_the_request_it_overlaps(city, client, today):
    log_in(client, city.applicant.user)
    day = december(today)
    post(client, form(day))
    first = Document.objects.get(applicant=city.applicant)
    response = post(client, form(day))
    errors = response.context["form"].non_field_errors().as_ul()
    assert f'<a href="/approvals/documents/{first.pk}/">request #{first.pk}</a>' in errors
    assert f'<a href="/approvals/documents/{first.pk}/">' in response.content.decode()
