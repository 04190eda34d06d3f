"""The approvals audit trail (approvals/audit.py on personnel/auditchain.py) and `manage.py verify_audit`: every
action leaves an entry linked to the one before, in one go with the personnel entries it caused. Tampering is in
test_audit_tamper.py."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from approvals import audit, services
from approvals.models import AuditAction, AuditEntry, Document, DocumentStatus
from personnel.management.commands.verify_audit import Command
from personnel.models import AuditChainHead, PersonnelAudit
from tests.approvals.helpers import file_leave, slot_of
from tests.leave.test_filing import decide as leave_decide
from tests.leave.test_filing import file as leave_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(city, office) -> Document:
    """A memo filed and decided: entries #1 file, #2 and #3 approve, #4 decide."""
    document = file_leave(city, office, title="年次休暇")
    for staff in (city.chief, city.delegate, city.approver):
        services.slot_approve(
            slot=slot_of(document, staff), actor=staff.user, ctx=office, comment=f"{staff.family_name} 確認"
        )
    return document


def run_command() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_it_chains_every_entry_of_a_flow_to_the_one_before(decided):
    entries = list(AuditEntry.objects.order_by("seq"))

    assert [(e.seq, e.action) for e in entries] == [
        (1, AuditAction.FILE),
        (2, AuditAction.APPROVE),
        (3, AuditAction.APPROVE),
        (4, AuditAction.DECIDE),
    ]
    assert entries[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert entries[3].detail["number"] == "2026-総務-000001"
    head = AuditChainHead.objects.get(chain="approvals")
    assert (head.seq, head.hash) == (4, entries[3].hash)


def test_it_records_who_acted_and_from_where(city, decided):
    entry = AuditEntry.objects.get(seq=2)

    assert (entry.actor, entry.on_behalf_of, entry.zone, entry.comment) == (city.chief, None, "office", "鈴木 確認")
    assert entry.document == decided


def test_it_verifies_an_untouched_chain(decided):
    report = audit.verify()

    assert report.ok
    assert report.counts["approvals"] == 4


def test_it_records_the_status_each_action_left_the_document_in(decided):
    assert list(AuditEntry.objects.order_by("seq").values_list("status", flat=True)) == [
        DocumentStatus.IN_PROGRESS,
        DocumentStatus.IN_PROGRESS,
        DocumentStatus.IN_PROGRESS,
        DocumentStatus.DECIDED,
    ]


def test_a_leave_debit_during_the_decision_is_chained_with_it(city, office):
    """audit_record inside an approval action joins the action's collection: both chains grow in one go."""
    document = leave_file(city, office, start_date=date(2026, 12, 1))
    personnel_before = AuditChainHead.objects.get(chain="personnel").seq

    leave_decide(document, office)

    debit = PersonnelAudit.objects.get(action="leave_balance_debit")
    decision = AuditEntry.objects.get(document=document, action=AuditAction.DECIDE)
    assert debit.seq == personnel_before + 1
    assert debit.at == decision.created_at  # chained in the same moment, at the end of the decision
    assert AuditChainHead.objects.get(chain="personnel").seq == debit.seq
    assert audit.verify().ok


def test_it_leaves_no_entry_for_a_refused_action(city, office, decided):
    with pytest.raises(services.AlreadyHandled):
        services.document_withdraw(document=decided, actor=city.applicant.user, ctx=office)

    assert AuditEntry.objects.count() == 4
    assert audit.verify().ok


def test_it_prints_the_number_of_entries_of_an_intact_chain(decided):
    out = run_command()

    assert "approvals: 4 entries intact\n" in out
    assert out.endswith("Audit trail intact (first checkpoint); checkpoint 1 written.\n")


def test_it_prints_an_empty_trail_as_intact(db):
    out = run_command()

    assert out.startswith("approvals: 0 entries intact\n")
    assert out.endswith("Audit trail intact (first checkpoint); checkpoint 1 written.\n")


def test_it_exits_non_zero_on_a_broken_chain_and_writes_no_checkpoint(decided, capsys, settings):
    AuditChainHead.objects.filter(chain="approvals").update(seq=5)

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["manage.py", "verify_audit"])

    assert exit_.value.code == 1
    assert "approvals: the trail ends at #4 but its head says #5 was written" in capsys.readouterr().err
    assert not settings.AUDIT_CHECKPOINT_FILE.exists()
