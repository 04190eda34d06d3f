"""The hash-chained audit trail (approvals/audit.py) and `manage.py verify_audit`: every action leaves an
entry linked to the one before, and editing or deleting any entry is reported with its sequence number."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals import audit, services
from approvals.management.commands.verify_audit import Command
from approvals.models import AuditAction, AuditEntry, AuditHead, Document
from tests.approvals.helpers import file_leave, slot_of

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
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (4, entries[3].hash)


def test_it_records_who_acted_and_from_where(city, decided):
    entry = AuditEntry.objects.get(seq=2)

    assert (entry.actor, entry.on_behalf_of, entry.zone, entry.comment) == (city.chief, None, "office", "鈴木 確認")
    assert entry.document == decided


def test_it_verifies_an_untouched_chain(decided):
    report = audit.verify()

    assert report.ok
    assert report.checked == 4


def test_it_reports_the_entry_whose_comment_was_edited(decided):
    AuditEntry.objects.filter(seq=2).update(comment="問題なし")

    report = audit.verify()

    assert not report.ok
    assert report.broken_at == 2
    assert report.problem == "its content does not match its hash (edited)"
    assert report.checked == 1


def test_it_reports_an_edit_whose_hash_was_recomputed_at_the_next_link(decided):
    forged = AuditEntry.objects.get(seq=2)
    forged.comment = "問題なし"
    forged.hash = audit._hash_of(forged)
    AuditEntry.objects.filter(seq=2).update(comment=forged.comment, hash=forged.hash)

    report = audit.verify()

    assert (report.broken_at, report.problem) == (3, "it does not link to the previous entry")


def test_it_reports_a_deleted_entry_as_missing(decided):
    AuditEntry.objects.filter(seq=3).delete()

    report = audit.verify()

    assert (report.broken_at, report.problem) == (3, "entry #3 is missing")


def test_it_reports_the_deletion_of_the_last_entries(decided):
    AuditEntry.objects.filter(seq__gte=3).delete()

    report = audit.verify()

    assert (report.broken_at, report.problem) == (3, "the chain ends at #2 but #4 was written")


def test_it_leaves_no_entry_for_a_refused_action(city, office, decided):
    with pytest.raises(services.AlreadyHandled):
        services.document_withdraw(document=decided, actor=city.applicant.user, ctx=office)

    assert AuditEntry.objects.count() == 4
    assert audit.verify().ok


def test_it_prints_the_number_of_entries_of_an_intact_chain(decided):
    assert run_command() == "Audit chain intact: 4 entries.\n"


def test_it_prints_an_empty_trail_as_intact(db):
    assert run_command() == "Audit chain intact: 0 entries.\n"


def test_it_fails_the_command_naming_the_first_broken_entry(decided):
    AuditEntry.objects.filter(seq=2).update(comment="問題なし")

    with pytest.raises(CommandError, match=r"^Audit chain broken at entry #2: its content does not match its hash"):
        run_command()


def test_it_exits_non_zero_on_a_broken_chain(decided, capsys):
    AuditEntry.objects.filter(seq=4).delete()

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["manage.py", "verify_audit"])

    assert exit_.value.code == 1
    assert "Audit chain broken at entry #4: the chain ends at #3 but #4 was written" in capsys.readouterr().err
