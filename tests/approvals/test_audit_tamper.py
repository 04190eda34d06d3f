"""The audit trail against someone who can write to the database (issue 9): every way of rewriting history that
needs only SQL and the public source is reported by `manage.py verify_audit`, naming the entry or the checkpoint.

The attacker here owns the tables (on PostgreSQL they switch the append-only triggers off first, as a table owner
may) and recomputes hashes exactly as the public source does; what they do not have is the audit key, which lives
outside the database, nor the checkpoint file under PORTAL_VAR_DIR.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from approvals import services
from approvals.models import AuditEntry, Document, DocumentStatus
from personnel import auditchain
from personnel.models import PersonnelAudit
from tests.approvals.helpers import file_leave, slot_of

pytestmark = pytest.mark.django_db

AUDIT_TABLES = ("approvals_auditentry", "personnel_personnelaudit")


@pytest.fixture
def decided(city, office) -> Document:
    """A memo filed and decided: approvals entries #1 file, #2 and #3 approve, #4 decide; then a checkpoint."""
    document = file_leave(city, office, title="年次休暇")
    for staff in (city.chief, city.delegate, city.approver):
        services.slot_approve(slot=slot_of(document, staff), actor=staff.user, ctx=office, comment="確認")
    verify()  # the run writes checkpoint 1, as the daily timer would
    return document


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def attacker_sql(sql: str, params: tuple = ()) -> None:
    """Raw SQL as the tables' owner: on PostgreSQL the append-only triggers are switched off first (an owner may;
    the portal's production role may not, see test_the_production_role_cannot_touch_the_trail)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks, or ALTER TABLE refuses
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def forge(entry, *, key: bytes = b"guessed") -> str:
    """The hash of an entry as the public source computes it, with everything the database holds but the key."""
    return auditchain.digest(entry.chain_payload(), key=key)


def rechain_from(seq: int, *, key: bytes = b"guessed") -> None:
    """Recompute every link from entry `seq` on, and move the head along: a rewrite that leaves no broken link
    for anyone who does not hold the key."""
    previous = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else auditchain.GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = previous
        entry.hash = forge(entry, key=key)
        attacker_sql(
            "UPDATE approvals_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s",
            (entry.prev_hash, entry.hash, entry.seq),
        )
        previous = entry.hash
    attacker_sql("UPDATE personnel_auditchainhead SET hash = %s WHERE chain = 'approvals'", (previous,))


def test_an_untouched_trail_verifies_and_leaves_a_checkpoint(decided, settings):
    out = verify()

    assert "approvals: 4 entries intact" in out
    assert "checkpoint 2 written" in out
    lines = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    assert [json.loads(line)["chains"]["approvals"]["seq"] for line in lines] == [4, 4]


def test_it_names_an_edited_entry(decided):
    attacker_sql("UPDATE approvals_auditentry SET comment = %s WHERE seq = 2", ("問題なし",))

    with pytest.raises(CommandError, match=r"approvals #2: its content does not match its hash"):
        verify()


def test_it_names_an_edit_whose_hash_was_recomputed_without_the_key(decided):
    attacker_sql("UPDATE approvals_auditentry SET comment = %s WHERE seq = 2", ("問題なし",))
    rechain_from(2)

    with pytest.raises(CommandError, match=r"approvals #2: its content does not match its hash"):
        verify()


def test_it_names_a_deleted_entry(decided):
    attacker_sql("DELETE FROM approvals_auditentry WHERE seq = 3")

    with pytest.raises(CommandError, match=r"approvals #3 is missing"):
        verify()


def test_it_names_an_inserted_entry(decided):
    attacker_sql("UPDATE approvals_auditentry SET seq = seq + 1000 WHERE seq >= 3")
    attacker_sql("UPDATE approvals_auditentry SET seq = seq - 999 WHERE seq >= 1000")
    attacker_sql(
        "INSERT INTO approvals_auditentry (seq, document_id, action, actor_id, on_behalf_of_id, zone, comment, detail,"
        " created_at, prev_hash, hash, key_id, status) SELECT 3, document_id, 'reject', actor_id, on_behalf_of_id,"
        " zone, '差し戻し', detail, created_at, prev_hash, hash, key_id, '' FROM approvals_auditentry WHERE seq = 2"
    )
    rechain_from(3)

    with pytest.raises(CommandError, match=r"approvals #3: its content does not match its hash"):
        verify()


def test_it_names_reordered_entries(decided):
    attacker_sql("UPDATE approvals_auditentry SET seq = 0 WHERE seq = 2")
    attacker_sql("UPDATE approvals_auditentry SET seq = 2 WHERE seq = 3")
    attacker_sql("UPDATE approvals_auditentry SET seq = 3 WHERE seq = 0")
    rechain_from(2)

    with pytest.raises(CommandError, match=r"approvals #2: its content does not match its hash"):
        verify()


def test_it_names_the_checkpoint_that_proves_a_truncation_with_the_head_rewound(decided):
    attacker_sql("DELETE FROM approvals_auditentry WHERE seq >= 3")
    second = AuditEntry.objects.get(seq=2)
    attacker_sql(
        "UPDATE personnel_auditchainhead SET seq = 2, hash = %s WHERE chain = 'approvals'",
        (second.hash,),
    )

    with pytest.raises(CommandError, match=r"approvals: checkpoint 1 .* recorded #4, but the trail ends at #2"):
        verify()


def test_it_reports_a_trail_deleted_entirely(decided):
    attacker_sql("DELETE FROM approvals_auditentry")
    attacker_sql("DELETE FROM personnel_auditchainhead WHERE chain = 'approvals'")

    with pytest.raises(CommandError, match=r"approvals: checkpoint 1 .* recorded #4, but the trail is empty"):
        verify()


def test_a_rewrite_by_someone_holding_the_key_is_caught_by_the_checkpoint(decided, settings):
    """Even the key is not enough: entries the last checkpoint covers cannot be rewritten unnoticed."""
    attacker_sql("UPDATE approvals_auditentry SET comment = %s WHERE seq = 3", ("問題なし",))
    rechain_from(3, key=auditchain.current_key()[1])

    with pytest.raises(CommandError, match=r"approvals #4 differs from checkpoint 1 of .* \(rewritten\)"):
        verify()


def test_it_reports_a_status_changed_in_sql_without_an_entry(decided):
    attacker_sql("UPDATE approvals_document SET status = %s WHERE id = %s", (DocumentStatus.REJECTED, decided.pk))

    with pytest.raises(CommandError, match=r"document 2026-総務-000001: status 'rejected', but its trail ends at 'dec"):
        verify()


def test_the_personnel_trail_is_chained_too(city, decided):
    first = PersonnelAudit.objects.order_by("seq").first()
    attacker_sql("UPDATE personnel_personnelaudit SET target = %s WHERE id = %s", ("書き換え", first.pk))

    with pytest.raises(CommandError, match=rf"personnel #{first.seq}: its content does not match its hash"):
        verify()


def test_an_edited_checkpoint_file_is_reported(decided, settings):
    path = settings.AUDIT_CHECKPOINT_FILE
    path.write_text(path.read_text().replace('"seq": 4', '"seq": 3', 1))

    with pytest.raises(CommandError, match=r"checkpoint 1 .*does not match its own hash"):
        verify()


def test_the_checkpoint_goes_to_the_system_log_too(decided, settings, monkeypatch):
    sent = []
    settings.AUDIT_CHECKPOINT_SYSLOG = True
    monkeypatch.setattr(auditchain.syslog, "syslog", lambda *args: sent.append(args[-1]))

    verify()

    assert len(sent) == 1
    assert "checkpoint 2" in sent[0] and f"approvals=#4:{AuditEntry.objects.get(seq=4).hash}" in sent[0]


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE {table} SET zone = 'remote'", "DELETE FROM {table}"])
@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_database_refuses_to_change_an_audit_row(decided, table, statement):
    refused = pytest.raises(DatabaseError, match="Cannot (update|delete)")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))

    assert AuditEntry.objects.count() == 4


@pytest.mark.postgres
def test_the_production_role_cannot_touch_the_trail(decided, worker_id):
    """The documented role (manage.py db_grants) cannot update, delete, truncate or switch off the triggers, also
    not with pgtrigger's own bypass (a session setting anyone may set)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database role cannot create roles (CI's can)")
        role = f"kessai_app_test_{worker_id}"
        cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER")
        cursor.execute(f"GRANT {role} TO current_user")
        out = StringIO()
        call_command("db_grants", role, stdout=out)
        cursor.execute(out.getvalue())
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("SET LOCAL pgtrigger.ignore = '{}'".format("{" + ",".join(_trigger_names()) + "}"))
        for attack in (
            "UPDATE approvals_auditentry SET comment = 'x'",
            "DELETE FROM approvals_auditentry",
            "TRUNCATE approvals_auditentry CASCADE",
            "UPDATE personnel_personnelaudit SET target = 'x'",
            "ALTER TABLE approvals_auditentry DISABLE TRIGGER USER",
        ):
            with pytest.raises(DatabaseError, match="permission denied|must be owner"), transaction.atomic():
                cursor.execute(attack)
        cursor.execute("SELECT count(*) FROM approvals_auditentry")
        assert cursor.fetchone()[0] == 4
        cursor.execute("RESET ROLE")


def _trigger_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%'")
        return [name for (name,) in cursor.fetchall()]
