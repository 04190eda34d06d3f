"""The 総務ワークステーション at tablet size (768 × 1024) in headless Debian chromium, each page checked with axe: a
係員 reports overtime (a Friday evening past 22:00, a Saturday morning) on decided orders, the 課長 approves both, the
庶務センター clerk checks the month's inputs, closes the month and downloads the xlsx, which is read back with openpyxl
and converted to CSV by LibreOffice (Debian libreoffice-calc-nogui) and read again."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.browser.test_daily_work import log_in
from tests.browser.test_shell import CHROMIUM, PORTRAIT, open_page, shot

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
        reason="/usr/bin/chromium is missing (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FRIDAY, SATURDAY = date(2026, 11, 20), date(2026, 11, 21)


@pytest.fixture
def ordered(city):
    """Orders for Friday evening and Saturday morning, filed and decided in advance (on Thursday 19 November)."""
    from personnel.access import AccessContext
    from tests.payroll.helpers import decide, file_order

    thursday = AccessContext.office(today=date(2026, 11, 19))
    decide(city, file_order(city, thursday, FRIDAY, "18:00", "23:30"), thursday)
    decide(city, file_order(city, thursday, SATURDAY, "09:00", "13:00"), thursday)


@pytest.fixture
def clerk(city):
    from personnel.access import AccessContext
    from tests.approvals.helpers import center_clerk

    return center_clerk(city, AccessContext.for_system())


def report(page, url: str, day: date, start: str, end: str) -> None:
    page.goto(url + "/approvals/new/ot_report/")
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_label("Started at", exact=True).fill(start)
    page.get_by_label("Ended at", exact=True).fill(end)
    page.get_by_role("button", name="File", exact=True).click()
    sync_api.expect(page.locator(".document-head")).to_contain_text("In progress")


def test_overtime_from_report_to_the_months_spreadsheet(city, ordered, clerk, live_server, browser, tmp_path):
    from openpyxl import load_workbook

    url = live_server.url
    page = open_page(browser, PORTRAIT, language="en")

    # 1. The 係員 reports the two stretches worked.
    log_in(page, url, city.applicant.employee_number)
    page.goto(url + "/payroll/")
    shot(page, "50-payroll-home-768x1024")
    report(page, url, FRIDAY, "18:00", "23:30")
    shot(page, "51-overtime-report-filed-768x1024")
    report(page, url, SATURDAY, "09:00", "13:00")

    # 2. The 係長 and the 課長補佐 approve both from their queues; the 課長 sees the month's overtime beside each
    #    and decides them, one tap each.
    titles = [f"Overtime {FRIDAY:%m/%d/%Y} 18:00–23:30", f"Overtime {SATURDAY:%m/%d/%Y} 09:00–13:00"]
    for approver in (city.chief, city.delegate, city.approver):
        log_in(page, url, approver.employee_number)
        page.goto(url + "/approvals/")
        for title in titles:
            item = page.locator(".queue-item").filter(has_text=title)
            if approver == city.approver:
                sync_api.expect(item).to_contain_text("This month")  # the facts beside the item
            item.locator(".queue-item__action button").click()
            sync_api.expect(page.locator(".message--success")).to_be_visible()
    shot(page, "52-section-head-decided-768x1024")

    # 3. The 庶務センター checks every decided input of November, closes the month and downloads the spreadsheet.
    log_in(page, url, clerk.employee_number)
    page.goto(url + "/payroll/centre/?month=2026-11")
    shot(page, "53-centre-worklist-768x1024")
    rows = page.locator("table.worklist tbody tr")
    sync_api.expect(rows).to_have_count(4)  # two orders, two reports
    for _i in range(4):
        page.locator("table.worklist tbody tr").first.get_by_role("button", name="Checked").click()
        sync_api.expect(page.locator(".message--success")).to_contain_text("Checked")
    page.get_by_role("button", name="Close the month (締め)").click()
    sync_api.expect(page.locator(".message--success")).to_contain_text("is closed")
    page.get_by_role("button", name="Payroll inputs (xlsx, one sheet per type)").click()
    sync_api.expect(page.locator("#export-status")).to_contain_text("Ready")
    shot(page, "54-export-ready-768x1024")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download").click()
    xlsx = tmp_path / "inputs.xlsx"
    caught.value.save_as(xlsx)

    book = load_workbook(xlsx)
    sheet = book["Overtime report (時間外勤務実績)"]
    header = [c.value for c in sheet[1]]
    lines = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    by_day = {line["勤務日"].date(): line for line in lines}
    assert (by_day[FRIDAY]["125/100(分)"], by_day[FRIDAY]["150/100夜間(分)"]) == (240, 90)
    assert by_day[SATURDAY]["135/100(分)"] == 240

    # 4. LibreOffice reads the file as the city's other systems would, and writes the sheet as CSV.
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}:
            pytest.fail("CI must have libreoffice: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("libreoffice is missing (apt-get install libreoffice-calc-nogui); CI installs it")
    sheet_index = book.sheetnames.index("Overtime report (時間外勤務実績)") + 1
    converted = subprocess.run(  # noqa: S603 - a fixed command line on a file this test wrote
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            # comma, double quotes, UTF-8, from line 1, …, cells as shown (token 9), only this sheet (token 12)
            f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet_index}",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    written = sorted(tmp_path.glob("inputs*.csv"))
    assert written, converted.stdout + converted.stderr
    table = list(csv.DictReader(io.StringIO(written[0].read_text(encoding="utf-8"))))
    days = {r["勤務日"]: r for r in table}
    assert set(days) == {"2026/11/20", "2026/11/21"}, table  # the date format the export gave the cells
    friday = days["2026/11/20"]
    assert (friday["125/100(分)"], friday["150/100夜間(分)"]) == ("240", "90")
    assert days["2026/11/21"]["135/100(分)"] == "240"
