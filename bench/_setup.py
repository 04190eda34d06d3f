"""What every benchmark script starts with (imported first, before any Django import): the settings, and the
database it may write to. With DATABASE_URL set, that database; without it, the SQLite file var/bench/db.sqlite3,
apart from the development database. Also the shared preparation steps of the scripts."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402 - the environment above must be in place first

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from personnel.models import Staff  # noqa: E402


def ensure_city(staff: int) -> None:
    """Build the demo city of `staff` members (seed_demo) unless the database already holds that many."""
    if Staff.objects.count() >= staff:
        return
    print(f"building the demo city: seed_demo --size {staff} …", flush=True)
    started = time.perf_counter()
    call_command("seed_demo", size=staff, verbosity=0, stdout=io.StringIO())
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def analyze() -> None:
    """Fresh planner statistics on PostgreSQL, as autovacuum would have them on a live system."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
