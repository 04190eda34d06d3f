"""Browser journeys through the portal shell at 10-inch tablet sizes, in headless Debian chromium.

Needs the `playwright` Python package and /usr/bin/chromium (Debian's `chromium` package; never
`playwright install`). Screenshots go to tests/artifacts/, which CI keeps."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.browser.a11y import assert_accessible

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed (pip install playwright)"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and shutil.which("chromium") is None,
        reason="/usr/bin/chromium is missing (apt-get install chromium)",
    ),
    # live_server flushes the database after each test; restore the migrations' positions and role groups.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_page(browser, viewport: dict, language: str = "ja"):
    context = browser.new_context(viewport=viewport, locale=language, extra_http_headers={"Accept-Language": language})
    context.set_default_timeout(15_000)
    return context.new_page()


def shot(page, name: str) -> None:
    """Keep a screenshot of the page, and check it with axe (WCAG 2.1 AA: no serious or critical violation): every
    page a journey shows is checked."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert_accessible(page)


def log_in(page, base_url: str, username: str) -> None:
    from tests.conftest import PASSWORD

    page.goto(base_url + "/")
    page.get_by_label("ログイン名（職員番号）").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_a_section_head_logs_in_and_finds_a_colleague_by_kana(city, live_server, browser):
    page = open_page(browser, LANDSCAPE)
    page.goto(live_server.url + "/")
    shot(page, "01-login-1024x768")

    log_in(page, live_server.url, "100004")
    sync_api.expect(page.get_by_role("heading", name="マイページ", level=1)).to_be_visible()
    posts = page.locator(".post")
    sync_api.expect(posts.first).to_contain_text("人事課")
    sync_api.expect(posts.first).to_contain_text("課長")
    sync_api.expect(page.locator(".user-name")).to_contain_text("高橋 健")
    sync_api.expect(page.locator(".zone-badge")).to_have_text("庁内")
    shot(page, "02-my-page-1024x768")

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="職員名簿").click()
    sync_api.expect(page.get_by_role("heading", name="職員名簿", level=1)).to_be_visible()
    shot(page, "03-directory-1024x768")

    page.get_by_role("searchbox", name="検索").fill("サトウ")
    page.get_by_role("button", name="検索").click()
    rows = page.locator("table.directory tbody tr")
    sync_api.expect(rows).to_have_count(1)
    sync_api.expect(rows.first).to_contain_text("佐藤 花子")
    sync_api.expect(rows.first).to_contain_text("人事係")
    shot(page, "04-directory-search-1024x768")


def test_every_touch_target_is_at_least_44_pixels_high(city, live_server, browser):
    page = open_page(browser, PORTRAIT)
    log_in(page, live_server.url, "100004")
    sync_api.expect(page.get_by_role("heading", name="マイページ", level=1)).to_be_visible()
    for path, name in (("/personnel/me/", "my-page"), ("/personnel/directory/", "directory")):
        page.goto(live_server.url + path)
        too_small = page.evaluate(
            """() => [...document.querySelectorAll(
                    'header a, header button, main button, main input:not([type=hidden]), .pagination a')]
                .filter((el) => el.offsetParent !== null)
                .map((el) => ({text: (el.textContent || el.name || '').trim(), h: el.getBoundingClientRect().height}))
                .filter((box) => box.h < 44)"""
        )
        assert too_small == [], f"{path}: {too_small}"
        shot(page, f"05-{name}-768x1024")


def test_the_org_tree_fits_a_portrait_tablet(city, live_server, browser):
    page = open_page(browser, PORTRAIT)
    log_in(page, live_server.url, "100004")
    page.goto(live_server.url + "/personnel/units/")
    sync_api.expect(page.locator("tr.org-tree__row")).to_have_count(12)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "06-org-tree-768x1024")


def test_the_shell_switches_to_english(city, live_server, browser):
    page = open_page(browser, LANDSCAPE)
    log_in(page, live_server.url, "100004")
    page.get_by_role("button", name="English").click()
    sync_api.expect(page.get_by_role("heading", name="My page", level=1)).to_be_visible()
    sync_api.expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "07-my-page-en-1024x768")


def test_a_section_head_sets_up_a_delegation_and_a_second_submit_is_explained(city, live_server, browser):
    page = open_page(browser, LANDSCAPE)
    log_in(page, live_server.url, "100004")
    form = page.locator("form[action='/personnel/me/delegations/']")
    form.get_by_label("代理者の職員番号").fill("100008")
    form.get_by_label("理由").fill("年次休暇")
    form.get_by_role("button", name="代理を設定").click()
    sync_api.expect(page.locator(".message--success")).to_contain_text("中村 大輔")
    sync_api.expect(page.locator("table").first).to_contain_text("中村 大輔")

    form = page.locator("form[action='/personnel/me/delegations/']")
    form.get_by_label("代理者の職員番号").fill("100008")
    form.get_by_label("理由").fill("年次休暇")
    form.get_by_role("button", name="代理を設定").click()
    sync_api.expect(page.locator(".form-errors")).to_contain_text("先にその代理を取り消してください")
    shot(page, "08-delegation-refused-1024x768")


@pytest.fixture
def hr_clerk(city):
    """Set up before `browser`: no ORM calls once Playwright's event loop runs in this thread."""
    from tests.webtools import make_hr_staff

    make_hr_staff(city.hr_clerk)
    return city.hr_clerk


def test_hr_opens_the_org_admin_from_the_header_and_sees_the_tree(hr_clerk, live_server, browser):
    page = open_page(browser, LANDSCAPE)
    log_in(page, live_server.url, "100007")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="管理").click()
    shot(page, "09-admin-index-1024x768")
    page.goto(live_server.url + "/admin/personnel/orgunit/")
    sync_api.expect(page.locator("#result_list tbody tr")).to_have_count(12)
    shot(page, "10-admin-orgunits-1024x768")
    page.get_by_role("link", name="総務部").click()
    # The parent unit is a searchable autocomplete whose combobox is named by the field's label (portal/admin.js).
    parent = page.get_by_role("combobox", name=re.compile("上位組織"))
    sync_api.expect(parent).to_be_visible()
    sync_api.expect(parent).to_contain_text("総務局")
    shot(page, "11-admin-orgunit-change-1024x768")


@pytest.fixture
def hr_admin(city):
    """The 人事 clerk, also an administrator of both admins (set before the browser starts its event loop)."""
    admin = city.hr_clerk.user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def test_no_page_breaks_the_content_security_policy(city, hr_admin, live_server, browser):
    """Every response carries a policy without inline scripts (tests/portal/test_deployment.py); here the pages a
    member of 人事 opens — the portal's and both admins — load without one violation (console reports each)."""
    page = open_page(browser, LANDSCAPE)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(f"{page.url}: {message.text}"),
    )
    log_in(page, live_server.url, "100007")
    sync_api.expect(page.get_by_role("heading", name="マイページ", level=1)).to_be_visible()
    for path in ("/approvals/", "/approvals/new/", "/leave/", "/telework/authenticator/", "/admin/", "/cms-admin/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(live_server.url + path.rstrip("/")), page.url
    assert violations == [], "\n".join(v[:160] for v in violations)
