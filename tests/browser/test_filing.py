"""The generic filing page in headless Debian chromium: the route follows the amount as it is typed (htmx, no
reload), 合議 parties are picked with a search that shows each person's unit and post, and the bulk bar of the inbox
says what it will do. On the test-only purchase type (tests/sample_types: ≤ ¥1,000,000 課長, above 部長)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


@pytest.fixture
def paper(city):
    from tests.approvals.helpers import paper

    return paper()


@pytest.fixture
def queue(city) -> None:
    """The 課長's inbox: two memos to decide, and a ¥1,500,000 purchase he approves on to the 部長. Made before the
    browser starts (no ORM once Playwright's event loop runs)."""
    from personnel.access import AccessContext
    from tests.approvals.helpers import approve_in_turn, file_document, file_leave
    from tests.conftest import TODAY

    office = AccessContext.office(today=TODAY)
    approve_in_turn(file_leave(city, office, title="伺いA"), [city.chief, city.delegate], office)
    approve_in_turn(file_leave(city, office, title="伺いB"), [city.chief, city.delegate], office)
    purchase = file_document(city.applicant.user, office, doc_type="purchase", amount=1_500_000, title="購入C")
    approve_in_turn(purchase, [city.chief, city.delegate], office)


def log_in(page, base_url: str, username: str) -> None:
    from tests.conftest import PASSWORD

    page.goto(base_url + "/")
    page.get_by_label("Login name (employee number)").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    sync_api.expect(page.get_by_role("heading", name="My page", level=1)).to_be_visible()


def test_the_route_follows_the_amount_and_the_people_picked(city, paper, live_server, browser):
    page = open_page(browser, LANDSCAPE, language="en")
    log_in(page, live_server.url, "100001")
    page.goto(live_server.url + "/approvals/new/purchase/")
    page.evaluate("() => { window.__sameLoad = true; }")
    route = page.locator("#route")
    sync_api.expect(route).to_contain_text("who decides this type of document depends on it")

    page.get_by_label("Title").fill("プロジェクターの購入")
    page.get_by_label("Stock").select_option(label="コピー用紙")
    page.get_by_label("Quantity").fill("1")
    page.get_by_label("Unit price").fill("2000000")
    page.get_by_label("Unit price").blur()
    sync_api.expect(route).to_contain_text("部長 田中 誠 (Decision)")
    page.get_by_label("Unit price").fill("500000")
    page.get_by_label("Unit price").blur()
    sync_api.expect(route).to_contain_text("課長 高橋 健 (Decision)")
    sync_api.expect(route).not_to_contain_text("部長")

    page.locator("#search-consultees").fill("伊藤")
    result = page.locator("#results-consultees label").filter(has_text="伊藤 美咲")
    sync_api.expect(result).to_contain_text("市民課 課長")
    result.click()
    sync_api.expect(page.locator("#picker-consultees [data-people-chosen]")).to_contain_text("伊藤 美咲")
    sync_api.expect(route).to_contain_text("合議 伊藤 美咲")
    assert page.evaluate("() => window.__sameLoad === true"), "the page was reloaded"
    shot(page, "30-filing-route-follows-amount-1024x768")

    page.get_by_role("button", name="File", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="プロジェクターの購入", level=1)).to_be_visible()
    sync_api.expect(page.locator(".stamp-box").filter(has_text="合議")).to_contain_text("伊藤 美咲")


def test_the_bulk_button_says_what_it_will_do(city, queue, live_server, browser):
    page = open_page(browser, LANDSCAPE, language="en")
    log_in(page, live_server.url, "100004")  # the 課長: decides A and B, approves C on to the 部長
    page.goto(live_server.url + "/approvals/")
    button = page.locator("[data-bulk-button]")
    sync_api.expect(button).to_be_disabled()

    page.locator(".queue-item").filter(has_text="伺いA").locator("input[name=slot]").check()
    sync_api.expect(button).to_have_text("Decide 1 (一括決裁)")
    page.locator("label.bulk-bar__all").click()
    sync_api.expect(button).to_have_text("Approve 1 and decide 2 (一括承認・決裁)")
    sync_api.expect(button).to_be_enabled()
    shot(page, "31-bulk-button-counts-1024x768")
