"""The contract every document type keeps with the engine (approvals/doctypes.py), run for each registered type
with its own sample data: it files, routes, decides, rejects, withdraws, is sent back and corrected, and is
cancelled (取消), and its pages show it. A type added to the registry without sample data here fails
`test_every_registered_type_has_sample_data`, so no type escapes the contract.

Each sample names a probe — what the type holds while a document counts (leave: the annual leave still available;
telework: the days occupied; the test-only purchase: stock reserved and consumed) — and what it reads before
filing, once filed, and once decided. Closing a document without a decision, or cancelling a decided one, must
give the probe back its first value.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import timezone

from approvals import doctypes, services
from approvals.models import AuditAction, AuditEntry, Document, DocumentStatus, SlotState, StepApprover
from leave import services as leave_services
from payroll.models import InputState, OvertimeMonth, OvertimeOrder, PayrollInput
from personnel.access import AccessContext
from personnel.models import ExportJob
from telework_applications.models import TeleworkApplication
from tests.approvals.helpers import paper
from tests.sample_types.models import Stock
from tests.webtools import log_in, page_text

pytestmark = pytest.mark.django_db

ROUTE = ["係長", "課長補佐", "課長"]  # of city.applicant (人事係 係員) for every sample: the 課長 decides


def _occupying(model, city) -> int:
    return model.objects.filter(staff=city.applicant, document__status__in=(*services.filing.LIVE_STATUSES,)).count()


@dataclass(frozen=True)
class Sample:
    data: Callable[[Any], dict]
    revised: Callable[[Any], dict]  # a correction after a send-back
    changed: str  # a field the correction changes, as the history names it
    probe: Callable[[Any], Any]
    before: Any
    filed: Any
    decided: Any
    corrected: Any = None  # the probe once the correction is filed, when it differs from `filed`


SAMPLES: dict[str, Sample] = {
    "leave": Sample(
        data=lambda city: {
            "leave_type": "annual",
            "unit": "day",
            "start_date": date(2026, 12, 1),
            "end_date": date(2026, 12, 2),
            "reason": "家族旅行",
        },
        revised=lambda city: {
            "leave_type": "annual",
            "unit": "day",
            "start_date": date(2026, 12, 1),
            "end_date": date(2026, 12, 3),
            "reason": "家族旅行（延長）",
        },
        changed="end_date",
        probe=lambda city: leave_services.leave_summary(staff=city.applicant, year=2026).available,
        before=Decimal(20 * 465),
        filed=Decimal(18 * 465),
        decided=Decimal(18 * 465),
        corrected=Decimal(17 * 465),
    ),
    "telework": Sample(
        data=lambda city: {
            "start_date": date(2026, 11, 24),
            "end_date": date(2026, 11, 27),
            "tasks": "条例改正案の資料作成",
            "place": "自宅",
        },
        revised=lambda city: {
            "start_date": date(2026, 11, 25),
            "end_date": date(2026, 11, 27),
            "tasks": "条例改正案の資料作成",
            "place": "自宅",
        },
        changed="start_date",
        probe=lambda city: _occupying(TeleworkApplication, city),
        before=0,
        filed=1,
        decided=1,
    ),
    "memo": Sample(
        data=lambda city: {"title": "庁舎清掃業者の変更について", "body": "見積を添付します。", "note": "至急"},
        revised=lambda city: {"title": "庁舎清掃業者の変更について", "body": "見積を添付します。", "note": "通常"},
        changed="note",
        probe=lambda city: Document.objects.filter(
            doc_type="memo", cancels__isnull=True, status__in=services.filing.LIVE_STATUSES
        ).count(),
        before=0,
        filed=1,
        decided=1,
    ),
    "purchase": Sample(
        data=lambda city: {"title": "コピー用紙の購入", "stock": paper(), "quantity": 2, "unit_price": Decimal(10_000)},
        revised=lambda city: {
            "title": "コピー用紙の購入",
            "stock": paper(),
            "quantity": 3,
            "unit_price": Decimal(10_000),
        },
        changed="quantity",
        probe=lambda city: tuple(Stock.objects.filter(pk=paper().pk).values_list("reserved", "consumed").get()),
        before=(0, 0),
        filed=(2, 0),
        decided=(0, 2),
        corrected=(3, 0),
    ),
}


def _decided_inputs(city) -> int:
    """Payroll inputs waiting for (or past) the 庶務センター's check: what a payroll input's decision makes."""
    return PayrollInput.objects.filter(staff=city.applicant, state__in=(InputState.DECIDED, InputState.CHECKED)).count()


def _november_overtime(city) -> int:
    ledger = OvertimeMonth.objects.filter(staff=city.applicant, month=date(2026, 11, 1)).first()
    return ledger.total_minutes if ledger else 0


def _ordered_this_morning(city) -> None:
    """A decided order for this morning 06:00–08:00 (the clock is at 10:00), so the report below may be filed."""
    if OvertimeOrder.objects.filter(staff=city.applicant, document__status="decided").exists():
        return
    ctx = AccessContext.office(today=date(2026, 11, 23))
    order = services.document_file(
        actor=city.applicant.user,
        ctx=ctx,
        doc_type="ot_order",
        data={
            "work_date": date(2026, 11, 23),
            "planned_start": time(6),
            "planned_end": time(8),
            "reason": "災害対応準備",
        },
    )
    decide(order, ctx)


def _report(end: int):
    def data(city) -> dict:
        _ordered_this_morning(city)
        return {
            "work_date": date(2026, 11, 23),
            "start_time": time(6),
            "end_time": time(end),
            "work": "避難所の開設準備",
        }

    return data


def _commuting(km: str):
    return lambda city: {
        "start_month": date(2026, 12, 1),
        "parking": 0,
        "leg1_means": "transit",
        "leg1_line": "JR鹿児島本線",
        "leg1_from": "折尾",
        "leg1_to": "小倉",
        "leg1_km": Decimal(km),
        "leg1_pass1": 15_000,
    }


def _bank(number: str):
    return lambda city: {
        "start_month": date(2026, 12, 1),
        "bank": "北九州銀行",
        "branch": "本店",
        "account_type": "ordinary",
        "account_number": number,
        "holder_kana": "ヤマダタロウ",
    }


def _dependant(name: str):
    return lambda city: {
        "change": "add",
        "name": name,
        "relationship": "child",
        "birth_date": date(2026, 10, 1),
        "annual_income": 0,
        "effective_date": date(2026, 12, 1),
    }


def _export_needing_permission(city) -> ExportJob:
    """An export of the applicant's that holds personal data beyond the threshold (the 持ち出し rule)."""
    job = ExportJob.objects.filter(owner=city.applicant).order_by("-pk").first()
    if job is None:
        job = ExportJob.objects.create(
            owner=city.applicant,
            code="personnel.directory",
            label="職員名簿",
            fmt="xlsx",
            zone="office",
            rows_total=500,
            personal=True,
            created_at=timezone.now(),
            permission=ExportJob.Permission.NEEDED,
        )
    return job


