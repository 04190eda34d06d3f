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


@pytest.fixture
def browser():
    """Headless Debian chromium through Playwright (never a downloaded browser). The leave journey, which needs the
    ASGI server up first, has its own."""
    from playwright.sync_api import sync_playwright

    from tests.browser.test_shell import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
