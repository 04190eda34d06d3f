"""The services CI provides are the ones the suite really runs on.

Locally these tests follow the environment (SQLite and in-memory layers when nothing is set). Under CI (CI=true,
set by the CI runner for .ci/run) a missing DATABASE_URL, REDIS_URL or chromium fails instead of skipping, so a
broken CI set-up cannot pass by quietly running on SQLite or skipping the race and browser tests.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import caches
from django.db import connection

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium, the one the browser tests drive


def _is_postgres_url(url: str) -> bool:
    return url.split("://", 1)[0] in {"postgres", "postgresql", "pgsql", "postgis"}


def _required_in_ci(variable: str, what: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        if IN_CI:
            pytest.fail(f"CI must run with {what}: .ci/run exports {variable}")
        pytest.skip(f"{variable} is not set")
    return value


@pytest.mark.django_db
def test_a_postgresql_database_url_really_connects_to_postgresql():
    url = _required_in_ci("DATABASE_URL", "PostgreSQL")
    if not _is_postgres_url(url):
        if IN_CI:
            pytest.fail(f"CI must run on PostgreSQL, but DATABASE_URL names {url.split('://', 1)[0]!r}")
        pytest.skip("DATABASE_URL does not name PostgreSQL")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_channel_layer_round_trips_a_message_through_redis():
    _required_in_ci("REDIS_URL", "Redis")
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    token = uuid.uuid4().hex

    async def send_and_receive() -> tuple[dict, dict]:
        try:
            channel = await layer.new_channel()
            await layer.send(channel, {"type": "ci.direct", "token": token})
            direct = await layer.receive(channel)
            group = f"ci-{token}"
            await layer.group_add(group, channel)
            await layer.group_send(group, {"type": "ci.group", "token": token})
            broadcast = await layer.receive(channel)
            await layer.group_discard(group, channel)
            return direct, broadcast
        finally:
            await layer.close_pools()

    direct, broadcast = async_to_sync(send_and_receive)()
    assert direct == {"type": "ci.direct", "token": token}
    assert broadcast == {"type": "ci.group", "token": token}


def test_the_cache_round_trips_a_value_through_redis():
    _required_in_ci("REDIS_URL", "Redis")
    cache = caches["default"]
    assert type(cache).__name__ == "RedisCache"
    key = f"ci-{uuid.uuid4().hex}"
    try:
        cache.set(key, {"決裁": [1, 2, 3]}, timeout=60)
        assert cache.get(key) == {"決裁": [1, 2, 3]}
    finally:
        cache.delete(key)
    assert cache.get(key) is None


def test_ci_has_debian_chromium_for_the_browser_tests():
    if not IN_CI:
        pytest.skip("only CI is required to have chromium; browser tests skip themselves without it")
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: .ci/run installs Debian's chromium"
    version = subprocess.run(  # noqa: S603 - a fixed program and argument
        [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "Chromium" in version.stdout
