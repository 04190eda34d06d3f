#!/usr/bin/env python
"""Benchmark of the approval inbox: a 課長 with 200 items waiting, in the 10,000-staff demo city.

    DEBUG=1 .venv/bin/python bench/inbox.py                   # SQLite, in its own file var/bench/db.sqlite3
    DEBUG=1 DATABASE_URL=postgres://user:pass@127.0.0.1:5432/kessai_bench .venv/bin/python bench/inbox.py

It WRITES to the database it uses, like bench/access.py (same databases, same city): with DATABASE_URL set, that
is the configured database, so point it at a scratch one; without it, the SQLite file var/bench/db.sqlite3.

1. migrates, and builds the demo city (`seed_demo --size 10000`) unless the database already has that many staff;
2. makes the demo account kacho (課長 of 市民課, 71 staff) hold --items pending items: one-hour annual leave
   requests filed through personnel.leave_services by the 係員 and 主任 of his 課 (next year and later, never
   two at once for anyone, within the balance), approved through the lower steps (係長, 課長補佐) by their
   holders, so they wait at his decision step (the default 専決規程: leave is 課長専決). Reusable: what already
   waits is counted and only the difference is filed (or withdrawn). The 係長 kakaricho gets 3 items of his own;
3. in one process, with django.test.Client logged in as kacho and the full middleware stack, measures requests/s
   of the inbox page (`approvals:inbox`, first page) and of a bare Django JSON view behind the same login,
   mounted only here (this module is the URLconf during the measurement): median of --rounds rounds of
   --requests requests, with DEBUG off as in production (no query log, no template debug);
4. counts the SQL queries of one inbox page for kacho (--items items) and kakaricho (a few): the same number;
5. times `slots_bulk_approve` of kacho's whole inbox once (this decides every item and debits the leave: the
   next run files new ones), then checks that every document was decided with a 決裁番号 and that the audit
   chain verifies. --profile prints the top of a cProfile of the bulk approval.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date
from datetime import time as clock

import _setup  # first: the settings and the database to write to (bench/_setup.py)
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.management import CommandError, call_command
from django.db import connection, reset_queries
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from approvals import audit, selectors, services
from approvals.models import Document, DocumentStatus, SlotState, StepApprover
from leave.models import LeaveRequest, LeaveType, LeaveUnit
from leave.rules import working_days
from leave.services import leave_request_file
from personnel.access import AccessContext
from personnel.models import Staff
from personnel.org import assignments_current
from portal.urls import urlpatterns as portal_urlpatterns

DECIDER = "kacho"  # 課長 of 市民課
SMALL = "kakaricho"  # 係長 of 住民記録係 under him
SMALL_ITEMS = 3
# The reason (and so the document body) of every request this script files; the 課長's batch and the 係長's.
TAG = "bench/inbox.py"
BIG_TAG = f"{TAG} 課長"
SMALL_TAG = f"{TAG} 係長"
# Each applicant's n-th request is one hour, 9:00–16:00 in turn, on the first 20 working days from February of
# next year on, 140 hours a year (the 20 days granted are 155 hours): no clash, no lack of balance.
HOURS_A_DAY, DAYS_A_YEAR = 7, 20


# --------------------------------------------------------------------------------------------------------
# The URLconf of the measurement: the portal's, plus a bare view
# --------------------------------------------------------------------------------------------------------


@login_required
def bare_json(request: HttpRequest) -> JsonResponse:
    """The floor: Django's request/response cycle, session and user loading, and nothing of the portal."""
    return JsonResponse({"ok": True, "items": [1, 2, 3]})


urlpatterns = [
    *portal_urlpatterns,
    path("bench/bare.json", bare_json, name="bench_bare"),
]


# --------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------


def applicants(user, today) -> list:
    """Users of the 係員 and 主任 (rank below 係長) whose primary post is in the unit `user` heads, or below."""
    posts = assignments_current(on=today)
    unit = posts.select_related("unit").get(staff__user=user, is_primary=True).unit
    rows = (
        posts.filter(unit__path__startswith=unit.path, is_primary=True, position__rank__lt=3)
        .filter(staff__user__is_active=True)
        .select_related("staff__user")
        .order_by("staff__employee_number")
    )
    return [a.staff.user for a in rows]


