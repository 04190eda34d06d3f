"""Overtime through the engine: ordered in advance, reported after the work, classed per minute, totalled per
month in the order worked, capped with warnings, checked by the 庶務センター and frozen by the month's close."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from approvals import services as approval_services
from approvals.models import DocumentStatus, Notification, NotificationKind
from payroll import services
from payroll.models import InputState, OvertimeMonth, OvertimeReport, OvertimeRule, PayrollInput
from tests.payroll.helpers import decide, file_order, file_report, moment, office_on

TUESDAY, SATURDAY, LATER = date(2026, 11, 24), date(2026, 11, 28), date(2026, 11, 30)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def ordered(city, office):
    """Overtime ordered for Tuesday evening and Saturday morning (decided by the 課長), and the clock a week on."""
    decide(city, file_order(city, office, TUESDAY, "18:00", "23:00"), office)
    decide(city, file_order(city, office, SATURDAY, "09:00", "12:00"), office)


@pytest.fixture
def later(clock):
    clock.move_to(moment(LATER, 9))
    return office_on(LATER)


def test_reported_overtime_is_classed_and_the_month_totals_it(city, ordered, later):
    evening = decide(city, file_report(city, later, TUESDAY, "18:00", "23:00"), later)
    saturday = decide(city, file_report(city, later, SATURDAY, "09:00", "12:00"), later)
    report = evening.overtime_report
    assert (report.day_minutes, report.night_minutes, report.order.work_date) == (240, 60, TUESDAY)
    assert saturday.overtime_report.rest_minutes == 180
    ledger = OvertimeMonth.objects.get(staff=city.applicant, month=NOVEMBER)
    assert (ledger.day_minutes, ledger.night_minutes, ledger.rest_minutes, ledger.total_minutes) == (240, 60, 180, 480)
    assert PayrollInput.objects.get(document=evening).state == InputState.DECIDED


def test_a_report_without_a_decided_order_is_refused_unless_the_rule_allows_it(city, office, later):
    with pytest.raises(ValidationError, match="No overtime was ordered"):
        file_report(city, later, TUESDAY)
    assert not OvertimeReport.objects.exists()
    OvertimeRule.objects.update(allow_unordered=True)
    document = file_report(city, later, TUESDAY)
    assert document.overtime_report.after_the_fact and document.title.startswith("[事後]")


def test_an_order_is_given_before_the_work(city, later):
    with pytest.raises(ValidationError, match="An order is given before the work"):
        file_order(city, later, TUESDAY)


@pytest.mark.parametrize(
    ("start", "end", "next_day", "message"),
    [
        ("22:00", "21:00", False, "is not after the start"),
        ("19:00", "20:00", False, "overlaps the overtime already reported"),
        ("09:00", "10:00", True, "longer than 24 hours"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_kept(city, ordered, later, start, end, next_day, message):
    file_report(city, later, TUESDAY, "18:00", "23:00")
    with pytest.raises(ValidationError, match=message):
        file_report(city, later, TUESDAY, start, end, next_day=next_day)
    assert OvertimeReport.objects.count() == 1


def test_overtime_not_yet_done_cannot_be_reported(city, office):
    decide(city, file_order(city, office, TUESDAY), office)
    with pytest.raises(ValidationError, match="has not ended yet"):
        file_report(city, office, TUESDAY)


def test_the_sixtieth_hour_falls_in_the_order_worked_whatever_order_they_are_decided_in(city, ordered, later):
    OvertimeRule.objects.update(over60_minutes=5 * 60)  # a rule as data: the line at 5 hours, to keep this short
    evening = file_report(city, later, TUESDAY, "18:00", "21:00")  # worked first, 3 h
    saturday = file_report(city, later, SATURDAY, "09:00", "12:00")  # worked later, 3 h
    decide(city, saturday, later)
    assert OvertimeReport.objects.get(document=saturday).rest_minutes == 180
    decide(city, evening, later)
    first, second = OvertimeReport.objects.get(document=evening), OvertimeReport.objects.get(document=saturday)
    assert (first.day_minutes, first.over60_minutes) == (180, 0)
    assert (second.rest_minutes, second.over60_minutes) == (120, 60)
    assert OvertimeMonth.objects.get(staff=city.applicant, month=NOVEMBER).over60_minutes == 60


def test_an_order_beyond_the_monthly_cap_needs_a_special_duty_with_its_reason(city, office):
    # 40 h already decided this month (the ledger the caps read); 6 more would pass 45.
    OvertimeMonth.objects.create(staff=city.applicant, month=NOVEMBER, counted_minutes=40 * 60, total_minutes=40 * 60)
    with pytest.raises(ValidationError, match="over its limit of 45 hours"):
        file_order(city, office, TUESDAY, "17:00", "23:00")
    with pytest.raises(ValidationError, match="Say what the 特例業務 is"):
        file_order(city, office, TUESDAY, "17:00", "23:00", special_duty=True)
    document = file_order(city, office, TUESDAY, "17:00", "23:00", special_duty=True, special_reason="台風第10号対応")
    assert document.overtime_order.special_reason == "台風第10号対応"


def test_a_month_near_its_cap_warns_the_person_and_their_section_head(city, ordered, later):
    OvertimeMonth.objects.create(staff=city.applicant, month=NOVEMBER)
    OvertimeRule.objects.update(monthly_cap=6 * 60)  # near from 80 %: 4 h 48 min
    decide(city, file_report(city, later, TUESDAY, "18:00", "23:00"), later)
    warned = Notification.objects.filter(kind=NotificationKind.ATTENTION)
    assert set(warned.values_list("recipient", flat=True)) == {city.applicant.pk, city.approver.pk}
    assert "near its limit of 6 hours" in warned.first().note


def test_a_hundred_hours_puts_the_person_on_hrs_interview_list(city, ordered, later, client):
    OvertimeRule.objects.update(interview_minutes=4 * 60)
    decide(city, file_report(city, later, TUESDAY, "18:00", "23:00"), later)
    assert OvertimeMonth.objects.get(staff=city.applicant, month=NOVEMBER).interview
    client.force_login(city.hr_clerk.user)
    page = client.get("/payroll/interviews/?month=2026-11")
    assert city.applicant.full_name in page.content.decode()
    client.force_login(city.approver.user)
    assert client.get("/payroll/interviews/?month=2026-11").status_code == 403


def test_the_centre_checks_an_input_and_a_return_takes_it_out_of_the_ledger(city, ordered, later, clerk):
    document = decide(city, file_report(city, later, TUESDAY, "18:00", "23:00"), later)
    row = PayrollInput.objects.get(document=document)
    approval_services.document_return(
        document=document, actor=clerk.user, ctx=later, reason="終了時刻を確認してください"
    )
    row.refresh_from_db()
    document.refresh_from_db()
    assert (row.state, document.status) == (InputState.RETURNED, DocumentStatus.SENT_BACK)
    assert OvertimeMonth.objects.get(staff=city.applicant, month=NOVEMBER).total_minutes == 0
    approval_services.document_revise(
        document=document,
        actor=city.applicant.user,
        ctx=later,
        data={"work_date": TUESDAY, "start_time": moment(TUESDAY, 18).time(), "end_time": moment(TUESDAY, 22).time()},
    )
    decide(city, document, later)
    row.refresh_from_db()
    assert row.state == InputState.DECIDED
    assert OvertimeMonth.objects.get(staff=city.applicant, month=NOVEMBER).total_minutes == 240
    services.input_check(payroll_input=row, actor=clerk.user, ctx=later)
    row.refresh_from_db()
    assert (row.state, row.handled_by) == (InputState.CHECKED, clerk)
    with pytest.raises(ValidationError, match="already been checked"):
        services.input_check(payroll_input=row, actor=clerk.user, ctx=later)


def test_a_closed_month_refuses_filing_deciding_returning_and_cancelling_until_reopened(city, ordered, later, clerk):
    decided = decide(city, file_report(city, later, TUESDAY, "18:00", "20:00"), later)
    pending = file_report(city, later, SATURDAY, "09:00", "12:00")
    with pytest.raises(ValidationError, match="not checked yet"):
        services.month_close(month=NOVEMBER, actor=clerk.user, ctx=later)
    for row in PayrollInput.objects.filter(state=InputState.DECIDED):  # the two orders and the decided report
        services.input_check(payroll_input=row, actor=clerk.user, ctx=later)
    services.month_close(month=NOVEMBER, actor=clerk.user, ctx=later)

    with pytest.raises(ValidationError, match="was closed"):
        file_report(city, later, TUESDAY, "21:00", "22:00")
    with pytest.raises(approval_services.ActionRefused, match="was closed"):
        decide(city, pending, later)
    with pytest.raises(approval_services.ActionRefused, match="was closed"):
        approval_services.document_return(document=decided, actor=clerk.user, ctx=later, reason="再確認")
    with pytest.raises(approval_services.ActionRefused, match="was closed"):
        approval_services.document_cancel_request(document=decided, actor=city.applicant.user, ctx=later, reason="誤り")

    with pytest.raises(ValidationError, match="say why"):
        services.month_reopen(month=NOVEMBER, actor=clerk.user, ctx=later, reason="")
    services.month_reopen(month=NOVEMBER, actor=clerk.user, ctx=later, reason="人事異動の反映漏れ")
    file_report(city, later, TUESDAY, "21:00", "22:00")


def test_only_the_centre_closes_a_month(city, later):
    from personnel.access import AccessDenied

    with pytest.raises(AccessDenied):
        services.month_close(month=NOVEMBER, actor=city.approver.user, ctx=later)