def _takeout(purpose: str):
    return lambda city: {"job": _export_needing_permission(city).pk, "purpose": purpose, "medium": "encrypted_usb"}


def _downloadable(city) -> bool:
    job = _export_needing_permission(city)
    return job.permission in (ExportJob.Permission.NOT_NEEDED, ExportJob.Permission.GRANTED)


def _inputs(data, revised, changed: str) -> Sample:
    return Sample(data=data, revised=revised, changed=changed, probe=_decided_inputs, before=0, filed=0, decided=1)


SAMPLES.update(
    {
        "ot_order": _inputs(
            lambda city: {
                "work_date": date(2026, 11, 24),
                "planned_start": time(18),
                "planned_end": time(20),
                "reason": "予算資料",
            },
            lambda city: {
                "work_date": date(2026, 11, 24),
                "planned_start": time(18),
                "planned_end": time(21),
                "reason": "予算資料",
            },
            "planned_end",
        ),
        "ot_report": Sample(
            data=_report(8),
            revised=_report(9),
            changed="end_time",
            probe=_november_overtime,
            before=0,
            filed=0,
            decided=120,
        ),
        "commuting": _inputs(_commuting("20"), _commuting("21"), "one_way_km"),
        "housing": _inputs(
            lambda city: {"start_month": date(2026, 12, 1), "rent": 50_000, "landlord": "北九ハイツ"},
            lambda city: {"start_month": date(2026, 12, 1), "rent": 52_000, "landlord": "北九ハイツ"},
            "rent",
        ),
        "dependants": _inputs(_dependant("山田一"), _dependant("山田一郎"), "name"),
        "address": _inputs(
            lambda city: {"moved_on": date(2026, 12, 1), "postal_code": "803-8501", "address": "小倉北区城内1-1"},
            lambda city: {"moved_on": date(2026, 12, 1), "postal_code": "803-8501", "address": "小倉北区城内1-2"},
            "address",
        ),
        "bank": _inputs(_bank("1234567"), _bank("7654321"), "account_number"),
        "takeout": Sample(
            data=_takeout("給与システムへの取込み"),
            revised=_takeout("給与システムへの取込み（取込後に消去）"),
            changed="purpose",
            probe=_downloadable,
            before=False,
            filed=False,
            decided=True,
        ),
    }
)

