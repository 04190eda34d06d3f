#!/usr/bin/env python
"""Benchmark at the scale of a year: the pages and the bulk decision over 500,000 documents, against 10,000.

    DEBUG=1 DATABASE_URL=postgres://kessai:kessai@127.0.0.1:5432/kessai_scale .venv/bin/python bench/scale.py
    DEBUG=1 .venv/bin/python bench/scale.py     # SQLite var/bench/db.sqlite3: 2,000 and 20,000 documents

It WRITES to the database it uses (bench/_setup.py: DATABASE_URL, or the SQLite file var/bench/db.sqlite3), like
the other scripts; it is meant for a scratch PostgreSQL database. In one run it

1. migrates, and builds the 10,000-staff demo city (seed_demo) unless it is there;
2. writes --small documents of the leave year before the current one (or before --year) by bulk insert (COPY on
   PostgreSQL, in one transaction): leave requests and telework applications of staff all over the city, 1 April to
   26 December, each with what filing, approving and closing it through the services would have left — the detail
   row; the route as routing.plan_route plans it for the applicant (with the rules in force, once per unit and
   rank, on 1 April) copied to steps and stamp boxes; the 決裁番号 per fiscal year and department in the order of
   the decisions (NumberSequence advanced); the viewflow process and tasks as approvals/workflow.py leaves them;
   the audit entries in the order they happened, signed and chained after the head (personnel.auditchain.sign); the
   year's LeaveBalance rows, debited by the decided annual leave, with their entries in the personnel audit; a
   few guardian grants (documents shared with a reviewer, some with kacho and kakariin). About 91% are decided, 2.5%
   rejected, 4.5% withdrawn, and a quarter of December's (2.5%) wait at a step — at most QUEUE_CAP items for any
   approver, none in the 課 of the demo 課長 kacho, so that his inbox and bench/inbox.py stay as they are. Then
   `verify_audit` runs once (not timed) with a few consistency checks;
3. gives kacho --items leave requests waiting for his decision, filed and approved through the services
   (bench/inbox.py's ensure_pending), and measures, with django.test.Client logged in (full middleware, DEBUG
   off, a fresh AccessContext per request): kacho's inbox page, "my requests" of kakariin (her 80 documents are all
   written at the small scale, so the page is the same at both), the page of one of her documents, and the header
   counts (selectors.queue_counts, a fresh context each call) — median ms and SQL queries of each — and the inbox
   page's requests/s against a bare view running the same rows query (its first 50 rows, a minimal template) and
   against bench/inbox.py's bare JSON view;
4. extends the same database to --documents, VACUUM ANALYZEs what it wrote, checks again, measures again, and
   prints the ratio of each time to the small scale's (goal <= 1.5) and whether the query counts stayed the same;
5. times slots_bulk_approve of kacho's --items items (which decides them: the next run files new ones) while, from
   a second thread with its own database connection, the 係長 of zaimu (財政局, unrelated) approves one item of his
   own, starting about 50 ms after the bulk; then, outside the timings, verifies the audit chain and that every
   bulk item got its own 決裁番号.

Building 500,000 documents takes about ten minutes on a 2-core machine: --keep reuses a database that already
holds the documents (the small-scale figures then come from the run that built it, saved in var/bench/scale-*.json,
and are marked as such). Without --keep a database holding documents of that year is refused, except the bench
SQLite file, which a second run (make bench) reuses. --profile prints the top of a cProfile of the bulk approval.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import _setup  # first: the settings and the database to write to (bench/_setup.py)
import inbox  # bench/inbox.py: kacho's waiting items, the bare JSON view and the measuring helpers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, connections, models, reset_queries, transaction
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals import audit, numbering, routing, selectors, services
from approvals.flows import ApprovalFlow
from approvals.models import (
    AuditAction,
    AuditEntry,
    Document,
    DocumentStatus,
    DocumentUserObjectPermission,
    NumberSequence,
    RouteStep,
    SlotState,
    StepApprover,
    StepState,
)
from leave.models import LEAVE, BereavementEvent, LeaveBalance, LeaveHalf, LeaveRequest, LeaveType, LeaveUnit
from leave.rules import BEREAVEMENT_DAYS, SUMMER_DAYS, SUMMER_MONTHS, quantity
from leave.services import ANNUAL_GRANT_MINUTES, CARRY_OVER_MAX_MINUTES, leave_request_file, leave_title
from personnel import auditchain
from personnel.access import AccessContext
from personnel.calendar import fiscal_year, is_working_day, working_days
from personnel.models import AuditChainHead, OrgUnit, PersonnelAudit, Staff
from personnel.org import assignments_current
from portal.urls import urlpatterns as portal_urlpatterns
from telework_applications.models import TELEWORK, TeleworkApplication
from telework_applications.services import telework_title

SEED = 2026
TAG = "bench/scale.py"  # the reason of the leave requests this script files through the services
HEAVY = "kakariin"  # "my requests" and the document page are hers
HEAVY_DOCUMENTS = 80  # all written at the small scale: her pages are the same at both
SINGLE = "zaimu"  # 財務担当 (予算係, 財政課): files the unrelated 係長's item
QUEUE_CAP = 25  # items of the generated year left waiting for any one approver
IN_PROGRESS_IN_DECEMBER = 0.25  # share of December's documents still waiting at a step
REJECTED, WITHDRAWN = 0.025, 0.045
TELEWORK_SHARE = 0.5
GRANT_SHARE = 0.002  # documents shared with a reviewer (guardian view_document grant)
ANNUAL_CAP = Decimal(8400)  # annual leave one applicant asks for in the year (20 days = 9,300 minutes granted)
BATCH = 5000  # documents per COPY round
TZ = ZoneInfo(settings.TIME_ZONE)
DAY_START, DAY_END = clock(8, 30), clock(17, 15)
ZONE = "office"
TENTH = Decimal("0.1")

REASONS = {
    LeaveType.ANNUAL: ("私用のため", "私用のため", "家族の用事のため", "通院のため", "子の学校行事のため", ""),
    LeaveType.SICK: ("通院のため", "療養のため", "検査のため"),
    LeaveType.SUMMER: ("夏季休暇", "帰省のため", ""),
    LeaveType.BEREAVEMENT: ("", "葬儀参列のため"),
}
TASKS = ("資料作成", "データ集計・分析", "計画書の作成", "会議資料の準備", "オンライン会議", "規程の改正案の検討")
PLACES = ("自宅", "自宅", "自宅", "実家", "サテライトオフィス")
REJECTIONS = ("業務繁忙期のため、日程を再調整してください。", "記載内容に不備があります。", "要件を満たしていません。")
WITHDRAWALS = ("", "", "予定変更のため")

User = get_user_model()
Previous = Task.previous.through


# --------------------------------------------------------------------------------------------------------
# The URLconf of the measurement: the portal's, the bare JSON view of bench/inbox.py, and a bare inbox
# --------------------------------------------------------------------------------------------------------

BARE_ROWS = engines["django"].from_string(
    "<!doctype html><title>inbox</title><ol>{% for item in rows %}{% with doc=item.document %}"
    "<li><a href=\"{% url 'approvals:document' doc.pk %}\">{{ doc.title }}</a> {{ doc.applicant.full_name }} "
    "{{ doc.drafting_unit.name }}</li>{% endwith %}{% endfor %}</ol>"
)


@login_required
def bare_inbox(request: HttpRequest) -> HttpResponse:
    """The inbox's rows query (selectors.inbox, its first 50 rows) and a minimal template: what the inbox page
    costs beyond fetching its rows is the difference."""
    rows = list(selectors.inbox(user=request.user, ctx=request.access)[:50])
    return HttpResponse(BARE_ROWS.render({"rows": rows}))


urlpatterns = [
    *portal_urlpatterns,
    path("bench/bare.json", inbox.bare_json, name="bench_bare"),
    path("bench/inbox-rows/", bare_inbox, name="bench_inbox_rows"),
]


# --------------------------------------------------------------------------------------------------------
# Bulk insert: COPY on PostgreSQL, executemany elsewhere, with ids given here (rows refer to each other)
# --------------------------------------------------------------------------------------------------------


def columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date | clock):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert(model: type[models.Model], names: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = ", ".join(quote(c) for c in columns(model, names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter  # sends from a thread: the server loads while Python works

            raw = cursor.cursor  # psycopg's own cursor: Django's debug wrapper takes no writer
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608 - names from the models
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )


def next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


# --------------------------------------------------------------------------------------------------------
# The city as the generated year saw it: applicants, their routes, the department labels of the numbers
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    label: str
    is_decision: bool
    staff: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Route:
    rule_id: int
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Applicant:
    staff_id: int
    user_id: int
    unit_id: int
    name: str
    label: str  # the department label of its 決裁番号
    routes: dict[str, Route]  # per document type
    quiet: bool  # never left waiting at a step (kacho's 課: his inbox and bench/inbox.py stay as they are)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=TZ), datetime(year + 1, 1, 1, tzinfo=TZ)


def generated(year: int):
    """The documents of the generated year (this script's): leave and telework filed in that calendar year."""
    start, end = year_bounds(year)
    return Document.objects.filter(doc_type__in=(LEAVE, TELEWORK), filed_at__gte=start, filed_at__lt=end)


class City:
    def __init__(self, year: int) -> None:
        started = time.perf_counter()
        self.year = year
        self.plan_on = date(year, 4, 1)  # posts begin on 1 April: the routes of April–December are these
        self.window = working_days(date(year, 4, 1), date(year, 12, 28))
        self.position = {d: i for i, d in enumerate(self.window)}
        self.last_moment = datetime.combine(self.window[-1], DAY_END, tzinfo=TZ)
        self.users = dict(Staff.objects.values_list("pk", "user_id"))
        self.applicants, self.refused = self._applicants()
        self.by_staff = {a.staff_id: a for a in self.applicants}
        self._blocks: dict[int, list[tuple[date, ...]]] = {}
        heavy = Staff.objects.filter(user__username=HEAVY).values_list("pk", flat=True).first()
        if heavy not in self.by_staff:
            sys.exit(f"bench: {HEAVY} holds no post on {self.plan_on}: not the demo city?")
        self.heavy = self.by_staff[heavy]
        self.others = [a for a in self.applicants if a is not self.heavy]
        steps = Counter(len(r.steps) for a in self.applicants for r in a.routes.values())
        print(
            f"  {len(self.applicants):,} applicants on {self.plan_on} ({self.refused} refused a route: nobody above "
            f"them decides), {len({a.unit_id for a in self.applicants}):,} units; routes of "
            + ", ".join(f"{n} steps {c / sum(steps.values()):.0%}" for n, c in sorted(steps.items()))
            + f"; {len(self.window)} working days from {self.window[0]} to {self.window[-1]}"
            f" ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )

    def _applicants(self) -> tuple[list[Applicant], int]:
        posts = list(
            assignments_current(on=self.plan_on)
            .filter(is_primary=True, staff__user__is_active=True)
            .order_by("staff_id")
            .values_list(
                "staff_id",
                "staff__user_id",
                "unit_id",
                "unit__path",
                "position__rank",
                "staff__family_name",
                "staff__given_name",
            )
        )
        decider = next((p for p in posts if p[1] == User.objects.get(username=inbox.DECIDER).pk), None)
        if decider is None:
            sys.exit(f"bench: {inbox.DECIDER} holds no post on {self.plan_on}")
        quiet_path = decider[3]
        quiet_staff = {p[0] for p in posts if p[3].startswith(quiet_path)}
        units = OrgUnit.objects.in_bulk({p[2] for p in posts})
        rules = {code: routing.rule_for(doc_type=code, amount=None, on=self.plan_on) for code in (LEAVE, TELEWORK)}

        def key(unit_id: int, rank: int, code: str) -> tuple[int, int, int]:
            """What plan_route's route depends on besides the unit: the lowest rank on it and the deciding rank (a
            係員 and a 主任 of one 係 get the same route; so do leave and telework while both are 課長専決)."""
            return unit_id, max(rank + 1, settings.SUPERVISOR_MIN_RANK), max(rules[code].deciding_rank, rank + 1)

        representative: dict[tuple[int, int, int], tuple[int, str]] = {}
        for staff_id, _user, unit_id, _path, rank, *_name in posts:
            for code in rules:
                representative.setdefault(key(unit_id, rank, code), (staff_id, code))
        people = Staff.objects.in_bulk({staff_id for staff_id, _code in representative.values()})
        plans: dict[tuple[int, int, int], tuple[Step, ...] | None] = {}
        for planned, (staff_id, code) in representative.items():
            try:
                plan = routing.plan_route(
                    applicant=people[staff_id],
                    drafting_unit=units[planned[0]],
                    doc_type=code,
                    amount=None,
                    on=self.plan_on,
                )
            except routing.RouteError:
                plans[planned] = None
                continue
            plans[planned] = tuple(
                Step(str(s.kind), str(s.label)[:50], s.is_decision, tuple(p.pk for p in s.staff)) for s in plan.steps
            )
        labels: dict[int, str] = {}
        for unit_id, unit in units.items():
            department = numbering.department_of(unit)
            labels[unit_id] = (department.abbreviation or department.name)[:40]
        applicants, refused = [], 0
        for staff_id, user_id, unit_id, unit_path, rank, family, given in posts:
            routes = {code: plans[key(unit_id, rank, code)] for code in rules}
            if any(steps is None for steps in routes.values()):
                refused += 1
                continue
            in_route = {s for steps in routes.values() for step in steps for s in step.staff}
            applicants.append(
                Applicant(
                    staff_id=staff_id,
                    user_id=user_id,
                    unit_id=unit_id,
                    name=f"{family} {given}",
                    label=labels[unit_id],
                    routes={code: Route(rules[code].pk, steps) for code, steps in routes.items()},
                    quiet=unit_path.startswith(quiet_path) or bool(in_route & quiet_staff),
                )
            )
        return applicants, refused

    def blocks(self, staff_id: int) -> list[tuple[date, ...]]:
        """The applicant's year cut into runs of 1–5 consecutive working days, shuffled: the n-th document of an
        applicant takes the n-th run, so no two of their documents ever share a day."""
        found = self._blocks.get(staff_id)
        if found is None:
            rng = random.Random(SEED * 7919 + staff_id)
            found, i = [], 0
            while i < len(self.window):
                roll = rng.random()
                want = 1 if roll < 0.6 else 2 if roll < 0.8 else 3 if roll < 0.9 else 5
                run = [self.window[i]]
                while len(run) < want and i + len(run) < len(self.window):
                    following = self.window[i + len(run)]
                    if (following - run[0]).days >= 7:
                        break
                    run.append(following)
                found.append(tuple(run))
                i += len(run)
            rng.shuffle(found)
            self._blocks[staff_id] = found
        return found


# --------------------------------------------------------------------------------------------------------
# One generated document: what filing, the approvals and the closing action would have left behind
# --------------------------------------------------------------------------------------------------------


@dataclass
class State:
    """What earlier documents of the year hold, per staff member: read back from the database at each build."""

    count: Counter  # generated documents per applicant (the next one takes that run of days)
    annual: defaultdict  # annual leave asked for (any status), minutes
    summer: Counter  # summer leave days asked for
    used: dict  # decided annual leave (LeaveBalance.used_minutes)
    pending: Counter  # items waiting per approver

    @classmethod
    def load(cls, year: int) -> State:
        docs = generated(year)
        leave = LeaveRequest.objects.filter(document__in=docs)
        return cls(
            count=Counter(dict(docs.values_list("applicant_id").annotate(n=Count("pk")).order_by())),
            annual=defaultdict(
                Decimal,
                leave.filter(leave_type=LeaveType.ANNUAL).values_list("staff_id").annotate(m=Sum("minutes")).order_by(),
            ),
            summer=Counter(
                dict(
                    leave.filter(leave_type=LeaveType.SUMMER)
                    .values_list("staff_id")
                    .annotate(d=Sum("working_days"))
                    .order_by()
                )
            ),
            used=dict(LeaveBalance.objects.filter(year=year).values_list("staff_id", "used_minutes")),
            pending=Counter(
                dict(
                    StepApprover.objects.filter(document__in=docs, state=SlotState.PENDING)
                    .values_list("staff_id")
                    .annotate(n=Count("pk"))
                    .order_by()
                )
            ),
        )


class Doc:
    """One generated document, with everything written for it."""

    __slots__ = tuple(
        "applicant body closed debit decide_detail decided detail doc_type end events filed id number personal route "
        "status steps title".split()
    )


def us(moment: datetime, micro: int) -> datetime:
    return moment + timedelta(microseconds=micro)


def at(day: date, minutes: float) -> datetime:
    return datetime.combine(day, DAY_START, tzinfo=TZ) + timedelta(minutes=minutes)


def office_later(moment: datetime, rng: random.Random, low: float, high: float) -> datetime:
    """A moment low–high minutes later, moved into office hours of a working day."""
    t = moment + timedelta(minutes=rng.uniform(low, high))
    while True:
        day = t.date()
        if is_working_day(day) and DAY_START <= t.time() <= DAY_END:
            return t
        if is_working_day(day) and t.time() < DAY_START:
            t = at(day, rng.uniform(0, 90))
        else:
            t = at(day + timedelta(days=1), rng.uniform(0, 90))


class Year:
    """Writes documents of `city.year`, consistent with what the services write (see the module docstring)."""

    def __init__(self, city: City) -> None:
        self.city = city

    # ---- choosing who files what ----

    def allocate(self, n: int, state: State, *, heavy: bool) -> list[tuple[Applicant, int]]:
        """Round robin over the applicants (the heavy one first, and only at the first build)."""
        chosen: list[tuple[Applicant, int]] = []
        if heavy:
            person = self.city.heavy
            while state.count[person.staff_id] < HEAVY_DOCUMENTS and len(chosen) < n:
                chosen.append((person, state.count[person.staff_id]))
                state.count[person.staff_id] += 1
        k = min((state.count[a.staff_id] for a in self.city.others), default=0)
        capacity = max(len(self.city.blocks(a.staff_id)) for a in self.city.others[:50])
        while len(chosen) < n:
            for person in self.city.others:
                if state.count[person.staff_id] == k and k < len(self.city.blocks(person.staff_id)):
                    chosen.append((person, k))
                    state.count[person.staff_id] += 1
                    if len(chosen) == n:
                        break
            k += 1
            if k > 2 * capacity:
                sys.exit(f"bench: {n:,} documents do not fit in the applicants' working days of {self.city.year}")
        return chosen

    # ---- one document ----

    def document(self, person: Applicant, k: int, state: State) -> Doc:
        rng = random.Random(SEED * 1_000_003 + person.staff_id * 1009 + k)
        block = self.city.blocks(person.staff_id)[k]
        doc = Doc()
        doc.applicant, doc.personal, doc.number, doc.debit, doc.decide_detail = person, False, None, None, None
        if rng.random() < TELEWORK_SHARE or not self._leave(doc, block, rng, state):
            self._telework(doc, block, rng)
        route = person.routes[doc.doc_type]
        doc.route = route
        m = len(route.steps)

        status, stop = DocumentStatus.DECIDED, m
        if block[0].month == 12 and not person.quiet and rng.random() < IN_PROGRESS_IN_DECEMBER:
            j = rng.randrange(m)
            if all(state.pending[s] < QUEUE_CAP for s in route.steps[j].staff):
                status, stop = DocumentStatus.IN_PROGRESS, j
                state.pending.update(route.steps[j].staff)
        if status == DocumentStatus.DECIDED:
            roll = rng.random()
            if roll < REJECTED:
                status, stop = DocumentStatus.REJECTED, rng.randrange(m)
            elif roll < REJECTED + WITHDRAWN:
                status, stop = DocumentStatus.WITHDRAWN, rng.randrange(m)
        doc.status = status

        # Filed 2–12 working days before the first day (not before the year's first working day), in office hours.
        first = self.city.position[block[0]]
        filed = at(self.city.window[max(0, first - rng.randint(2, 12))], rng.uniform(0, 465))
        closing = status in (DocumentStatus.REJECTED, DocumentStatus.WITHDRAWN)
        moments = self._moments(filed, stop + (1 if closing else 0), rng)
        doc.filed, doc.closed, doc.decided, doc.end = filed, None, None, None

        steps = [
            [
                s.kind,
                s.is_decision,
                s.label,
                StepState.WAITING,
                None,
                None,
                [[p, SlotState.WAITING, None, None, None, ""] for p in s.staff],
            ]
            for s in route.steps
        ]
        doc.steps = steps
        # document_file → _start: the FILE entry, the process, the first step activated; chained at the end.
        events = [(us(filed, 45_000), AuditAction.FILE, person.staff_id, "", {"rule": route.rule_id, "steps": m})]
        self._activate(steps[0], us(filed, 28_000))
        for i in range(stop):
            moment = moments[i]
            step = steps[i]
            actor = rng.choice(route.steps[i].staff)
            step[3], step[5] = StepState.DONE, moment
            for slot in step[6]:
                if slot[0] == actor:
                    slot[1], slot[3], slot[4] = SlotState.APPROVED, us(moment, 40), actor
                elif slot[1] == SlotState.PENDING:
                    slot[1] = SlotState.NOT_NEEDED  # an "any" step: another holder acted
            if step[1]:  # the decision (決裁): the type's hook, the number, the end of the flow
                if doc.doc_type == LEAVE and doc.detail[0] == LeaveType.ANNUAL:
                    doc.debit = (doc.detail[9], actor, us(moment, 15_000))
                doc.decided = us(moment, 30_000)
                self._close(doc, us(moment, 32_000), "decided")
                doc.decide_detail = {"number": None}  # given once the phase's decisions are put in order
                events.append((us(moment, 60_000), AuditAction.DECIDE, actor, "", doc.decide_detail))
            else:
                events.append((us(moment, 20_000), AuditAction.APPROVE, actor, "", {"step": i + 1}))
                self._activate(steps[i + 1], us(moment, 8_000))
        if status == DocumentStatus.REJECTED:
            moment, step = moments[stop], steps[stop]
            actor = rng.choice(route.steps[stop].staff)
            comment = rng.choice(REJECTIONS)
            for slot in step[6]:
                if slot[0] == actor:
                    slot[1], slot[3], slot[4], slot[5] = SlotState.REJECTED, us(moment, 40), actor, comment
            self._close(doc, us(moment, 3_000), "rejected")
            events.append((us(moment, 25_000), AuditAction.REJECT, actor, comment, {}))
        elif status == DocumentStatus.WITHDRAWN:
            moment = moments[stop]
            self._close(doc, us(moment, 2_000), "withdrawn")
            events.append((us(moment, 20_000), AuditAction.WITHDRAW, person.staff_id, rng.choice(WITHDRAWALS), {}))
        doc.events = events
        return doc

    def _leave(self, doc: Doc, block: tuple[date, ...], rng: random.Random, state: State) -> bool:
        staff = doc.applicant.staff_id
        start = end = block[0]
        half, start_time, hours, event = "", None, None, ""
        roll = rng.random()
        if roll < 0.30:
            leave_type, unit, end = LeaveType.ANNUAL, LeaveUnit.DAY, block[-1]
        elif roll < 0.55:
            leave_type, unit, half = LeaveType.ANNUAL, LeaveUnit.HALF_DAY, rng.choice(LeaveHalf.values)
        elif roll < 0.80:
            leave_type, unit, hours = LeaveType.ANNUAL, LeaveUnit.HOUR, rng.choice((1, 1, 1, 2, 2, 3, 4))
        elif roll < 0.87:
            leave_type, unit, end = LeaveType.SICK, LeaveUnit.DAY, block[-1]
        elif roll < 0.92:
            leave_type, unit, hours = LeaveType.SICK, LeaveUnit.HOUR, rng.choice((1, 2, 3))
        elif roll < 0.98:
            summer = all(d.month in SUMMER_MONTHS for d in block) and state.summer[staff] + len(block) <= SUMMER_DAYS
            leave_type, unit, end = (LeaveType.SUMMER if summer else LeaveType.ANNUAL), LeaveUnit.DAY, block[-1]
        else:
            leave_type, unit, end = LeaveType.BEREAVEMENT, LeaveUnit.DAY, block[-1]
            event = rng.choice([e for e in BereavementEvent.values if BEREAVEMENT_DAYS[e] >= len(block)])
        if hours is not None:
            start_time = clock(rng.randint(9, 17 - hours))
        taken = quantity(leave_type, unit, start, end, hours=hours, bereavement_event=event)
        minutes = taken.minutes.quantize(TENTH)
        if leave_type == LeaveType.ANNUAL:
            if state.annual[staff] + minutes > ANNUAL_CAP:
                return False
            state.annual[staff] += minutes
        elif leave_type == LeaveType.SUMMER:
            state.summer[staff] += taken.working_days
        reason = rng.choice(REASONS[leave_type])
        doc.doc_type = LEAVE
        doc.title = leave_title(
            leave_type=leave_type,
            unit=unit,
            start_date=start,
            end_date=end,
            half=half,
            start_time=start_time,
            hours=hours,
            days=taken.working_days,
        )
        doc.body = reason
        doc.detail = (
            str(leave_type),
            str(unit),
            start,
            end,
            half,
            start_time,
            hours,
            event,
            taken.working_days,
            minutes,
            reason,
        )
        # The applicant's own mark (個人情報) on some sick leave.
        doc.personal = leave_type == LeaveType.SICK and rng.random() < 0.3
        return True

    def _telework(self, doc: Doc, block: tuple[date, ...], rng: random.Random) -> None:
        tasks, place = rng.choice(TASKS), rng.choice(PLACES)
        doc.doc_type = TELEWORK
        doc.title = telework_title(start_date=block[0], end_date=block[-1], days=len(block))
        doc.body = "\n".join([_("Place: %(place)s") % {"place": place}, "", tasks])
        doc.detail = (block[0], block[-1], len(block), tasks, place)

    def _moments(self, filed: datetime, n: int, rng: random.Random) -> list[datetime]:
        """When each of the n acts after filing happened: minutes to a day apart, in office hours; squeezed into
        the same evening when that would run past the year's last working day."""
        moments, t = [], filed
        for _i in range(n):
            t = office_later(t, rng, 10, 1500)
            moments.append(t)
        if moments and moments[-1] > self.city.last_moment:
            moments, t = [], filed
            for _i in range(n):
                t += timedelta(minutes=rng.uniform(1, 20))
                moments.append(t)
        return moments

    @staticmethod
    def _activate(step: list, moment: datetime) -> None:
        step[3], step[4] = StepState.ACTIVE, moment
        for slot in step[6]:
            if slot[1] == SlotState.WAITING:
                slot[1], slot[2] = SlotState.PENDING, moment

    @staticmethod
    def _close(doc: Doc, moment: datetime, end: str) -> None:
        """_core.close: open slots and steps cancelled, the document closed, the process finished."""
        for step in doc.steps:
            if step[3] in (StepState.WAITING, StepState.ACTIVE):
                step[3] = StepState.CANCELLED
            for slot in step[6]:
                if slot[1] in (SlotState.WAITING, SlotState.PENDING):
                    slot[1] = SlotState.CANCELLED
        doc.closed, doc.end = moment, end

    # ---- writing ----

    def build(self, n: int, *, first: bool) -> float:
        """Write n more documents of the year in one transaction. Returns the seconds it took."""
        city = self.city
        started = time.perf_counter()
        state = State.load(city.year)
        chosen = self.allocate(n, state, heavy=first)
        with translation.override(settings.LANGUAGE_CODE):
            docs = [self.document(person, k, state) for person, k in chosen]
        docs.sort(key=lambda d: d.filed)
        made = time.perf_counter()
        print(f"  {len(docs):,} documents generated in {made - started:.1f} s; writing …", flush=True)
        written: Counter = Counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked per statement, not queued to COMMIT
            head = auditchain.locked_head(AuditEntry.chain_name)
            first_id = next_id(Document)
            for i, doc in enumerate(docs):
                doc.id = first_id + i
            sequences = self._number(docs)
            debits = self._debits(docs, state)
            self._write_documents(docs, written)
            self._write_audit(docs, head, written)
            head.save(update_fields=["seq", "hash"])
            for (year, label), last in sequences.items():
                NumberSequence.objects.bulk_create(
                    [NumberSequence(fiscal_year=year, label=label)], ignore_conflicts=True
                )
                NumberSequence.objects.filter(fiscal_year=year, label=label).update(last=last)
            self._write_balances(docs, state, debits, written)
            self._write_grants(docs, first, written)
            with connection.cursor() as cursor:
                models_ = [Document, RouteStep, StepApprover, LeaveRequest, TeleworkApplication, Process, Task]
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [*models_, Previous, AuditEntry, DocumentUserObjectPermission, PersonnelAudit]
                ):
                    cursor.execute(sql)
        seconds = time.perf_counter() - started
        total = sum(written.values())
        print(
            f"  written in {seconds - (made - started):.1f} s: {total:,} rows ("
            + ", ".join(f"{name} {count:,}" for name, count in written.most_common())
            + f"); {total / seconds:,.0f} rows/s over the whole build ({seconds:.1f} s)",
            flush=True,
        )
        return seconds

    def _number(self, docs: list[Doc]) -> dict[tuple[int, str], int]:
        """決裁番号 in the order of the decisions, per fiscal year and department label, after the last given."""
        last = {(s.fiscal_year, s.label): s.last for s in NumberSequence.objects.all()}
        changed: dict[tuple[int, str], int] = {}
        for doc in sorted((d for d in docs if d.decided is not None), key=lambda d: d.decided):
            key = (fiscal_year(doc.decided.date()), doc.applicant.label)
            last[key] = changed[key] = last.get(key, 0) + 1
            doc.number = f"{key[0]}-{key[1]}-{last[key]:06d}"
            doc.decide_detail["number"] = doc.number
        return changed

    def _debits(self, docs: list[Doc], state: State) -> list[PersonnelAudit]:
        """leave_balance_move's personnel audit rows, in the order of the decisions (used before → after)."""
        rows = []
        for doc in sorted((d for d in docs if d.debit is not None), key=lambda d: d.debit[2]):
            minutes, decider, moment = doc.debit
            staff = doc.applicant.staff_id
            before = state.used.get(staff, Decimal("0.0"))
            after = max(Decimal("0.0"), before + minutes)
            state.used[staff] = after
            detail = {
                "document": doc.id,
                "year": self.city.year,
                "minutes": str(minutes),
                "used_before": str(before),
                "used_after": str(after),
            }
            target = f"{doc.applicant.name} {self.city.year}"[:200]
            rows.append(
                PersonnelAudit(
                    at=moment,
                    actor_id=self.city.users[decider],
                    zone=ZONE,
                    action="leave_balance_debit",
                    target=target,
                    detail=detail,
                )
            )
        return rows

    def _write_documents(self, docs: list[Doc], written: Counter) -> None:
        flow_class = Process._meta.get_field("flow_class").get_prep_value(ApprovalFlow)
        task_ref = Task._meta.get_field("flow_task").get_prep_value
        nodes = {
            name: (task_ref(node), node.task_type)
            for name, node in (
                ("start", ApprovalFlow.start),
                ("review", ApprovalFlow.review),
                ("outcome", ApprovalFlow.outcome),
                ("decided", ApprovalFlow.decided),
                ("rejected", ApprovalFlow.rejected),
                ("withdrawn", ApprovalFlow.withdrawn),
            )
        }
        ids = {model: next_id(model) for model in (Process, Task, Previous, RouteStep, StepApprover)}
        ids[LeaveRequest], ids[TeleworkApplication] = next_id(LeaveRequest), next_id(TeleworkApplication)
        tables = {
            Process: "id flow_class status created finished data",
            Task: "id process flow_task flow_task_type status created started finished token data",
            Previous: "id from_task to_task",
            Document: "id doc_type title body applicant drafting_unit status contains_personal_info created_at "
            "filed_at decided_at closed_at number rule process",
            LeaveRequest: "id document staff leave_type unit start_date end_date half start_time hours "
            "bereavement_event working_days minutes reason",
            TeleworkApplication: "id document staff start_date end_date working_days tasks place",
            RouteStep: "id document order kind is_decision label state activated_at completed_at",
            StepApprover: "id step document staff state is_circulation waiting_since acted_at acted_by comment",
        }
        rows: dict[type[models.Model], list[tuple]] = {model: [] for model in tables}

        def task(process_id: int, node: str, status: str, created: datetime, started: Any, finished: Any) -> int:
            task_id = ids[Task]
            ids[Task] += 1
            ref, kind = nodes[node]
            rows[Task].append((task_id, process_id, ref, kind, status, created, started, finished, "start", "{}"))
            return task_id

        def link(later: int, earlier: int) -> None:
            rows[Previous].append((ids[Previous], later, earlier))
            ids[Previous] += 1

        def flush() -> None:
            for model, names in tables.items():
                insert(model, names.split(), rows[model])
                written[model._meta.db_table] += len(rows[model])
                rows[model].clear()

        for count, doc in enumerate(docs, start=1):
            person, filed, closed = doc.applicant, doc.filed, doc.closed
            process_id = ids[Process]
            ids[Process] += 1
            # process_start: the process, its start task (done) and the open review task.
            rows[Process].append(
                (
                    process_id,
                    flow_class,
                    PROCESS.DONE if closed else PROCESS.NEW,
                    us(filed, 15_000),
                    us(closed, 18_000) if closed else None,
                    "{}",
                )
            )
            start = task(process_id, "start", STATUS.DONE, us(filed, 15_100), us(filed, 15_050), us(filed, 18_000))
            if closed is None:
                link(task(process_id, "review", STATUS.NEW, us(filed, 21_000), None, None), start)
            else:  # process_finish: review done, the Switch, the End of the outcome
                review = task(
                    process_id, "review", STATUS.DONE, us(filed, 21_000), us(closed, 10_000), us(closed, 10_100)
                )
                link(review, start)
                switch = task(process_id, "outcome", STATUS.DONE, us(closed, 12_000), None, us(closed, 13_000))
                link(switch, review)
                link(
                    task(process_id, doc.end, STATUS.DONE, us(closed, 15_000), us(closed, 17_000), us(closed, 19_000)),
                    switch,
                )
            rows[Document].append(
                (
                    doc.id,
                    doc.doc_type,
                    doc.title,
                    doc.body,
                    person.staff_id,
                    person.unit_id,
                    str(doc.status),
                    doc.personal,
                    us(filed, 600),
                    filed,
                    doc.decided,
                    closed,
                    doc.number,
                    doc.route.rule_id,
                    process_id,
                )
            )
            model = LeaveRequest if doc.doc_type == LEAVE else TeleworkApplication
            rows[model].append((ids[model], doc.id, person.staff_id, *doc.detail))
            ids[model] += 1
            for order, (kind, is_decision, label, state, activated, completed, slots) in enumerate(doc.steps, 1):
                step_id = ids[RouteStep]
                ids[RouteStep] += 1
                rows[RouteStep].append(
                    (step_id, doc.id, order, kind, is_decision, label, str(state), activated, completed)
                )
                for staff, slot_state, waiting_since, acted_at, acted_by, comment in slots:
                    rows[StepApprover].append(
                        (
                            ids[StepApprover],
                            step_id,
                            doc.id,
                            staff,
                            str(slot_state),
                            False,
                            waiting_since,
                            acted_at,
                            acted_by,
                            comment,
                        )
                    )
                    ids[StepApprover] += 1
            if count % BATCH == 0:
                flush()
        flush()

    def _write_audit(self, docs: list[Doc], head: AuditChainHead, written: Counter) -> None:
        """The entries of the phase in the order they happened, signed and chained after the head (which moves to
        the last); each document's last entry carries the status it ends in."""
        events = [(moment, doc, i, e) for doc in docs for i, (moment, *e) in enumerate(doc.events)]
        events.sort(key=lambda e: (e[0], e[1].id, e[2]))
        first_id = next_id(AuditEntry)
        entries = [
            AuditEntry(
                id=first_id + n,
                document_id=doc.id,
                action=str(action),
                actor_id=actor,
                on_behalf_of_id=None,
                zone=ZONE,
                comment=comment,
                detail=detail,
                created_at=moment,
                status=str(doc.status) if i == len(doc.events) - 1 else "",
            )
            for n, (moment, doc, i, (action, actor, comment, detail)) in enumerate(events)
        ]
        auditchain.sign(entries, after=head)
        names = "id seq document action actor on_behalf_of zone comment detail created_at status prev_hash hash key_id"
        columns = [AuditEntry._meta.get_field(name).attname for name in names.split()]
        for start in range(0, len(entries), 10 * BATCH):
            rows = [
                tuple(json.dumps(e.detail, ensure_ascii=False) if c == "detail" else getattr(e, c) for c in columns)
                for e in entries[start : start + 10 * BATCH]
            ]
            insert(AuditEntry, names.split(), rows)
            written[AuditEntry._meta.db_table] += len(rows)

    def _write_balances(self, docs: list[Doc], state: State, debits: list[PersonnelAudit], written: Counter) -> None:
        """The year's LeaveBalance rows (filing creates them; deciding annual leave debits them) and the debits'
        entries in the personnel audit."""
        year = self.city.year
        head = auditchain.locked_head(PersonnelAudit.chain_name)
        auditchain.sign(debits, after=head)
        names = ("at", "actor", "zone", "action", "target", "detail", "seq", "prev_hash", "hash", "key_id")
        rows = [
            (e.at, e.actor_id, e.zone, e.action, e.target, json.dumps(e.detail, ensure_ascii=False), e.seq)
            + (e.prev_hash, e.hash, e.key_id)
            for e in debits
        ]
        insert(PersonnelAudit, names, rows)
        head.save(update_fields=["seq", "hash"])
        written[PersonnelAudit._meta.db_table] += len(debits)
        filers = {d.applicant.staff_id for d in docs if d.doc_type == LEAVE}
        existing = {b.staff_id: b for b in LeaveBalance.objects.filter(year=year, staff_id__in=filers)}
        before = {b.staff_id: b for b in LeaveBalance.objects.filter(year=year - 1, staff_id__in=filers)}
        new, changed = [], []
        for staff in sorted(filers):
            used = state.used.get(staff, Decimal("0.0"))
            row = existing.get(staff)
            if row is None:
                carried = Decimal("0.0")
                if staff in before:
                    carried = min(CARRY_OVER_MAX_MINUTES, max(Decimal(0), before[staff].remaining_minutes))
                new.append(
                    LeaveBalance(
                        staff_id=staff,
                        year=year,
                        granted_minutes=ANNUAL_GRANT_MINUTES,
                        carried_minutes=carried,
                        used_minutes=used,
                    )
                )
            elif row.used_minutes != used:
                row.used_minutes = used
                changed.append(row)
        LeaveBalance.objects.bulk_create(new, batch_size=2000)
        table, quote = LeaveBalance._meta.db_table, connection.ops.quote_name
        with connection.cursor() as cursor:  # bulk_update's CASE WHEN costs seconds for a few thousand rows
            cursor.executemany(
                f"UPDATE {quote(table)} SET used_minutes = %s WHERE id = %s",  # noqa: S608 - the model's table
                [(str(row.used_minutes), row.pk) for row in changed],
            )
        written[LeaveBalance._meta.db_table] += len(new)

    def _write_grants(self, docs: list[Doc], first: bool, written: Counter) -> None:
        """Documents shared with a reviewer (guardian view_document): a few in every build, and at the first
        build a few for kacho and kakariin, so the grants branch of visible() finds rows for them."""
        permission = Permission.objects.get(content_type__app_label="approvals", codename="view_document")
        rng = random.Random(SEED + docs[0].id if docs else SEED)
        pairs: set[tuple[int, int]] = set()
        people = self.city.applicants
        for doc in docs:
            if rng.random() < GRANT_SHARE:
                reviewer = rng.choice(people)
                if reviewer.unit_id != doc.applicant.unit_id and reviewer is not doc.applicant:
                    pairs.add((doc.id, reviewer.user_id))
        if first:
            for username, n in ((inbox.DECIDER, 5), (HEAVY, 3)):
                user_id = User.objects.get(username=username).pk
                others = [d for d in docs if d.applicant.user_id != user_id and d.applicant.quiet is False]
                pairs.update((d.id, user_id) for d in others[:: max(1, len(others) // n)][:n])
        rows = [(doc_id, permission.pk, user_id) for doc_id, user_id in sorted(pairs)]
        insert(DocumentUserObjectPermission, ("content_object", "permission", "user"), rows)
        written[DocumentUserObjectPermission._meta.db_table] += len(rows)


# --------------------------------------------------------------------------------------------------------
# Checks after building (not timed)
# --------------------------------------------------------------------------------------------------------


def check_build(year: int) -> None:
    started = time.perf_counter()
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out, no_color=True)
    except CommandError as exc:
        sys.exit(f"bench: verify_audit: {exc}")
    chain = time.perf_counter() - started
    docs = generated(year)
    statuses = Counter(dict(docs.values_list("status").annotate(n=Count("pk")).order_by()))
    numbers = list(docs.filter(number__isnull=False).values_list("number", flat=True))
    per_label = Counter(n.rsplit("-", 1)[0] for n in numbers)
    sequences = {f"{s.fiscal_year}-{s.label}": s.last for s in NumberSequence.objects.all()}
    numbering_ok = len(set(numbers)) == len(numbers) == statuses.get(DocumentStatus.DECIDED, 0) and all(
        sequences.get(prefix, 0) >= n for prefix, n in per_label.items()
    )
    decided_annual = dict(
        LeaveRequest.objects.filter(
            document__in=docs, document__status=DocumentStatus.DECIDED, leave_type=LeaveType.ANNUAL
        )
        .values_list("staff_id")
        .annotate(m=Sum("minutes"))
        .order_by()
    )
    balances = dict(LeaveBalance.objects.filter(year=year).values_list("staff_id", "used_minutes"))
    balances_ok = all(balances.get(s) == m for s, m in decided_annual.items()) and all(
        m == decided_annual.get(s, 0) for s, m in balances.items()
    )
    without_process = docs.filter(process__isnull=True).count()
    queue = (
        StepApprover.objects.filter(document__in=docs, state=SlotState.PENDING)
        .values_list("staff_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    print(
        f"  checks: {out.getvalue().strip()} ({chain:.1f} s); documents of {year} "
        + ", ".join(f"{s} {n:,}" for s, n in statuses.most_common())
        + f"; 決裁番号 {len(numbers):,} distinct, sequences {'match' if numbering_ok else 'DO NOT MATCH'}; "
        f"LeaveBalance {year} {'matches' if balances_ok else 'DOES NOT MATCH'} the decided annual leave; "
        f"without a process {without_process}; longest queue {queue[1] if queue else 0} items",
        flush=True,
    )
    if not (numbering_ok and balances_ok and without_process == 0):
        sys.exit("bench: the generated year is inconsistent")


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the tables the build wrote (PostgreSQL): a live database has had autovacuum over them, and
    it should not start during the measurements. Then ANALYZE everything (_setup.analyze)."""
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        tables = [
            m._meta.db_table
            for m in (
                Document,
                RouteStep,
                StepApprover,
                AuditEntry,
                Process,
                Task,
                Previous,
                LeaveRequest,
                TeleworkApplication,
                PersonnelAudit,
                DocumentUserObjectPermission,
                LeaveBalance,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) " + ", ".join(connection.ops.quote_name(t) for t in tables))
        print(f"  (VACUUM ANALYZE: {time.perf_counter() - started:.0f} s)", flush=True)
    _setup.analyze()


# --------------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------------

PAGES = {
    "inbox": "inbox page of kacho (課長)",
    "mine": "my requests of kakariin",
    "document": "document page (kakariin's)",
    "counts": "header counts of kacho (queue_counts)",
}
RATES = {"inbox": "inbox page", "rows": "bare view, same rows query", "json": "bare JSON view"}


@dataclass
class Figures:
    documents: int
    ms: dict[str, float]  # median per page
    spread: dict[str, tuple[float, float]]  # p10, p90
    queries: dict[str, int]
    rates: dict[str, float]  # median requests/s
    load: float
    when: str


def counts_call(user: Any) -> float:
    ctx = AccessContext.office()  # fresh: the principal is loaded again
    started = time.perf_counter()
    selectors.queue_counts(user=user, ctx=ctx)
    return (time.perf_counter() - started) * 1000


def counts_queries(user: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.queue_counts(user=user, ctx=AccessContext.office())
    return len(captured)


def measure(kacho: Any, heavy: Any, document_id: int, rounds: int, requests: int) -> Figures:
    reset_queries()
    clients = {"kacho": inbox.logged_in(kacho), "heavy": inbox.logged_in(heavy)}
    with override_settings(ROOT_URLCONF=__name__):
        targets: dict[str, tuple[Client, str]] = {
            "inbox": (clients["kacho"], reverse("approvals:inbox")),
            "mine": (clients["heavy"], reverse("approvals:mine")),
            "document": (clients["heavy"], reverse("approvals:document", args=[document_id])),
        }
        queries = {name: inbox.queries(client, url) for name, (client, url) in targets.items()}
        queries["counts"] = counts_queries(kacho)
        samples: dict[str, list[float]] = defaultdict(list)
        with override_settings(DEBUG=False):
            for client, url in targets.values():
                for _i in range(3):
                    inbox.get(client, url)
            for run in range(rounds):
                order = list(targets.items()) if run % 2 == 0 else list(reversed(targets.items()))
                for name, (client, url) in order:
                    for _i in range(requests):
                        started = time.perf_counter()
                        inbox.get(client, url)
                        samples[name].append((time.perf_counter() - started) * 1000)
                samples["counts"].extend(counts_call(kacho) for _i in range(requests))
            urls = {
                "inbox": targets["inbox"][1],
                "rows": reverse("bench_inbox_rows"),
                "json": reverse("bench_bare"),
            }
            rates = inbox.throughput(clients["kacho"], urls, rounds, requests)

    def tenth(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return Figures(
        documents=Document.objects.count(),
        ms={name: statistics.median(values) for name, values in samples.items()},
        spread={name: (tenth(values, 0.1), tenth(values, 0.9)) for name, values in samples.items()},
        queries=queries,
        rates={name: statistics.median(values) for name, values in rates.items()},
        load=os.getloadavg()[0],
        when=timezone.now().isoformat(timespec="seconds"),
    )


def report(figures: Figures, label: str) -> None:
    print(
        f"\n{label}: {figures.documents:,} documents in all, load average {figures.load:.1f} on {os.cpu_count()} "
        "CPUs — median ms (p10–p90), SQL queries:"
    )
    for name, title in PAGES.items():
        low, high = figures.spread[name]
        print(f"  {title:<40} {figures.ms[name]:7.1f} ms ({low:.1f}–{high:.1f})  {figures.queries[name]:3d} queries")
    inbox_rate = figures.rates["inbox"]
    print(
        "  requests/s: "
        + ", ".join(f"{RATES[name]} {rate:.1f}" for name, rate in figures.rates.items())
        + f"; inbox / bare rows view {inbox_rate / figures.rates['rows']:.2f} (goal >= 0.5), "
        f"inbox / bare JSON view {inbox_rate / figures.rates['json']:.3f}"
    )


def compare(small: Figures, large: Figures, *, earlier: bool) -> None:
    source = (
        f" (the small-scale figures are from the run of {small.when}, at load average {small.load:.1f}: --keep; "
        "another run on a shared machine, so the ratios are only indicative)"
        if earlier
        else ""
    )
    print(f"\n{large.documents:,} documents against {small.documents:,}{source}:")
    print(f"  {'':<40} {'ratio':>6}  {'goal':<7} queries")
    for name, title in PAGES.items():
        ratio = large.ms[name] / small.ms[name]
        verdict = "ok" if ratio <= 1.5 else "OVER"
        same = "constant" if small.queries[name] == large.queries[name] else "VARIES"
        print(f"  {title:<40} {ratio:6.2f}  <= 1.5 {verdict:<4} {small.queries[name]} / {large.queries[name]} {same}")


def saved_file() -> Any:
    """Where a run keeps its small-scale figures and build times, for a later --keep run on the same database."""
    settings_db = connection.settings_dict
    where = f"{settings_db.get('HOST') or ''}:{settings_db.get('PORT') or ''}/{settings_db['NAME']}"
    name = os.path.basename(str(settings_db["NAME"])).replace(".", "_")
    digest = hashlib.sha256(where.encode()).hexdigest()[:8]  # two databases of one name stay apart
    return _setup.ROOT / "var" / "bench" / f"scale-{connection.vendor}-{name}-{digest}.json"


def load_saved() -> dict[str, Any]:
    try:
        return json.loads(saved_file().read_text())
    except (OSError, ValueError):
        return {}


def save(saved: dict[str, Any]) -> None:
    saved_file().parent.mkdir(parents=True, exist_ok=True)
    saved_file().write_text(json.dumps(saved, indent=1))


def built_note(saved: dict[str, Any]) -> str:
    times = saved.get("built", {})
    if not times:
        return ""
    return "; the run that built them took " + ", ".join(
        f"{duration(seconds)} for the {scale} scale" for scale, seconds in times.items()
    )


def duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


# --------------------------------------------------------------------------------------------------------
# The bulk decision, and an unrelated approval in the middle of it
# --------------------------------------------------------------------------------------------------------


def single_items(ctx: AccessContext) -> tuple[Any, list[StepApprover]]:
    """Two one-hour leave requests of zaimu waiting at her 係長's step (file them when missing): one he approves
    alone, one during the bulk."""
    applicant = User.objects.get(username=SINGLE)
    staff = Staff.objects.get(user=applicant)

    def waiting() -> list[StepApprover]:
        return list(
            StepApprover.objects.filter(
                document__applicant=staff,
                document__body=TAG,
                document__status=DocumentStatus.IN_PROGRESS,
                state=SlotState.PENDING,
                step__order=1,
            )
            .select_related("staff__user", "document")
            .order_by("pk")
        )

    slots = waiting()
    filed = LeaveRequest.objects.filter(staff=staff, reason=TAG).count()
    for n in range(filed, filed + 2 - len(slots)):
        year = ctx.today.year + 1 + n // (inbox.HOURS_A_DAY * inbox.DAYS_A_YEAR)
        days = working_days(date(year, 2, 1), date(year, 3, 31))[: inbox.DAYS_A_YEAR]
        day = days[n % (inbox.HOURS_A_DAY * inbox.DAYS_A_YEAR) // inbox.HOURS_A_DAY]
        leave_request_file(
            actor=applicant,
            ctx=ctx,
            leave_type=LeaveType.ANNUAL,
            unit=LeaveUnit.HOUR,
            start_date=day,
            end_date=day,
            start_time=clock(9 + n % inbox.HOURS_A_DAY),
            hours=1,
            reason=TAG,
        )
    slots = waiting()[:2]
    if len(slots) < 2:
        sys.exit(f"bench: {SINGLE}'s requests do not wait at her 係長")
    return applicant, slots


def bulk_decision(decider: Any, items: int, profile: bool) -> None:
    ctx = AccessContext.office()
    applicant, (alone, during) = single_items(ctx)
    chief = alone.staff.user
    chief_post = (
        assignments_current(on=ctx.today)
        .filter(staff=alone.staff, is_primary=True)
        .select_related("unit", "position")
        .first()
    )
    started = time.perf_counter()
    services.slot_approve(slot=alone, actor=chief, ctx=AccessContext.office())
    alone_seconds = time.perf_counter() - started

    slot_ids = list(selectors.inbox(user=decider, ctx=ctx).values_list("pk", flat=True))
    if len(slot_ids) != items:
        sys.exit(f"bench: {inbox.DECIDER} holds {len(slot_ids)} items, not {items}")
    document_ids = set(StepApprover.objects.filter(pk__in=slot_ids).values_list("document_id", flat=True))
    go = threading.Event()
    single: dict[str, Any] = {}

    def approve_one() -> None:
        try:
            go.wait()
            time.sleep(0.05)
            single["start"] = time.perf_counter()
            services.slot_approve(slot=during, actor=chief, ctx=AccessContext.office())
            single["end"] = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 - reported below
            single["error"] = exc
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=approve_one, name="single approval")
    thread.start()
    profiler = cProfile.Profile() if profile else None
    with override_settings(DEBUG=False), inbox.tallying_statements() as tally:
        bulk_start = time.perf_counter()
        go.set()
        if profiler:
            profiler.enable()
        result = services.slots_bulk_approve(slot_ids=slot_ids, actor=decider, ctx=ctx)
        if profiler:
            profiler.disable()
        bulk_end = time.perf_counter()
    thread.join()
    seconds = bulk_end - bulk_start
    print(
        f"\nbulk approval (slots_bulk_approve) of {len(slot_ids)} items by {inbox.DECIDER} at "
        f"{Document.objects.count():,} documents: {seconds:.2f} s (goal < 2 s), {len(slot_ids) / seconds:.0f} items/s; "
        f"decided {len(result.decided)}, approved {len(result.approved)}, refused {len(result.refused)}; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    inbox.print_statements(tally, items=len(slot_ids), seconds=seconds)
    where = f"{chief_post.position.name} of {chief_post.unit.name}" if chief_post else "係長"
    where = f"{alone.staff.full_name}, {where}"
    if "error" in single:
        print(f"  the single approval by {chief.username} ({where}) FAILED: {single['error']!r}")
    else:
        took = single["end"] - single["start"]
        verdict = "ok" if took < 1 else "OVER"
        ended = "before the bulk ended" if single["end"] < bulk_end else f"{single['end'] - bulk_end:.2f} s after it"
        print(
            f"  a single approval by {chief.username} ({where}, another 局) started "
            f"{(single['start'] - bulk_start) * 1000:.0f} ms into the bulk, from a second thread with its own "
            f"connection: {took * 1000:.0f} ms (goal < 1 s: {verdict}; alone, before the bulk: "
            f"{alone_seconds * 1000:.0f} ms); it ended {ended}"
        )
        if connection.vendor == "sqlite":
            print("  (SQLite has one writer at a time: the single approval waits for the whole bulk)")

    # Outside the timings: the chain, the numbers; the single items go back to their applicant.
    started = time.perf_counter()
    chain = audit.verify()
    verified = time.perf_counter() - started
    decided = Document.objects.filter(pk__in=document_ids, status=DocumentStatus.DECIDED, number__isnull=False)
    numbers = list(decided.values_list("number", flat=True))
    distinct = len(set(numbers)) == len(numbers) == len(document_ids)
    print(
        f"  afterwards: {len(numbers)} of {len(document_ids)} documents decided, "
        f"{'every one with its own' if distinct else 'NOT every one with its own'} 決裁番号 "
        f"({min(numbers, default='-')} … {max(numbers, default='-')}); audit chain {chain.counts['approvals']:,} "
        + ("entries, verifies" if chain.ok else f"entries, BROKEN: {'; '.join(chain.problems)}")
        + f" ({verified:.1f} s, not timed)"
    )
    for slot in (alone, during):
        document = Document.objects.get(pk=slot.document_id)
        if document.status == DocumentStatus.IN_PROGRESS:
            services.document_withdraw(document=document, actor=applicant, ctx=ctx, comment=TAG)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    if not distinct or not chain.ok or result.refused or "error" in single:
        sys.exit("bench: the bulk approval did not decide every item cleanly")


# --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--documents", type=int, help="documents of the year at the large scale (500,000)")
    parser.add_argument("--small", type=int, help="documents at the small scale (10,000)")
    parser.add_argument("--year", type=int, help="the current year: documents are written for the year before")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests per round and page")
    parser.add_argument("--items", type=int, default=200, help=f"items waiting for {inbox.DECIDER}")
    parser.add_argument("--keep", action="store_true", help="reuse the documents an earlier run wrote")
    parser.add_argument("--profile", action="store_true", help="cProfile the bulk approval")
    # make bench passes BENCH_ARGS to every script: options of the others are not ours.
    args, others = parser.parse_known_args()

    sqlite = connection.vendor == "sqlite"
    notes = []
    if args.documents is None:
        args.documents = 20_000 if sqlite else 500_000
        if sqlite:
            notes.append("SQLite: 20,000 documents by default (--documents for more)")
    if args.small is None:
        args.small = 2_000 if sqlite else 10_000
        if sqlite:
            notes.append("2,000 at the small scale")
    if not 0 < args.small < args.documents:
        sys.exit("bench: --small must be below --documents")
    year = (args.year or timezone.localdate().year) - 1

    call_command("migrate", verbosity=0)
    try:
        _setup.ensure_city(10_000)
    except CommandError as exc:
        sys.exit(f"bench: {exc}")
    if User.objects.filter(username__in=(inbox.DECIDER, inbox.SMALL, HEAVY, SINGLE)).count() != 4:
        sys.exit("bench: this database has staff but not the demo city (seed_demo); point DATABASE_URL elsewhere")
    kacho, small_chief = User.objects.get(username=inbox.DECIDER), User.objects.get(username=inbox.SMALL)
    heavy = User.objects.get(username=HEAVY)

    settings_db = connection.settings_dict
    where = settings_db["NAME"] if sqlite else f"{settings_db['HOST']}/{settings_db['NAME']}"
    print(
        f"{connection.vendor} {connection.Database.__name__} ({where}); documents of {year} (leave year): "
        f"{args.small:,}, then {args.documents:,}" + (f" ({'; '.join(notes)})" if notes else "")
    )
    if others:
        print(f"(options for the other scripts ignored: {' '.join(others)})")
    built = generated(year).count()
    if built and not args.keep:
        if sqlite and not os.environ.get("DATABASE_URL"):
            print(f"(the bench SQLite file holds {built:,} documents of {year} from an earlier run: reusing them)")
        else:
            sys.exit(
                f"bench: this database already holds {built:,} documents of {year}: pass --keep to reuse them, or "
                "start from an empty database"
            )

    writers: list[Year] = []

    def writer() -> Year:
        if not writers:
            print("the city as it stood in that year …", flush=True)
            writers.append(Year(City(year)))
        return writers[0]

    saved = load_saved()
    small_figures: Figures | None = None
    if built < args.small:
        print(f"building {args.small - built:,} documents of {year} …", flush=True)
        saved = {"built": {"small": writer().build(args.small - built, first=built == 0)}}
        check_build(year)
        built = args.small
    else:
        print(f"the database holds {built:,} documents of {year} already (--keep){built_note(saved)}")
    inbox.ensure_pending(kacho, small_chief, args.items)
    heavy_document = (
        generated(year)
        .filter(applicant__user=heavy, status=DocumentStatus.DECIDED)
        .annotate(steps_n=Count("steps"))
        .filter(steps_n__gte=2)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if heavy_document is None:
        sys.exit(f"bench: {HEAVY} has no decided document of {year}")
    if built == args.small:
        vacuum_analyze()
        small_figures = measure(kacho, heavy, heavy_document, args.rounds, args.requests)
        report(small_figures, f"{built:,} documents of {year}")
        saved["small"] = asdict(small_figures)
        save(saved)
    elif "small" in saved:
        small_figures = Figures(**saved["small"])
    else:
        print(f"(no small-scale figures of an earlier run in {saved_file()}: no ratios)")
    if built < args.documents:
        print(f"\nextending to {args.documents:,} documents of {year} …", flush=True)
        seconds = writer().build(args.documents - built, first=False)
        saved.setdefault("built", {})["large"] = seconds
        save(saved)
        print(f"  {args.documents - built:,} documents in {duration(seconds)}", flush=True)
        check_build(year)
    vacuum_analyze()
    large = measure(kacho, heavy, heavy_document, args.rounds, args.requests)
    report(large, f"{generated(year).count():,} documents of {year}")
    if small_figures is not None:
        compare(small_figures, large, earlier=built > args.small)
    bulk_decision(kacho, args.items, args.profile)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")


if __name__ == "__main__":
    main()
