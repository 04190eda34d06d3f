"""The fixed cast every test can use: a small city with people at each rank (see `city`), and the one clock.

Every test runs on a frozen clock (time-machine): `timezone.now()`, `timezone.localdate()` and `time.time()` say
NOW, whatever the machine's date, so the suite passes on any day of the year (`make test-dates` proves it under
Debian's faketime). A test that needs another moment asks for the `clock` fixture and moves it
(`clock.move_to(...)`, `clock.shift(timedelta(...))`); the browser journeys let it tick (tests/browser/conftest.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group

from personnel import access, services
from personnel.models import OrgUnit, Position, Staff, UnitKind

TOKYO = ZoneInfo("Asia/Tokyo")
# 2026-11-23 is 勤労感謝の日, a national holiday (a Monday): the tests that need working days say so.
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO)
PASSWORD = "kessai-test-pass-2026"  # noqa: S105


@pytest.fixture(scope="session", autouse=True)
def _worker_namespaces(worker_id: str) -> None:
    """Under pytest-xdist each worker has its own test database, but a Redis server is shared: give each worker
    its own channel-layer prefix and cache key prefix, so one worker's user 5 never hears another's."""
    if worker_id == "master":
        return
    from django.conf import settings

    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"].endswith("RedisChannelLayer"):
        layer.setdefault("CONFIG", {})["prefix"] = f"asgi-{worker_id}"
    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{worker_id}"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """The frozen clock at NOW. Request it by name to move it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings, tmp_path):
    """Each test's audit checkpoints in a file of its own (verify_audit writes one on every run)."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture
def system_ctx() -> access.AccessContext:
    return access.AccessContext.for_system(today=TODAY)


@pytest.fixture
def office() -> access.AccessContext:
    return access.AccessContext.office(today=TODAY)


@pytest.fixture
def remote_otp() -> access.AccessContext:
    return access.AccessContext.remote(assurance=access.OTP, today=TODAY)


@pytest.fixture
def remote_password() -> access.AccessContext:
    return access.AccessContext.remote(assurance=access.PASSWORD, today=TODAY)


@dataclass
class City:
    units: dict[str, OrgUnit]
    people: dict[str, Staff]

    def __getattr__(self, name: str) -> Staff:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None

    def unit(self, code: str) -> OrgUnit:
        return OrgUnit.objects.get(pk=self.units[code].pk)


# code, name, kind, parent code, abbreviation
UNITS = [
    ("C", "テスト市", UnitKind.CITY, None, "市"),
    ("B1", "総務局", UnitKind.BUREAU, "C", "総務"),
    ("D1", "総務部", UnitKind.DEPARTMENT, "B1", "総務"),
    ("S1", "人事課", UnitKind.SECTION, "D1", "人事"),
    ("SS1", "人事係", UnitKind.SUBSECTION, "S1", "人事"),
    ("SS2", "給与係", UnitKind.SUBSECTION, "S1", "給与"),
    ("S2", "契約課", UnitKind.SECTION, "D1", "契約"),
    ("SS3", "契約係", UnitKind.SUBSECTION, "S2", "契約"),
    ("B2", "市民局", UnitKind.BUREAU, "C", "市民"),
    ("D2", "市民部", UnitKind.DEPARTMENT, "B2", "市民"),
    ("S3", "市民課", UnitKind.SECTION, "D2", "市民"),
    ("SS4", "窓口係", UnitKind.SUBSECTION, "S3", "窓口"),
]

# role in the cast, employee number, family, given, kana family, kana given, unit code, position code
CAST = [
    ("applicant", "100001", "山田", "太郎", "ヤマダ", "タロウ", "SS1", "staff"),
    ("colleague", "100002", "佐藤", "花子", "サトウ", "ハナコ", "SS1", "staff"),
    ("chief", "100003", "鈴木", "一郎", "スズキ", "イチロウ", "SS1", "chief"),
    ("approver", "100004", "高橋", "健", "タカハシ", "ケン", "S1", "section_head"),
    ("department_head", "100005", "田中", "誠", "タナカ", "マコト", "D1", "department_head"),
    ("outsider", "100006", "伊藤", "美咲", "イトウ", "ミサキ", "S3", "section_head"),
    ("hr_clerk", "100007", "渡辺", "直子", "ワタナベ", "ナオコ", "SS2", "staff"),
    ("delegate", "100008", "中村", "大輔", "ナカムラ", "ダイスケ", "S1", "deputy_section_head"),
    ("payroll_chief", "100009", "小林", "恵", "コバヤシ", "メグミ", "SS2", "chief"),
]


@pytest.fixture
def city(db, system_ctx) -> City:
    units: dict[str, OrgUnit] = {}
    for code, name, kind, parent, abbreviation in UNITS:
        units[code] = services.orgunit_create(
            actor=None,
            ctx=system_ctx,
            parent=OrgUnit.objects.get(pk=units[parent].pk) if parent else None,
            code=code,
            name=name,
            kind=kind,
            abbreviation=abbreviation,
        )
    people: dict[str, Staff] = {}
    for role, number, family, given, kana_f, kana_g, unit_code, position_code in CAST:
        staff = services.staff_create(
            actor=None,
            ctx=system_ctx,
            row=services.StaffRow(
                number, family, given, kana_f, kana_g, extension=number[-4:], email=f"s{number}@city.example.jp"
            ),
            password=PASSWORD,
        )
        services.assignment_create(
            actor=None,
            ctx=system_ctx,
            staff=staff,
            unit=OrgUnit.objects.get(pk=units[unit_code].pk),
            position=Position.objects.get(code=position_code),
            start_date=date(2026, 4, 1),
        )
        people[role] = staff
    people["hr_clerk"].user.groups.add(Group.objects.get(name=access.Role.HR))
    return City(units=units, people=people)


def pytest_collection_modifyitems(config, items):
    """`postgres` tests need real row locks and parallel connections; SQLite runs skip them (CI has PostgreSQL).

    KESSAI_SHARD=i/n keeps the i-th of n shards of the suite (by a digest of each test's id, so the split is the
    same on every machine): `make test-dates` runs each test at one of its awkward dates instead of all of them."""
    from django.conf import settings

    shard = os.environ.get("KESSAI_SHARD", "")
    if shard:
        index, count = (int(part) for part in shard.split("/"))

        def mine(item: pytest.Item) -> bool:
            return int(hashlib.sha256(item.nodeid.encode()).hexdigest(), 16) % count == index

        config.hook.pytest_deselected(items=[item for item in items if not mine(item)])
        items[:] = [item for item in items if mine(item)]
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
