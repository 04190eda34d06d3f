"""後閲 — deciding ahead of approvers — only past approvers who are absent that day (issue 9): on decided leave,
or marked absent for the day by themselves or HR (a business trip is marked so until travel orders exist); the
record says why each was passed over. Absence comes from personnel.absence, which the leave type feeds."""

from __future__ import annotations

from datetime import date

import pytest

from approvals import services
from approvals.models import AuditAction, AuditEntry, DocumentStatus, SlotState
from leave import services as leave_services
from personnel import absence
from personnel.access import AccessContext, AccessDenied
from personnel.models import PersonnelAudit
from tests.approvals.helpers import file_leave, slot_of
from tests.conftest import TODAY
from tests.leave.test_filing import decide as decide_leave

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 11, 24)  # TODAY (23 November) is a national holiday: no leave is taken on it


def ahead(city, document, ctx):
    return services.slot_approve_ahead(
        slot=slot_of(document, city.approver), actor=city.approver.user, ctx=ctx, comment="急ぎのため"
    )


def test_it_refuses_to_pass_over_approvers_who_are_at_work(city, office):
    """Attack: a 課長 decided past the 係長 and 課長補佐 sitting at their desks, calling it 後閲."""
    document = file_leave(city, office)

    with pytest.raises(services.ActionRefused, match="鈴木 一郎.*not absent today"):
        ahead(city, document, office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.IN_PROGRESS
    assert slot_of(document, city.chief).state == SlotState.PENDING


def test_it_refuses_when_only_one_of_the_approvers_passed_over_is_absent(city, office):
    absence.absence_mark(staff=city.chief, day=TODAY, reason="研修", actor=city.chief.user, ctx=office)
    document = file_leave(city, office)

    with pytest.raises(services.ActionRefused, match="中村 大輔"):
        ahead(city, document, office)


def test_it_passes_over_absent_approvers_and_the_record_says_why(city, office):
    absence.absence_mark(staff=city.chief, day=TODAY, reason="出張（東京）", actor=city.chief.user, ctx=office)
    absence.absence_mark(staff=city.delegate, day=TODAY, reason="病欠", actor=city.hr_clerk.user, ctx=office)
    document = file_leave(city, office)

    ahead(city, document, office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    entry = AuditEntry.objects.get(document=document, action=AuditAction.POST_REVIEW)
    assert entry.detail["absent"] == {"鈴木 一郎": "不在: 出張（東京）", "中村 大輔": "不在: 病欠"}


def test_decided_leave_makes_an_approver_absent(city, office):
    for staff in (city.chief, city.delegate):
        leave = leave_services.leave_request_file(
            actor=staff.user, ctx=office, leave_type="annual", unit="day", start_date=TUESDAY, end_date=TUESDAY
        )
        decide_leave(leave, office)
    document = file_leave(city, office)

    ahead(city, document, AccessContext.office(today=TUESDAY))

    entry = AuditEntry.objects.get(document=document, action=AuditAction.POST_REVIEW)
    assert entry.detail["absent"]["鈴木 一郎"].startswith("年次休暇")


def test_leave_still_waiting_for_its_decision_is_no_absence(city, office):
    leave_services.leave_request_file(
        actor=city.chief.user, ctx=office, leave_type="annual", unit="day", start_date=TUESDAY, end_date=TUESDAY
    )

    assert city.chief.pk not in absence.absences([city.chief.pk], TUESDAY)


def test_only_the_person_or_hr_marks_someone_absent(city, office):
    with pytest.raises(AccessDenied):
        absence.absence_mark(staff=city.chief, day=TODAY, reason="不在", actor=city.approver.user, ctx=office)

    assert absence.absences([city.chief.pk], TODAY) == {}


def test_marking_an_absence_is_audited_and_lasts_the_day(city, office):
    absence.absence_mark(staff=city.chief, day=TODAY, reason="研修", actor=city.hr_clerk.user, ctx=office)

    entry = PersonnelAudit.objects.get(action="absence_mark")
    assert (entry.actor, entry.on_behalf_of) == (city.hr_clerk.user, city.chief.user)
    assert absence.absences([city.chief.pk], TUESDAY) == {}


def test_an_absence_can_be_taken_back(city, office):
    absence.absence_mark(staff=city.chief, day=TODAY, reason="研修", actor=city.chief.user, ctx=office)

    absence.absence_clear(staff=city.chief, day=TODAY, actor=city.chief.user, ctx=office)

    assert absence.absences([city.chief.pk], TODAY) == {}
