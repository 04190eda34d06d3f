#!/usr/bin/env python
"""Benchmark of the 庶務センター's month export: 100,000 payroll-input rows written as xlsx.

    DEBUG=1 .venv/bin/python bench/export.py                  # SQLite, in its own file var/bench/db.sqlite3
    DEBUG=1 DATABASE_URL=postgres://user:pass@127.0.0.1:5432/kessai_bench .venv/bin/python bench/export.py

It WRITES to the database it uses (as bench/access.py does): without DATABASE_URL the SQLite file
var/bench/db.sqlite3.

1. migrates and builds a demo city (`seed_demo --size 1000`) unless the database has that many staff;
2. makes --rows decided overtime reports of one pay month (2031-11, far from any demo data) with their payroll-input
   rows, inserted in bulk (the bench measures the export, not filing; reusable: only the difference is added);
3. writes the month's overtime-report sheet twice, each in a forked child process so that each has its own peak
   memory: the portal's export (payroll.exports.input_sheets → personnel.spreadsheets.write_sheets: the ORM query
   with its joins, the type's columns, dates formatted, frozen header, widths) and, as the baseline, a bare openpyxl
   write-only loop appending the same columns read with one values_list() query of the same join;
4. prints rows/s of each, the portal's as a ratio of the baseline (goal ≥ 70 %), and the peak resident memory of
   each child (goal < 200 MB), and checks that both files hold --rows data rows.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import _setup  # first: the settings and the database to write to (bench/_setup.py)
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from approvals.models import Document, DocumentStatus
from payroll import exports
from payroll.doctypes import BY_CODE
from payroll.models import InputState, OvertimeReport, OvertimeRule, PayrollInput
from personnel import spreadsheets
from personnel.models import Assignment

MONTH = date(2031, 11, 1)


def prepare(rows: int) -> None:
    have = PayrollInput.objects.filter(month=MONTH, kind="ot_report").count()
    if have >= rows:
        return
    print(f"inserting {rows - have:,} decided overtime reports of {MONTH:%Y-%m} …", flush=True)
    started = time.perf_counter()
    posts = list(Assignment.objects.filter(is_primary=True).select_related("staff", "unit")[:1000])
    rule = OvertimeRule.objects.order_by("-effective_from").first()
    now = timezone.now()
    batch = 5000
    for first in range(have, rows, batch):
        n = min(batch, rows - first)
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                [
                    Document(
                        doc_type="ot_report",
                        title=f"時間外勤務 bench {first + i}",
                        applicant=posts[(first + i) % len(posts)].staff,
                        drafting_unit=posts[(first + i) % len(posts)].unit,
                        status=DocumentStatus.DECIDED,
                        filed_at=now,
                        decided_at=now,
                        number=f"bench-{first + i:07d}",
                    )
                    for i in range(n)
                ]
            )
            reports, inputs = [], []
            for i, document in enumerate(documents):
                day = MONTH + timedelta(days=(first + i) % 28)
                start = timezone.make_aware(datetime.combine(day, clock(18)))
                reports.append(
                    OvertimeReport(
                        document=document,
                        staff=document.applicant,
                        work_date=day,
                        start_time=clock(18),
                        end_time=clock(22, 30),
                        started_at=start,
                        ended_at=start + timedelta(hours=4, minutes=30),
                        minutes=270,
                        day_minutes=240,
                        night_minutes=30,
                        rule=rule,
                    )
                )
                inputs.append(
                    PayrollInput(
                        document=document,
                        staff=document.applicant,
                        unit=document.drafting_unit,
                        kind="ot_report",
                        month=MONTH,
                        state=InputState.CHECKED,
                    )
                )
            OvertimeReport.objects.bulk_create(reports)
            PayrollInput.objects.bulk_create(inputs)
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def portal(path: Path) -> int:
    sheets = exports.input_sheets({"month": f"{MONTH:%Y-%m}", "kind": "ot_report"})
    with path.open("wb") as out:
        return spreadsheets.write_sheets(out, [(s.title, s.header, s.rows) for s in sheets])


def baseline(path: Path) -> int:
    doctype = BY_CODE["ot_report"]
    rows = (
        PayrollInput.objects.filter(month=MONTH, kind="ot_report", state__in=exports.EXPORTED_STATES)
        .order_by("staff__employee_number", "document__decided_at", "pk")
        .values_list(
            "staff__employee_number",
            "staff__family_name",
            "unit__name",
            "document__number",
            "month",
            "state",
            "document__overtime_report__work_date",
            "document__overtime_report__start_time",
            "document__overtime_report__end_time",
            "document__overtime_report__minutes",
            "document__overtime_report__day_minutes",
            "document__overtime_report__rest_minutes",
            "document__overtime_report__night_minutes",
            "document__overtime_report__rest_night_minutes",
            "document__overtime_report__over60_minutes",
            "document__overtime_report__over60_night_minutes",
            "document__overtime_report__after_the_fact",
            "document__overtime_report__special_duty",
        )
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(doctype.label)[:31])
    sheet.append([*exports.COMMON, *doctype.export_header])
    written = 0
    for row in rows.iterator(chunk_size=2000):
        sheet.append(row)
        written += 1
    with path.open("wb") as out:
        book.save(out)
    return written


def in_child(write, path: Path) -> tuple[int, float, float]:
    """Run `write(path)` in a forked child with a fresh database connection: (rows, seconds, peak RSS in MB)."""
    read, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        connections.close_all()
        started = time.perf_counter()
        rows = write(path)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.write(send, f"{rows} {seconds} {peak_mb}".encode())
        os._exit(0)
    os.close(send)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    rows, seconds, peak = text.split()
    return int(rows), float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="each writer runs this many times; the best is kept")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    _setup.ensure_city(args.staff)
    prepare(args.rows)
    connections.close_all()
    results = {}
    print(f"\n{args.rows:,} payroll-input rows ({MONTH:%Y-%m}), {connection.vendor}, best of {args.rounds} runs")
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in (("baseline (bare openpyxl loop)", baseline), ("portal export", portal)):
            runs = [in_child(write, Path(tmp) / f"{name[:4]}-{i}.xlsx") for i in range(args.rounds)]
            rows, best, peak = runs[0][0], min(r[1] for r in runs), max(r[2] for r in runs)
            results[name] = (rows, best, peak)
            print(f"  {name:32s} {rows / best:10,.0f} rows/s  ({best:5.1f} s)   peak RSS {peak:6.1f} MB", flush=True)
            sheet = load_workbook(Path(tmp) / f"{name[:4]}-0.xlsx", read_only=True).worksheets[0]
            data_rows = sum(1 for _row in sheet.iter_rows(values_only=True)) - 1
            assert rows == data_rows == args.rows, (name, rows, data_rows)
    base_rows, base_seconds, _base_peak = results["baseline (bare openpyxl loop)"]
    rows, seconds, peak = results["portal export"]
    ratio = (rows / seconds) / (base_rows / base_seconds)
    print(f"\n  portal / baseline: {ratio:.0%} of the bare loop's rate (goal ≥ 70 %)")
    print(f"  peak memory: portal {peak:.0f} MB (goal < 200 MB)")
    sys.exit(0 if ratio >= 0.7 and peak < 200 else 1)


if __name__ == "__main__":
    main()
