"""The approver's and applicant's day in headless Debian chromium, each page checked with axe (WCAG 2.1 AA, no serious
or critical violation): a decided document found by its 決裁番号 and printed as a PDF; a send-back that reaches the
applicant by the bell and by mail, corrected and filed again; a reminder and an escalation after the clock passes
their working days."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest

from tests.browser.a11y import assert_accessible
from tests.browser.test_shell import CHROMIUM, LANDSCAPE, open_page, shot

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
        reason="/usr/bin/chromium is missing (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def office():
    from personnel.access import AccessContext
    from tests.conftest import TODAY

    return AccessContext.office(today=TODAY)


def log_in(page, base_url: str, username: str) -> None:
    from tests.conftest import PASSWORD

    page.context.clear_cookies()
    page.goto(base_url + "/")
    page.get_by_label("Login name (employee number)").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    sync_api.expect(page.get_by_role("heading", name="My page", level=1)).to_be_visible()


def log_in_ja(page, base_url: str, username: str) -> None:
    from tests.conftest import PASSWORD

    page.goto(base_url + "/")
    page.get_by_label("ログイン名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="マイページ", level=1)).to_be_visible()


@pytest.fixture
def decided(city):
    from tests.approvals.helpers import approve_in_turn, file_leave

    memo = file_leave(city, office(), title="庁舎清掃業務の委託について")
    return approve_in_turn(memo, [city.chief, city.delegate, city.approver], office())


def test_an_approver_finds_a_decided_document_by_its_number_and_prints_it(city, decided, live_server, browser):
    from pypdf import PdfReader

    page = open_page(browser, LANDSCAPE, language="en")
    log_in(page, live_server.url, "100004")
    page.goto(live_server.url + "/approvals/")
    page.get_by_role("link", name="Search").click()
    assert_accessible(page)
    page.get_by_label("Decision number (決裁番号)").fill(decided.number)
    page.get_by_role("button", name="Search").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("1 document")
    shot(page, "40-search-by-number-1024x768")
    assert_accessible(page)
    page.get_by_role("link", name=decided.title).click()
    sync_api.expect(page.get_by_role("heading", name=decided.title, level=1)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages)
    assert decided.number in text and "高橋" in text
    page.get_by_role("link", name="Print", exact=True).click()
    sync_api.expect(page.locator(".sheet")).to_contain_text(decided.number)
    shot(page, "41-print-1024x768")
    assert_accessible(page)


@pytest.fixture
def sent_back(city):
    from approvals import services
    from tests.approvals.helpers import file_leave, slot_of

    memo = file_leave(city, office(), title="研修参加について", body="12月10日の研修に参加する。")
    services.document_send_back(
        slot=slot_of(memo, city.chief),
        actor=city.chief.user,
        ctx=office(),
        to_order=0,
        comment="日付を確認してください",
    )
    return memo


def test_an_applicant_hears_of_a_send_back_by_bell_and_mail_and_files_again(city, sent_back, live_server, browser):
    from django.core import mail

    assert [m.subject for m in mail.outbox if m.to == ["s100001@city.example.jp"]] == [
        "[決裁ポータル] 差し戻し: 研修参加について"
    ]
    page = open_page(browser, LANDSCAPE, language="en")
    log_in(page, live_server.url, "100001")
    bell = page.get_by_role("link", name="Notifications")
    sync_api.expect(bell).to_contain_text("1")
    bell.click()
    sync_api.expect(page.locator(".notification--unread")).to_contain_text("Sent back (差し戻し)")
    shot(page, "42-notifications-1024x768")
    assert_accessible(page)
    page.get_by_role("button", name="研修参加について").click()
    sync_api.expect(page.get_by_role("heading", name="研修参加について", level=1)).to_be_visible()
    sync_api.expect(page.locator(".bell .badge")).to_be_hidden()
    page.get_by_role("link", name="Correct and file again").click()
    page.get_by_label("Title").fill("研修参加について（12月11日）")
    page.get_by_role("button", name="File again").click()
    sync_api.expect(page.locator(".document-head")).to_contain_text("In progress")
    assert_accessible(page)


@pytest.fixture
def overdue(city, clock):
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from tests.approvals.helpers import file_leave

    file_leave(city, office(), title="備品購入の伺い")
    # Thursday 26 November: three working days waited (a reminder); Tuesday 1 December: six (an escalation).
    for day in (date(2026, 11, 26), date(2026, 12, 1)):
        with time_machine.travel(timezone.make_aware(datetime.combine(day, time(8, 30))), tick=False):
            call_command("send_reminders")


def test_a_reminder_and_an_escalation_appear_after_their_working_days(city, overdue, live_server, browser):
    page = open_page(browser, LANDSCAPE, language="en")
    log_in(page, live_server.url, "100003")
    page.get_by_role("link", name="Notifications").click()
    sync_api.expect(page.locator(".notifications")).to_contain_text("Reminder: waiting for your approval (督促)")
    log_in(page, live_server.url, "100004")
    page.get_by_role("link", name="Notifications").click()
    escalation = page.locator(".notification", has_text="Escalation")
    sync_api.expect(escalation).to_contain_text("Waiting for 鈴木 一郎")
    shot(page, "43-escalation-1024x768")
    assert_accessible(page)


@pytest.fixture
def withdrawn(city):
    from approvals import services
    from tests.approvals.helpers import approve, file_leave

    memo = file_leave(city, office(), title="取り下げた伺い")
    approve(memo, city.chief, office())
    return services.document_withdraw(document=memo, actor=city.applicant.user, ctx=office())


def test_a_withdrawn_documents_greyed_stamps_stay_readable(city, withdrawn, live_server, browser):
    page = open_page(browser, LANDSCAPE, language="ja")
    log_in_ja(page, live_server.url, "100001")
    page.goto(live_server.url + f"/approvals/documents/{withdrawn.pk}/")
    sync_api.expect(page.locator(".document-head")).to_contain_text("取り下げ")
    shot(page, "45-withdrawn-1024x768")
    assert_accessible(page)
