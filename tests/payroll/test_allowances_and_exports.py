"""Allowances filed through the engine, personal details masked, and the 庶務センター's spreadsheets."""

import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from approvals import services as approval_services
from approvals.models import Notification, NotificationKind
from payroll.doctypes import BY_CODE
from payroll.exports import input_rows
from payroll.models import HousingRule
from personnel.models import PersonnelAudit
from tests.payroll.helpers import decide, file_order, file_report, moment, office_on

DECEMBER = date(2026, 12, 1)


def file(city, ctx, doc_type, **data):
    return approval_services.document_file(actor=city.applicant.user, ctx=ctx, doc_type=doc_type, data=data)


def test_housing_is_computed_by_the_rule_in_force_and_kept_when_the_rule_changes(city, office, system_ctx):
    document = file(city, office, "housing", start_month=DECEMBER, rent=60_000, landlord="北九ハイツ")
    assert document.housing_claim.allowance == 27_500 and document.amount == 27_500
    assert document.contains_personal_info
    HousingRule.objects.create(effective_from=date(2027, 4, 1), cap=20_000)
    document.housing_claim.refresh_from_db()
    assert document.housing_claim.allowance == 27_500
    later = file(city, office, "housing", start_month=date(2027, 4, 1), rent=60_000, landlord="北九ハイツ")
    assert later.housing_claim.allowance == 20_000


def test_a_negative_rent_is_refused(city, office):
    with pytest.raises(ValidationError, match="cannot be negative"):
        file(city, office, "housing", start_month=DECEMBER, rent=-1, landlord="x")


def commuting(**legs):
    data = {"start_month": DECEMBER, "parking": 0}
    data.update(legs)
    return data


def test_a_commuting_route_adds_its_legs(city, office):
    data = commuting(
        leg1_means="transit",
        leg1_line="JR鹿児島本線",
        leg1_from="折尾",
        leg1_to="小倉",
        leg1_km=Decimal(20),
        leg1_pass1=15_000,
        leg1_pass6=81_000,
        leg2_means="bicycle",
        leg2_km=Decimal("2.5"),
    )
    document = file(city, office, "commuting", **data)
    claim = document.commuting_claim
    assert (claim.transit, claim.car, claim.allowance) == (13_500, 4_200, 17_700)


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ({"leg1_means": "car", "leg1_km": Decimal(0)}, "more than 0 km"),
        ({"leg1_means": "transit", "leg1_km": Decimal(5), "leg1_pass1": 0}, "it cannot be 0"),
    ],
)
def test_a_zero_distance_or_a_zero_pass_is_refused(city, office, legs, message):
    with pytest.raises(ValidationError, match=message):
        file(city, office, "commuting", **commuting(**legs))


def test_the_dependant_allowance_follows_the_staged_reform(city, office):
    child = file(
        city,
        office,
        "dependants",
        change="add",
        name="山田花",
        relationship="child",
        birth_date=date(2010, 6, 1),
        annual_income=0,
        effective_date=date(2026, 12, 1),
    )
    assert child.dependant_change.monthly == 13_000 + 5_000  # 子 (令和8年度) + the 16–22 addition
    spouse = file(
        city,
        office,
        "dependants",
        change="add",
        name="山田良子",
        relationship="spouse",
        birth_date=date(1990, 1, 1),
        annual_income=500_000,
        effective_date=date(2026, 12, 1),
    )
    assert spouse.dependant_change.monthly == 0  # 配偶者 ends in 令和8年度


def test_bank_details_are_masked_to_the_approver_and_shown_to_the_owner_and_centre(city, office, clerk, client):
    document = file(
        city,
        office,
        "bank",
        start_month=DECEMBER,
        bank="北九州銀行",
        branch="本店",
        account_type="ordinary",
        account_number="1234567",
        holder_kana="ヤマダタロウ",
    )
    decide(city, document, office)
    url = f"/approvals/documents/{document.pk}/"
    client.force_login(city.approver.user)
    seen = client.get(url).content.decode()
    assert "＊＊＊567" in seen and "1234567" not in seen
    for viewer in (city.applicant, clerk):
        client.force_login(viewer.user)
        assert "1234567" in client.get(url).content.decode()


def test_a_decided_address_change_asks_for_the_commuting_allowance_again(city, office):
    document = file(
        city, office, "address", moved_on=date(2026, 12, 1), postal_code="8038501", address="北九州市小倉北区城内1-1"
    )
    assert document.address_change.postal_code == "803-8501"
    decide(city, document, office)
    note = Notification.objects.get(recipient=city.applicant, kind=NotificationKind.ATTENTION)
    assert "commuting allowance" in note.note


@pytest.fixture
def november_overtime(city, office, clock):
    decide(city, file_order(city, office, date(2026, 11, 24), "18:00", "23:00"), office)
    clock.move_to(moment(date(2026, 11, 30), 9))
    later = office_on(date(2026, 11, 30))
    decide(city, file_report(city, later, date(2026, 11, 24), "18:00", "23:00"), later)
    return later


def start(client, django_capture_on_commit_callbacks, **fields):
    """Ask for an export as the page's button does; the task runs when the request commits (immediate backend)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/personnel/exports/start/", fields)
    assert response.status_code == 302, response
    return response["Location"]


def test_the_centre_exports_the_month_in_the_background_and_the_download_is_logged(
    city, clerk, client, november_overtime, django_capture_on_commit_callbacks
):
    client.force_login(clerk.user)
    job_page = start(client, django_capture_on_commit_callbacks, code="payroll.inputs", format="xlsx", month="2026-11")
    page = client.get(job_page)
    assert "100" in page.content.decode() and "Download" in page.content.decode()
    download = client.get(job_page + "download/")
    content = b"".join(download.streaming_content)
    book = load_workbook(io.BytesIO(content))
    sheet = book["Overtime report (時間外勤務実績)"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["職員番号"], row["125/100(分)"], row["150/100夜間(分)"]) == ("100001", 240, 60)
    assert sheet.freeze_panes == "A2"
    logged = PersonnelAudit.objects.filter(action="export").get()
    assert logged.target == "payroll.inputs"
    assert logged.detail["file"]["sha256"] == hashlib.sha256(content).hexdigest()

    ledger_page = start(
        client, django_capture_on_commit_callbacks, code="payroll.overtime", format="csv", month="2026-11"
    )
    text = b"".join(client.get(ledger_page + "download/").streaming_content).decode("utf-8")
    assert text.startswith("\ufeff職員番号")
    line = text.splitlines()[1].split(",")
    assert line[:5] == ["100001", "山田 太郎", "2026-11", "240", "0"]


def test_exports_are_refused_to_anyone_but_the_centre(city, clerk, client, november_overtime):
    client.force_login(city.approver.user)
    response = client.post(
        "/personnel/exports/start/", {"code": "payroll.inputs", "format": "xlsx", "month": "2026-11"}
    )
    assert response.status_code == 403
    assert client.get("/payroll/centre/").status_code == 403


def test_the_months_export_reads_a_type_in_one_query_whatever_its_rows(city, office, django_assert_num_queries):
    for rent in (30_000, 40_000, 50_000):
        decide(city, file(city, office, "housing", start_month=DECEMBER, rent=rent, landlord="北九ハイツ"), office)
    with django_assert_num_queries(1):
        rows = list(input_rows(DECEMBER, BY_CODE["housing"]))
    assert [row[-1] for row in rows] == [12_500, 17_500, 22_500]
    assert rows[0][:3] == ["100001", "山田 太郎", "人事係"]
