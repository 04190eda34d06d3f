"""The audit key outside the database (personnel/auditchain.py): made on a first DEBUG run, rotated by adding a
line, and an old key kept to verify what it signed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from personnel import auditchain
from personnel.models import PersonnelAudit
from tests.approvals.helpers import away

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings, tmp_path):
    settings.AUDIT_KEYS = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit.key"
    auditchain.load_keys.cache_clear()
    yield settings.AUDIT_KEY_FILE
    auditchain.load_keys.cache_clear()


@pytest.fixture
def key_file_in_use(settings, tmp_path):
    """The key file of an installation whose entries so far were signed with the test run's key."""
    path = tmp_path / "audit.key"
    path.write_text("".join(f"{key_id} {key.hex()}\n" for key_id, key in auditchain.load_keys().items()))
    settings.AUDIT_KEYS, settings.AUDIT_KEY_FILE = "", path
    auditchain.load_keys.cache_clear()
    yield path
    auditchain.load_keys.cache_clear()


def test_a_first_debug_run_makes_a_key_file_only_its_owner_reads(settings, key_file):
    settings.DEBUG = True

    key_id, key = auditchain.current_key()

    assert len(key) == 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_id in key_file.read_text()


def test_without_a_key_production_refuses_to_audit(settings, key_file):
    settings.DEBUG = False

    with pytest.raises(ImproperlyConfigured, match="No audit key"):
        auditchain.current_key()


def test_a_rotation_signs_new_entries_with_the_new_key_and_still_verifies_the_old(city, key_file_in_use):
    key_file = key_file_in_use
    old_id, _key = auditchain.current_key()
    away(city, city.chief)
    out = StringIO()
    call_command("audit_key", "--new", stdout=out)
    with key_file.open("a") as file:
        file.write(out.getvalue())
    auditchain.load_keys.cache_clear()

    away(city, city.delegate)

    new_id, _key = auditchain.current_key()
    assert new_id != old_id
    marks = PersonnelAudit.objects.filter(action="absence_mark").order_by("seq")
    assert [entry.key_id for entry in marks] == [old_id, new_id]
    assert auditchain.verify().ok


def test_a_malformed_key_is_refused_with_where_it_is(settings, key_file):
    key_file.write_text("2026a not-hex\n")

    with pytest.raises(ImproperlyConfigured, match=r"audit.key, key 1"):
        auditchain.current_key()
