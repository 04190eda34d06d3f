"""Tests of people acting at the same moment (PostgreSQL row locks): run several actions in parallel threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext

from django.db import connection
from django.utils import translation


def race(*actions: Callable[[], object], language: str | None = None, timeout: float = 30) -> list[object]:
    """Run the actions in parallel threads (each with its own connection), released at the same instant.

    Returns what each action returned, or the exception it raised, in the order given. The active language is per
    thread: with `language` each thread activates it (e.g. "en" to compare refusals with their msgids). A thread
    still running after `timeout` seconds (waiting for a lock) fails the test.
    """
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            with translation.override(language) if language else nullcontext():
                barrier.wait()
                results[i] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting for a lock"
    return results
