"""Browser journeys run on a ticking clock: the forked Daphne server inherits this process's time-machine travel,
and its event loop (Twisted's reactor schedules by time.time()) must see time pass. The clock starts at
tests.conftest.NOW, so the journeys still see the same day whatever the machine's date."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.conftest import NOW


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
