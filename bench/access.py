#!/usr/bin/env python
"""Benchmark of the permission model: personnel.access.visible() over approval documents at city scale.

    DEBUG=1 .venv/bin/python bench/access.py                   # SQLite, in its own file var/bench/db.sqlite3
    DEBUG=1 DATABASE_URL=postgres://user:pass@127.0.0.1:5432/kessai_bench .venv/bin/python bench/access.py

It WRITES to the database it uses. With DATABASE_URL set, that is the configured database, so point it at a
scratch one (it refuses a database holding a different organisation, see seed_demo). Without DATABASE_URL it
uses a SQLite file of its own, var/bench/db.sqlite3, and leaves the development database alone.

1. migrates, and builds the 10,000-staff demo city (`seed_demo --size 10000`) unless the database already has
   that many staff;
2. tops approvals.Document up to 100,000 rows with bulk_create (fixture data, not a service: documents get
   their service later), each drafted by a member of staff in the unit of their primary post, 10% of them
   marked as holding personal information;
3. for several readers — the demo accounts kakariin (係員), kakaricho (係長, also acting for another 係長),
   kacho (課長), bucho (部長), and the 局長 and 市長 above them — and a fresh AccessContext each time, measures
   `visible(user, "view", Document.objects.all(), ctx)`: `.count()`, then the first page of 50 rows ordered by
   -created_at. It reports the median and 95th percentile over --repeat runs (after one warm-up run), the rows
   visible and the SQL queries issued, over the first 10,000 documents and over all 100,000, to show that the
   number of queries does not grow with the rows.

--explain prints the database's plan of the count and page queries of kacho and bucho.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import _setup  # first: the settings and the database to write to (bench/_setup.py)
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import doctypes
from approvals.models import Document, DocumentStatus
from personnel import access
from personnel.models import OrgUnit, Staff
from personnel.org import assignments_current

PAGE = 50


def ensure_documents(total: int) -> None:
    missing = total - Document.objects.count()
    if missing <= 0:
        return
    print(f"creating {missing:,} documents (bulk_create) …", flush=True)
    started = time.perf_counter()
    rng = random.Random(2026)
    today = timezone.localdate()
    drafters = list(
        assignments_current(on=today).filter(is_primary=True).values_list("staff_id", "unit_id").order_by("pk")
    )
    # Rows of the registered types with no detail: visible() looks at the document row alone.
    kinds = [t.code for t in doctypes.all_types()]
    statuses = list(DocumentStatus)
    status_weights = [5, 30, 5, 50, 5, 5, 1]
    batch: list[Document] = []
    for i in range(missing):
        applicant, unit = rng.choice(drafters)
        kind = rng.choice(kinds)
        batch.append(
            Document(
                doc_type=kind,
                title=f"{kind} {i + 1}",
                applicant_id=applicant,
                drafting_unit_id=unit,
                status=rng.choices(statuses, status_weights)[0],
                amount=rng.randrange(1_000, 5_000_000, 1_000) if rng.random() < 0.3 else None,
                contains_personal_info=rng.random() < 0.1,
            )
        )
        if len(batch) == 5000:
            Document.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Document.objects.bulk_create(batch, batch_size=5000)
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def readers() -> list[tuple[str, object]]:
    """The demo accounts, and the 局長 (kyokucho) and 市長 (shicho) above them, found through the org tree."""
    user = get_user_model()
    found = [(name, user.objects.get(username=name)) for name in ("kakariin", "kakaricho", "kacho", "bucho")]
    posts = assignments_current(on=timezone.localdate()).select_related("staff__user", "unit")
    bureau = posts.get(staff__user__username="bucho", is_primary=True).unit.get_parent()
    bureau_head = posts.filter(unit=bureau, position__code="bureau_head").first()
    mayor = posts.filter(unit__depth=1, position__code="mayor").first()
    found += [("kyokucho", bureau_head.staff.user), ("shicho", mayor.staff.user)]
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(user, base, repeat: int) -> dict:
    counts, pages, totals, queries = [], [], [], set()
    rows = 0
    sql: list[str] = []
    for run in range(repeat + 1):
        reset_queries()  # DEBUG keeps at most 9,000 queries; a full log would hide the ones captured here
        ctx = access.AccessContext.office()  # fresh: the principal is loaded again every time
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            qs = access.visible(user, "view", base, ctx)
            rows = qs.count()
            counted = time.perf_counter()
            page = list(qs.order_by("-created_at")[:PAGE])
            done = time.perf_counter()
        assert len(page) == min(PAGE, rows)
        if run == 0:  # warm-up: caches, connection, first compile
            continue
        counts.append((counted - started) * 1000)
        pages.append((done - counted) * 1000)
        totals.append((done - started) * 1000)
        queries.add(len(captured))
        sql = [q["sql"] for q in captured.captured_queries[-2:]]
    return {"rows": rows, "queries": queries, "count": counts, "page": pages, "total": totals, "sql": sql}


def explain(sql: str) -> str:
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} /{percentile(values, 0.95):7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--subset", type=int, default=10_000, help="size of the smaller set of documents")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    try:
        _setup.ensure_city(args.staff)
    except CommandError as exc:
        sys.exit(f"bench: {exc}")
    if not get_user_model().objects.filter(username="kacho").exists():
        sys.exit("bench: this database has staff but not the demo city (seed_demo); point DATABASE_URL elsewhere")
    ensure_documents(args.documents)
    _setup.analyze()

    cut = Document.objects.order_by("pk").values_list("pk", flat=True)[args.subset - 1]
    subsets = [
        (f"{args.subset:,}", Document.objects.filter(pk__lte=cut)),
        (f"{Document.objects.count():,}", Document.objects.all()),
    ]
    settings_db = connection.settings_dict
    where = settings_db["NAME"] if connection.vendor == "sqlite" else f"{settings_db['HOST']}/{settings_db['NAME']}"
    print(
        f"\n{connection.vendor} {connection.Database.__name__} ({where}) — staff {Staff.objects.count():,}, "
        f"units {OrgUnit.objects.count():,}, documents {Document.objects.count():,}; "
        f"{args.repeat} runs after a warm-up, fresh AccessContext each run (its 4 queries are timed with count()), "
        "times in ms (median / p95)\n"
    )
    header = f"{'reader':<11} {'documents':>9} {'visible':>8} {'queries':>7}"
    header += f"   {'context+count()':>15}   {'first 50':>15}   {'total':>15}"
    print(header)
    print("-" * len(header))
    results: dict[str, list[dict]] = {}
    for name, user in readers():
        for label, base in subsets:
            r = measure(user, base, args.repeat)
            results.setdefault(name, []).append(r)
            q = "/".join(str(n) for n in sorted(r["queries"]))
            print(
                f"{name:<11} {label:>9} {r['rows']:>8,} {q:>7}   {ms(r['count'])}   {ms(r['page'])}   {ms(r['total'])}"
            )
    print("\nqueries per reader, small set vs full set (a fresh context: principal + count + page):")
    for name, (small, full) in results.items():
        same = small["queries"] == full["queries"] and len(full["queries"]) == 1
        verdict = "constant" if same else "VARIES"
        print(f"  {name:<11} {sorted(small['queries'])} vs {sorted(full['queries'])}  {verdict}")
    if args.explain:
        for name in ("kacho", "bucho"):
            count_sql, page_sql = results[name][-1]["sql"]
            print(f"\n{name}: count\n  {count_sql}\n{explain(count_sql)}")
            print(f"{name}: first page\n  {page_sql}\n{explain(page_sql)}")


if __name__ == "__main__":
    main()
