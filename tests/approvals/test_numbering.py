"""決裁番号 (approvals/numbering.py): `<fiscal year>-<department>-<000001>`, per fiscal year (April–March) and
drafting department, given only to decisions and without gaps.

city.applicant drafts in 人事係, whose department is 総務部 (abbreviation 総務).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from approvals import services
from approvals.models import AuditEntry, Document, DocumentStatus, NumberSequence, SlotState
from personnel import services as personnel_services
from personnel.access import AccessContext
from personnel.models import OrgUnit, Position, Staff, UnitKind
from tests.approvals.helpers import approve_in_turn, file_document, slot_of
from tests.conftest import PASSWORD, TOKYO
from tests.sample_types.models import MEMO, PURCHASE

pytestmark = pytest.mark.django_db


def file(staff: Staff, ctx, doc_type: str = MEMO, **kwargs) -> Document:
    return file_document(staff.user, ctx, doc_type=doc_type, title=f"{doc_type} 起案", **kwargs)


def decided(city, ctx, filed_on=None) -> Document:
    """A memo of 人事係 filed (on `filed_on`, default the same day) and decided on `ctx.today`."""
    document = file(city.applicant, filed_on or ctx)
    return approve_in_turn(document, [city.chief, city.delegate, city.approver], ctx)


def test_it_numbers_a_decision_of_31_march_in_the_fiscal_year_that_ends_that_day(city, office):
    document = decided(city, AccessContext.office(today=date(2027, 3, 31)), filed_on=office)

    assert document.number == "2026-総務-000001"


def test_it_starts_a_new_sequence_on_1_april(city, office):
    march = decided(city, AccessContext.office(today=date(2027, 3, 31)), filed_on=office)
    april = decided(city, AccessContext.office(today=date(2027, 4, 1)), filed_on=office)
    april_again = decided(city, AccessContext.office(today=date(2027, 4, 1)), filed_on=office)

    assert [march.number, april.number, april_again.number] == [
        "2026-総務-000001",
        "2027-総務-000001",
        "2027-総務-000002",
    ]


def test_it_numbers_by_the_day_in_tokyo_at_midnight_on_1_april(city, clock):
    """Decided through the pages' clock, not a given date: one second before and one after midnight (JST)."""
    document = file(city.applicant, AccessContext.office())
    approve_in_turn(document, [city.chief, city.delegate], AccessContext.office())
    other = file(city.applicant, AccessContext.office())
    approve_in_turn(other, [city.chief, city.delegate], AccessContext.office())

    clock.move_to(datetime(2027, 3, 31, 23, 59, 59, tzinfo=TOKYO))
    march = approve_in_turn(document, [city.approver], AccessContext.office())
    clock.shift(timedelta(seconds=1))
    april = approve_in_turn(other, [city.approver], AccessContext.office())

    assert (march.number, april.number) == ("2026-総務-000001", "2027-総務-000001")


def test_it_counts_each_department_on_its_own(city, office, system_ctx):
    counter_clerk = personnel_services.staff_create(
        actor=None,
        ctx=system_ctx,
        row=personnel_services.StaffRow("100010", "木村", "翔", "キムラ", "ショウ", extension="0010"),
        password=PASSWORD,
    )
    personnel_services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=counter_clerk,
        unit=OrgUnit.objects.get(pk=city.units["SS4"].pk),  # 窓口係 of 市民部
        position=Position.objects.get(code="staff"),
        start_date=date(2026, 4, 1),
    )

    first = decided(city, office)
    citizens = approve_in_turn(file(counter_clerk, office), [city.outsider], office)
    second = decided(city, office)

    assert [first.number, citizens.number, second.number] == [
        "2026-総務-000001",
        "2026-市民-000001",
        "2026-総務-000002",
    ]


def test_it_gives_no_number_to_a_rejected_or_withdrawn_document(city, office):
    rejected = file(city.applicant, office)
    services.document_reject(slot=slot_of(rejected, city.chief), actor=city.chief.user, ctx=office, comment="不可")
    withdrawn = file(city.applicant, office)
    services.document_withdraw(document=withdrawn, actor=city.applicant.user, ctx=office)

    document = decided(city, office)

    assert Document.objects.get(pk=rejected.pk).number is None
    assert Document.objects.get(pk=withdrawn.pk).number is None
    assert document.number == "2026-総務-000001"