def open_documents(tag: str):
    return Document.objects.filter(body__startswith=tag, status=DocumentStatus.IN_PROGRESS)


def file_leave(users: list, count: int, tag: str, ctx: AccessContext) -> None:
    filed = Counter(
        dict(
            LeaveRequest.objects.filter(reason__startswith=TAG, staff__user__in=users)
            .values_list("staff__user_id")
            .annotate(n=Count("pk"))
        )
    )
    calendars: dict[int, list[date]] = {}
    start = sum(filed.values())
    for i in range(count):
        user = users[(start + i) % len(users)]
        n = filed[user.pk]
        filed[user.pk] += 1
        year = ctx.today.year + 1 + n // (HOURS_A_DAY * DAYS_A_YEAR)
        if year not in calendars:
            calendars[year] = working_days(date(year, 2, 1), date(year, 3, 31))[:DAYS_A_YEAR]
        day = calendars[year][n % (HOURS_A_DAY * DAYS_A_YEAR) // HOURS_A_DAY]
        leave_request_file(
            actor=user,
            ctx=ctx,
            leave_type=LeaveType.ANNUAL,
            unit=LeaveUnit.HOUR,
            start_date=day,
            end_date=day,
            start_time=clock(9 + n % HOURS_A_DAY),
            hours=1,
            reason=tag,
        )


def approve_lower_steps(decider: Staff, ctx: AccessContext) -> None:
    """Approve every pending slot of the 課長's batch below his decision step, as the slot's holder."""
    while True:
        pending = StepApprover.objects.filter(
            document__in=open_documents(BIG_TAG), state=SlotState.PENDING, is_circulation=False
        ).exclude(staff=decider)
        by_user: dict[int, list[int]] = defaultdict(list)
        for slot_id, user_id in pending.values_list("pk", "staff__user_id"):
            by_user[user_id].append(slot_id)
        if not by_user:
            return
        users = get_user_model().objects.in_bulk(list(by_user))
        for user_id, slot_ids in by_user.items():
            result = services.slots_bulk_approve(slot_ids=slot_ids, actor=users[user_id], ctx=ctx)
            if result.refused:
                sys.exit(f"bench: approving the lower steps was refused: {result.refused[:3]}")


def withdraw(documents, ctx: AccessContext) -> None:
    for document in documents.select_related("applicant__user"):
        services.document_withdraw(document=document, actor=document.applicant.user, ctx=ctx, comment="bench")


def ensure_pending(decider, small, items: int) -> None:
    """Top the 課長's inbox up (or down) to `items`, and the 係長's own items of his 係 to SMALL_ITEMS."""
    ctx = AccessContext.office()
    started = time.perf_counter()
    staff = Staff.objects.get(user=decider)
    approve_lower_steps(staff, ctx)  # leftovers of an interrupted run
    missing = items - selectors.inbox(user=decider, ctx=ctx).count()
    if missing > 0:
        print(f"filing {missing} leave requests and approving their 係長 and 課長補佐 steps …", flush=True)
        file_leave(applicants(decider, ctx.today), missing, BIG_TAG, ctx)
        approve_lower_steps(staff, ctx)
    elif missing < 0:
        withdraw(open_documents(BIG_TAG).filter(pk__in=_newest(-missing)), ctx)
    small_staff = Staff.objects.get(user=small)
    own = StepApprover.objects.filter(
        staff=small_staff, state=SlotState.PENDING, document__in=open_documents(SMALL_TAG)
    ).count()
    if own < SMALL_ITEMS:
        file_leave(applicants(small, ctx.today), SMALL_ITEMS - own, SMALL_TAG, ctx)
    if missing:
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    holding = selectors.inbox(user=decider, ctx=ctx).count()
    if holding != items:
        sys.exit(f"bench: {DECIDER} holds {holding} items, not {items} (items of others wait there too)")


def _newest(n: int) -> list[int]:
    return list(open_documents(BIG_TAG).order_by("-pk").values_list("pk", flat=True)[:n])


# --------------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client: Client, url: str) -> HttpResponse:
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"bench: GET {url} answered {response.status_code}")
    return response


