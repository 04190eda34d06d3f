"""The one clock: every test runs at tests.conftest.NOW whatever the machine's date (see `make test-dates`)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from django.utils import timezone

from personnel.access import AccessContext
from tests.conftest import NOW, TODAY, TOKYO


def test_every_test_starts_at_now_in_tokyo():
    assert timezone.now() == NOW
    assert timezone.localdate() == TODAY
    assert time.time() == NOW.timestamp()
    assert datetime.now(TOKYO) == NOW
    assert date.today() == TODAY  # noqa: DTZ011 - proving the frozen clock reaches naive readings too


def test_the_access_context_takes_its_day_from_the_clock(clock):
    assert AccessContext().today == TODAY
    clock.move_to(datetime(2027, 3, 31, 23, 59, 59, tzinfo=TOKYO))
    assert AccessContext.office().today == date(2027, 3, 31)
    clock.shift(timedelta(seconds=1))
    assert AccessContext.remote().today == date(2027, 4, 1)