CODES = sorted(SAMPLES)


def file(city, office, code: str, data: dict | None = None) -> Document:
    sample = SAMPLES[code]
    return services.document_file(
        actor=city.applicant.user, ctx=office, doc_type=code, data=data if data is not None else sample.data(city)
    )


def pending(document: Document) -> StepApprover:
    return StepApprover.objects.filter(document=document, state=SlotState.PENDING, is_circulation=False).first()


def decide(document: Document, office) -> Document:
    while (slot := pending(document)) is not None:
        services.slot_approve(slot=slot, actor=slot.staff.user, ctx=office)
    return Document.objects.get(pk=document.pk)


def reject(document: Document, office) -> Document:
    slot = pending(document)
    services.document_reject(slot=slot, actor=slot.staff.user, ctx=office, comment="今回は見送り")
    return Document.objects.get(pk=document.pk)


# --------------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------------


def test_every_registered_type_has_sample_data():
    assert sorted(t.code for t in doctypes.all_types()) == CODES


def test_the_registry_holds_what_each_app_registers_at_start_up():
    owners = {t.code: type(t).__module__.split(".")[0] for t in doctypes.all_types()}
    payroll = ("ot_order", "ot_report", "commuting", "housing", "dependants", "address", "bank")
    assert owners == {
        "leave": "leave",
        "telework": "telework_applications",
        "memo": "tests",
        "purchase": "tests",
        **dict.fromkeys(payroll, "payroll"),
        "takeout": "takeout",
    }


def test_an_unknown_type_code_is_an_error_at_filing(city, office):
    with pytest.raises(doctypes.UnknownDocumentType, match="'travel'"):
        services.document_file(actor=city.applicant.user, ctx=office, doc_type="travel", data={"title": "出張"})

    assert not Document.objects.exists()


# --------------------------------------------------------------------------------------------------------
# The contract, per type
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_it_files_a_document_with_its_detail_and_route(city, office, code):
    sample = SAMPLES[code]
    assert sample.probe(city) == sample.before

    document = file(city, office, code)

    document.refresh_from_db()
    assert (document.doc_type, document.status, document.applicant) == (
        code,
        DocumentStatus.IN_PROGRESS,
        city.applicant,
    )
    assert document.detail is not None and document.detail.document_id == document.pk
    assert [s.label for s in document.steps.order_by("order")] == ROUTE
    assert pending(document).staff == city.chief
    assert AuditEntry.objects.filter(document=document, action=AuditAction.FILE).exists()
    assert document.process_id is not None
    assert sample.probe(city) == sample.filed


@pytest.mark.parametrize("code", CODES)
def test_it_decides_with_a_number_and_the_types_effect(city, office, code):
    sample = SAMPLES[code]

    document = decide(file(city, office, code), office)

    assert document.status == DocumentStatus.DECIDED
    assert document.number.startswith("2026-総務-")
    assert sample.probe(city) == sample.decided


@pytest.mark.parametrize("code", CODES)
def test_a_rejected_document_gives_back_what_filing_took(city, office, code):
    sample = SAMPLES[code]

    document = reject(file(city, office, code), office)

    assert document.status == DocumentStatus.REJECTED
    assert sample.probe(city) == sample.before


@pytest.mark.parametrize("code", CODES)
def test_a_withdrawn_document_gives_back_what_filing_took(city, office, code):
    sample = SAMPLES[code]
    document = file(city, office, code)

    services.document_withdraw(document=document, actor=city.applicant.user, ctx=office)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.WITHDRAWN
    assert sample.probe(city) == sample.before


