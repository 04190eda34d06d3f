"""Every member of staff reaches the pages: leave filed with the keyboard alone, and the daily pages at a phone's
width (390 px) and reflowed to 320 CSS pixels without sideways scrolling (WCAG 1.4.10), each checked with axe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.a11y import assert_accessible
from tests.browser.test_daily_work import log_in, log_in_ja, office
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


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on an element matching `selector` (as a keyboard user moves)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_leave_is_filed_with_the_keyboard_alone(city, live_server, browser):
    page = open_page(browser, LANDSCAPE, language="en")
    log_in(page, live_server.url, "100001")
    page.goto(live_server.url + "/approvals/new/leave/")
    assert_accessible(page)
    tab_to(page, "input[name=leave_type]")
    page.keyboard.press("Space")  # the first type: annual leave
    tab_to(page, "input[name=unit]")
    page.keyboard.press("Space")  # the first unit: a whole day
    tab_to(page, "input[name=start_date]")
    page.keyboard.type("12102026")  # the date picker's fields: month, day, year
    tab_to(page, "textarea[name=reason]")
    page.keyboard.type("私用のため")
    tab_to(page, "button[name=file]")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator(".document-head")).to_contain_text("In progress")
    sync_api.expect(page.locator(".document-head h1")).to_contain_text("2026")
    shot(page, "44-leave-by-keyboard-1024x768")


@pytest.fixture
def day_of_work(city):
    from approvals import services
    from tests.approvals.helpers import approve_in_turn, file_leave, slot_of

    decided = file_leave(city, office(), title="庁舎清掃業務の委託について（長い件名が電話の幅でも折り返されること）")
    approve_in_turn(decided, [city.chief, city.delegate, city.approver], office())
    sent_back = file_leave(city, office(), title="研修参加について")
    services.document_send_back(
        slot=slot_of(sent_back, city.chief), actor=city.chief.user, ctx=office(), to_order=0, comment="日付を確認"
    )
    return decided


PAGES = [
    ("my-page", "/personnel/me/"),
    ("requests", "/approvals/mine/"),
    ("search", "/approvals/search/?q=庁舎"),
    ("notifications", "/approvals/notifications/"),
    ("directory", "/personnel/directory/"),
    ("filing", "/approvals/new/leave/"),
    ("leave", "/leave/"),
]


@pytest.mark.parametrize("width", [390, 320])
def test_the_daily_pages_fit_a_phone_and_reflow(city, day_of_work, live_server, browser, width):
    page = open_page(browser, {"width": width, "height": 800}, language="ja")
    log_in_ja(page, live_server.url, "100001")
    for name, path in [*PAGES, ("document", f"/approvals/documents/{day_of_work.pk}/")]:
        page.goto(live_server.url + path)
        assert page.url == live_server.url + path.replace("庁舎", "%E5%BA%81%E8%88%8E"), page.url  # not the login
        widths = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
        )
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
                document.documentElement.clientWidth + 1 && !e.closest('.table-wrap'))
                .slice(0, 5)
                .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
        )
        assert widths["scroll"] <= widths["client"], f"{path} scrolls sideways at {width}px: {widths} {wide}"
        if width == 390:
            shot(page, f"5x-{name}-390")
            assert_accessible(page)