def rate(client: Client, url: str, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        get(client, url)
    return requests / (time.perf_counter() - started)


def throughput(client: Client, urls: dict[str, str], rounds: int, requests: int) -> dict[str, list[float]]:
    """Requests/s per URL and round; the URLs take turns within a round, so drift hits both alike."""
    for url in urls.values():
        for _ in range(3):  # warm-up: templates, URL resolver, connection
            get(client, url)
    rates: dict[str, list[float]] = {name: [] for name in urls}
    for run in range(rounds):
        order = list(urls.items()) if run % 2 == 0 else list(reversed(urls.items()))
        for name, url in order:
            rates[name].append(rate(client, url, requests))
    return rates


def queries(client: Client, url: str) -> int:
    get(client, url)  # the first request of a session may do more (e.g. cycling the session)
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    return len(captured)


TABLE = re.compile(
    r'^\s*(?:SELECT\b.*?\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.S | re.I
)


def statement_kind(sql: str) -> str:
    """The table a statement reads or writes first (its FROM, INTO or UPDATE), or "savepoint"."""
    if re.match(r"\s*(RELEASE\s+|ROLLBACK\s+TO\s+)?SAVEPOINT\b", sql, re.I):
        return "savepoint"
    found = TABLE.match(sql)
    return found.group(1) if found else sql.split(None, 1)[0].upper()


@contextmanager
def tallying_statements():
    """Counts the SQL statements run inside, and their time, per table (statement_kind)."""
    tally: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def tallied(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = tally[statement_kind(sql)]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    with connection.execute_wrapper(tallied):
        yield tally


def round_trip_ms() -> float:
    """The median time of `SELECT 1`: what every statement costs at least."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(200):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def print_statements(tally: dict, *, items: int, seconds: float) -> None:
    """What a bulk of `items` sent to the database (a `tallying_statements` tally): the total, and per item by
    table the statements that run for most items, the rest as "once per batch"."""
    statements = sum(n for n, _t in tally.values())
    in_sql = sum(t for _n, t in tally.values())
    print(
        f"  {statements:,} SQL statements ({statements / items:.1f} per item) taking {in_sql:.2f} s "
        f"({in_sql / seconds:.0%} of the time; a SELECT 1 round trip takes {round_trip_ms():.2f} ms); "
        "statements per item by table (their total time):"
    )
    per_item = {kind: entry for kind, entry in tally.items() if entry[0] >= items / 2}
    rest = [sum(e[i] for kind, e in tally.items() if kind not in per_item) for i in (0, 1)]
    ranked = [*sorted(per_item.items(), key=lambda kv: -kv[1][1]), ("once per batch", rest)]
    print("   " + ", ".join(f"{kind} {n / items:.1f} ({t:.2f} s)" for kind, (n, t) in ranked))


def bulk_approve(decider, items: int, profile: bool) -> None:
    ctx = AccessContext.office()
    slot_ids = list(selectors.inbox(user=decider, ctx=ctx).values_list("pk", flat=True))
    document_ids = set(StepApprover.objects.filter(pk__in=slot_ids).values_list("document_id", flat=True))
    profiler = cProfile.Profile() if profile else None
    with override_settings(DEBUG=False), tallying_statements() as tally:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        result = services.slots_bulk_approve(slot_ids=slot_ids, actor=decider, ctx=ctx)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    print(
        f"\nbulk approval (slots_bulk_approve) of {len(slot_ids)} items by {DECIDER}: {seconds:.2f} s, "
        f"{len(slot_ids) / seconds:.0f} items/s; decided {len(result.decided)}, approved {len(result.approved)}, "
        f"refused {len(result.refused)}"
    )
    print_statements(tally, items=len(slot_ids), seconds=seconds)
    decided = Document.objects.filter(
        pk__in=document_ids, status=DocumentStatus.DECIDED, number__isnull=False, decided_at__isnull=False
    )
    numbers = set(decided.values_list("number", flat=True))
    started = time.perf_counter()
    chain = audit.verify()
    verified = time.perf_counter() - started
    print(
        f"  afterwards: {decided.count()} of {len(document_ids)} documents decided with {len(numbers)} distinct "
        f"決裁番号 (e.g. {min(numbers, default='-')} … {max(numbers, default='-')}); {DECIDER}'s inbox holds "
        f"{selectors.inbox(user=decider, ctx=AccessContext.office()).count()}"
    )
    verdict = "verifies" if chain.ok else f"BROKEN: {'; '.join(chain.problems)}"
    print(f"  audit chain: {chain.counts['approvals']:,} entries, {verdict} ({verified:.1f} s)")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    if len(result.decided) != items or result.refused or decided.count() != len(document_ids) or not chain.ok:
        sys.exit("bench: the bulk approval did not decide every item cleanly")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=200, help=f"items waiting for {DECIDER}")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=30, help="requests per round and page")
    parser.add_argument("--profile", action="store_true", help="cProfile the bulk approval")
    # make bench passes BENCH_ARGS to every script: options of the others (--documents) are not ours.
    args, others = parser.parse_known_args()

    call_command("migrate", verbosity=0)
    try:
        _setup.ensure_city(args.staff)
    except CommandError as exc:
        sys.exit(f"bench: {exc}")
    user = get_user_model()
    if not user.objects.filter(username__in=(DECIDER, SMALL)).count() == 2:
        sys.exit("bench: this database has staff but not the demo city (seed_demo); point DATABASE_URL elsewhere")
    decider, small = user.objects.get(username=DECIDER), user.objects.get(username=SMALL)
    ensure_pending(decider, small, args.items)
    _setup.analyze()
    reset_queries()

    settings_db = connection.settings_dict
    where = settings_db["NAME"] if connection.vendor == "sqlite" else f"{settings_db['HOST']}/{settings_db['NAME']}"
    ctx = AccessContext.office()
    small_items = selectors.inbox(user=small, ctx=ctx).count()
    with override_settings(ROOT_URLCONF=__name__):
        url = reverse("approvals:inbox")
        bare = reverse("bench_bare")
        print(
            f"\n{connection.vendor} {connection.Database.__name__} ({where}) — staff {Staff.objects.count():,}, "
            f"documents {Document.objects.count():,} ({Document.objects.filter(body__startswith=TAG).count():,}"
            f" filed by this script), step slots {StepApprover.objects.count():,}; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"{DECIDER} (課長) holds {args.items} leave requests to decide; {SMALL} (係長) holds {small_items} items")
        if others:
            print(f"(options for the other scripts ignored: {' '.join(others)})")
        print()

        client = logged_in(decider)
        with override_settings(DEBUG=False):
            rates = throughput(client, {"inbox": url, "bare": bare}, args.rounds, args.requests)
        print(
            f"requests/s, in-process django.test.Client, full middleware, DEBUG off, median of {args.rounds} rounds "
            f"of {args.requests} (min – max):"
        )
        for name, label in (("inbox", f"inbox page {url}"), ("bare", f"bare JSON view {bare} (login_required)")):
            r = rates[name]
            median = statistics.median(r)
            print(f"  {label:<48} {median:8.1f}  ({min(r):.1f} – {max(r):.1f}), {1000 / median:6.1f} ms per request")
        ratio = statistics.median(rates["inbox"]) / statistics.median(rates["bare"])
        print(f"  inbox / bare: {ratio:.2f} ({1 / ratio:.1f}× the cost of the bare view)")

        big = queries(client, url)
        few = queries(logged_in(small), url)
        floor = queries(client, bare)
        verdict = "constant" if big == few else "VARIES"
        print(
            f"\nSQL queries per inbox page (session and user included): {DECIDER} with {args.items} items {big}, "
            f"{SMALL} with {small_items} items {few}: {verdict}; bare view {floor}"
        )

    bulk_approve(decider, args.items, args.profile)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")


if __name__ == "__main__":
    main()