# A memo whose decision hook refuses, as finance's would when the budget line is exhausted.
REFUSED = "予算の残額が足りません。"


def test_it_takes_no_number_when_the_document_type_refuses_the_decision(city, office):
    memo = file(city.applicant, office, refuse_decision=REFUSED)
    approve_in_turn(memo, [city.chief, city.delegate], office)
    entries = AuditEntry.objects.count()

    with pytest.raises(services.ActionRefused, match="予算の残額が足りません。"):
        services.slot_approve(slot=slot_of(memo, city.approver), actor=city.approver.user, ctx=office)

    memo.refresh_from_db()
    assert (memo.status, memo.number) == (DocumentStatus.IN_PROGRESS, None)
    assert slot_of(memo, city.approver).state == SlotState.PENDING
    assert AuditEntry.objects.count() == entries
    assert not NumberSequence.objects.filter(last__gt=0).exists()


def test_it_gives_the_next_decision_the_next_number_after_a_refused_one(city, office):
    first = decided(city, office)
    memo = file(city.applicant, office, refuse_decision=REFUSED)
    approve_in_turn(memo, [city.chief, city.delegate], office)
    with pytest.raises(services.ActionRefused):
        services.slot_approve(slot=slot_of(memo, city.approver), actor=city.approver.user, ctx=office)

    second = decided(city, office)

    assert [first.number, second.number] == ["2026-総務-000001", "2026-総務-000002"]


def test_it_numbers_a_section_outside_any_department_with_the_unit_above_it(city, office, system_ctx):
    """A 課 directly under the city (会計課 beside the 局) has no 部: it counts with the city's sequence."""
    accounts = personnel_services.orgunit_create(
        actor=None,
        ctx=system_ctx,
        parent=OrgUnit.objects.get(code="C"),
        code="S9",
        name="会計課",
        kind=UnitKind.SECTION,
        abbreviation="会計",
    )
    people = {}
    for number, family, position in (("100011", "松本", "staff"), ("100012", "井上", "section_head")):
        people[position] = personnel_services.staff_create(
            actor=None,
            ctx=system_ctx,
            row=personnel_services.StaffRow(number, family, "一", "マツモト", "ハジメ", extension=number[-4:]),
            password=PASSWORD,
        )
        personnel_services.assignment_create(
            actor=None,
            ctx=system_ctx,
            staff=people[position],
            unit=OrgUnit.objects.get(pk=accounts.pk),
            position=Position.objects.get(code=position),
            start_date=date(2026, 4, 1),
        )

    document = approve_in_turn(file(people["staff"], office), [people["section_head"]], office)

    assert document.status == DocumentStatus.DECIDED
    assert document.number == "2026-市-000001"


def test_it_never_repeats_a_number_for_two_departments_that_share_an_abbreviation(city, office, system_ctx):
    """総務局 (a 局-level document) and 総務部 are both "総務": they share one counter, so no number repeats."""
    people = {}
    for number, family, position in (("100013", "清水", "staff"), ("100014", "森", "bureau_head")):
        people[position] = personnel_services.staff_create(
            actor=None,
            ctx=system_ctx,
            row=personnel_services.StaffRow(number, family, "一", "シミズ", "ハジメ", extension=number[-4:]),
            password=PASSWORD,
        )
        personnel_services.assignment_create(
            actor=None,
            ctx=system_ctx,
            staff=people[position],
            unit=OrgUnit.objects.get(code="B1"),
            position=Position.objects.get(code=position),
            start_date=date(2026, 4, 1),
        )

    department = decided(city, office)
    bureau = approve_in_turn(
        file(people["staff"], office, doc_type=PURCHASE, amount=20_000_000), [people["bureau_head"]], office
    )

    assert [department.number, bureau.number] == ["2026-総務-000001", "2026-総務-000002"]
