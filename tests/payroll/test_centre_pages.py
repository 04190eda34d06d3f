"""The 庶務センター's work list page: decided inputs by default, filters, the check and the return (返戻) buttons, the
month's close and reopen — and nobody else's."""

from datetime import date

from approvals.models import DocumentStatus
from payroll.models import InputState, PayrollInput, PayrollMonth
from tests.payroll.helpers import decide, file_order
from tests.webtools import page_text


def test_the_work_list_shows_decided_inputs_and_takes_a_check_and_a_return(city, office, clerk, client):
    first = decide(city, file_order(city, office, date(2026, 11, 24)), office)
    second = decide(city, file_order(city, office, date(2026, 11, 25)), office)
    file_order(city, office, date(2026, 11, 26))  # in progress: not on the list
    client.force_login(clerk.user)

    page = page_text(client.get("/payroll/centre/?month=2026-11"))
    assert "2 inputs" in page and first.title in page and second.title in page

    response = client.post(f"/payroll/centre/{PayrollInput.objects.get(document=first).pk}/check/")
    assert response.status_code == 302
    assert PayrollInput.objects.get(document=first).state == InputState.CHECKED

    response = client.post(
        f"/payroll/centre/{PayrollInput.objects.get(document=second).pk}/return/", {"reason": "業務内容を具体的に"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == DocumentStatus.SENT_BACK

    assert "Nothing matches." in page_text(client.get("/payroll/centre/?month=2026-11"))
    checked = page_text(client.get("/payroll/centre/?month=2026-11&state=checked&kind=ot_order"))
    assert "1 input" in checked and first.title in checked


def test_a_return_without_a_reason_is_refused_and_changes_nothing(city, office, clerk, client):
    document = decide(city, file_order(city, office, date(2026, 11, 24)), office)
    client.force_login(clerk.user)
    row = PayrollInput.objects.get(document=document)
    response = client.post(f"/payroll/centre/{row.pk}/return/", {"reason": ""}, follow=True)
    assert "Please write why the input is returned." in page_text(response)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED


def test_the_centre_closes_and_reopens_the_month_from_the_page(city, office, clerk, client):
    client.force_login(clerk.user)
    response = client.post("/payroll/centre/close/", {"month": "2026-11"}, follow=True)
    assert "2026-11 is closed" in page_text(response)
    assert PayrollMonth.objects.get(month=date(2026, 11, 1)).is_closed
    response = client.post("/payroll/centre/reopen/", {"month": "2026-11", "reason": ""}, follow=True)
    assert "say why the month is reopened" in page_text(response)
    client.post("/payroll/centre/reopen/", {"month": "2026-11", "reason": "遅れて届いた実績の反映"})
    assert not PayrollMonth.objects.get(month=date(2026, 11, 1)).is_closed


def test_the_applicants_page_shows_their_inputs_and_the_months_overtime(city, office, client):
    decide(city, file_order(city, office, date(2026, 11, 24)), office)
    client.force_login(city.applicant.user)
    page = page_text(client.get("/payroll/"))
    assert "Overtime order 11/24/2026 18:00–22:00 (4 h 00 min)" in page
    assert "Decided, to check" in page