@pytest.mark.parametrize("code", CODES)
def test_it_is_sent_back_corrected_and_filed_again(city, office, code):
    sample = SAMPLES[code]
    document = file(city, office, code)
    services.document_send_back(
        slot=pending(document), actor=city.chief.user, ctx=office, to_order=0, comment="内容を修正してください"
    )

    services.document_revise(document=document, actor=city.applicant.user, ctx=office, data=sample.revised(city))

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert pending(document).staff == city.chief  # the route starts over
    entry = AuditEntry.objects.filter(document=document).latest("seq")
    assert entry.action == AuditAction.REVISE
    assert sample.changed in {change["field"] for change in entry.detail["changes"]}
    assert sample.probe(city) == (sample.corrected if sample.corrected is not None else sample.filed)
    decided = decide(document, office)
    assert decided.status == DocumentStatus.DECIDED


@pytest.mark.parametrize("code", CODES)
def test_a_decided_document_is_cancelled_through_the_same_route(city, office, code):
    sample = SAMPLES[code]
    original = decide(file(city, office, code), office)

    cancellation = services.document_cancel_request(
        document=original, actor=city.applicant.user, ctx=office, reason="予定が変わったため"
    )
    assert (cancellation.doc_type, cancellation.cancels_id) == (code, original.pk)
    assert [s.label for s in cancellation.steps.order_by("order")] == ROUTE
    assert Document.objects.get(pk=original.pk).status == DocumentStatus.DECIDED  # until the cancellation is decided

    cancellation = decide(cancellation, office)

    original.refresh_from_db()
    assert (cancellation.status, original.status) == (DocumentStatus.DECIDED, DocumentStatus.CANCELLED)
    assert list(original.cancellations.all()) == [cancellation]
    assert sample.probe(city) == sample.before
    assert AuditEntry.objects.filter(document=original, action=AuditAction.CANCEL).exists()


# --------------------------------------------------------------------------------------------------------
# The generic pages, per type
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_an_unknown_type_code_has_no_pages(city, client):
    log_in(client, city.applicant.user)

    assert client.get(reverse("approvals:new", args=["travel"])).status_code == 404
    assert client.get(reverse("approvals:type_list", args=["travel"])).status_code == 404
    assert client.post(reverse("approvals:new", args=["travel"]), {"title": "出張"}).status_code == 404
    assert not Document.objects.exists()


def test_a_document_of_a_type_no_app_registers_fails_loudly(city, office):
    document = file(city, office, "memo")
    Document.objects.filter(pk=document.pk).update(doc_type="travel")

    with pytest.raises(doctypes.UnknownDocumentType):
        Document.objects.get(pk=document.pk).detail  # noqa: B018 - reading it is what fails
    with pytest.raises(SystemCheckError, match="approvals.E002.*'travel'"):
        call_command("check", databases=["default"], stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("code", CODES)
def test_the_filing_page_shows_the_types_fields_and_the_route(city, client, code):
    doctype = doctypes.get(code)
    log_in(client, city.applicant.user)

    response = client.get(reverse("approvals:new", args=[code]))

    text = page_text(response)
    assert response.status_code == 200
    assert all(f'name="{name}"' in text for name in doctype.form_class().fields)
    if doctype.amount_field:  # the route waits for the amount, and follows it as it is typed (htmx)
        assert "who decides this type of document depends on it" in text
        text = page_text(client.post(reverse("approvals:route", args=[code]), {doctype.amount_field: "20000"}))
    assert city.chief.full_name in text and city.approver.full_name in text


@pytest.mark.parametrize("code", CODES)
def test_the_document_page_shows_the_types_card_and_the_queue_its_row(city, client, office, code):
    document = file(city, office, code)
    log_in(client, city.chief.user)

    page = client.get(reverse("approvals:document", args=[document.pk]))
    inbox = client.get(reverse("approvals:inbox"))

    assert page.status_code == 200 and inbox.status_code == 200
    assert doctypes.get(code).card_template in [t.name for t in page.templates]
    assert doctypes.get(code).row_template in [t.name for t in inbox.templates]
    assert document.title in page_text(inbox)


@pytest.mark.parametrize("code", CODES)
def test_the_types_list_shows_my_documents(city, client, office, code):
    document = file(city, office, code)
    log_in(client, city.applicant.user)

    response = client.get(reverse("approvals:type_list", args=[code]))

    assert response.status_code == 200
    assert f'data-document="{document.pk}"' in page_text(response)
