"""faceclock_common.throttle without a server: the policies' math and the memory store."""

from __future__ import annotations

import logging
from itertools import pairwise

import pytest

from faceclock_common import throttle
from faceclock_common.throttle import Backoff, Budget, MemoryStore, StoreDown, StoreDownLog


class Clock:
    """time.time and time.monotonic as the throttle sees them, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: float) -> None:
        self.at = at
        monkeypatch.setattr(throttle.time, "time", lambda: self.at)
        monkeypatch.setattr(throttle.time, "monotonic", lambda: self.at)


def test_backoff_grows_after_the_free_failures_and_is_capped() -> None:
    policy = Backoff(free_failures=3, base_delay=1, max_delay=60, window_seconds=3600)
    delays = [policy.delay_after(n) for n in range(1, 12)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:8] == [1, 2, 4, 8, 16]
    assert delays[-1] == 60
    assert all(a <= b for a, b in pairwise(delays))
    assert policy.delay_after(10_000) == 60  # no overflow however long the guessing goes


def test_a_lockout_is_a_backoff_whose_delay_is_the_window() -> None:
    """Attendance's badge + PIN: the 5th failure locks for the whole 15 minutes."""
    policy = Backoff(free_failures=4, base_delay=900, max_delay=900, window_seconds=900)
    assert [policy.delay_after(n) for n in range(1, 8)] == [0, 0, 0, 0, 900, 900, 900]


async def test_budget_allows_the_limit_per_window_and_says_when_it_ends(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock, store, budget = Clock(monkeypatch, 6000.0 + 45.5), MemoryStore(), Budget(3)
    assert [await budget.spend(store, "a") for _ in range(3)] == [0, 0, 0]
    assert await budget.spend(store, "a") == 14  # the window ends at 6060
    assert await budget.spend(store, "b") == 0  # another key has its own budget
    clock.at = 6059.9
    assert await budget.spend(store, "a") == 1  # never 0 while refused
    clock.at = 6060.0  # the next window: a fresh budget
    assert await budget.spend(store, "a") == 0


def test_a_share_of_a_budget_is_never_zero() -> None:
    assert Budget(600).share(4) == Budget(150)
    assert Budget(2).share(4) == Budget(1)
    assert Budget(5, seconds=10).share(2) == Budget(2, seconds=10)


async def test_memory_counts_expire_a_window_after_the_last_count(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock, store = Clock(monkeypatch, 100.0), MemoryStore()
    assert [await store.count("k", 10) for _ in range(3)] == [1, 2, 3]
    clock.at = 109.0
    assert await store.count("k", 10) == 4  # counting again keeps it
    clock.at = 119.5
    assert await store.count("k", 10) == 1  # 10 s after the last one: forgotten


async def test_memory_locks_and_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    clock, store = Clock(monkeypatch, 100.0), MemoryStore()
    assert await store.locked_for("k") == 0
    await store.lock("k", 2.5)
    assert await store.locked_for("k") == 2.5
    clock.at = 101.0
    assert await store.locked_for("k") == 1.5
    clock.at = 103.0
    assert await store.locked_for("k") == 0
    await store.count("k", 60)
    await store.lock("k", 30)
    await store.reset("k")
    assert await store.locked_for("k") == 0 and await store.count("k", 60) == 1


async def test_memory_keeps_only_the_most_recently_used_keys() -> None:
    store = MemoryStore(max_keys=10)
    for i in range(50):
        await store.count(f"k{i}", 60)
    await store.count("k45", 60)
    assert len(store._entries) == 10
    assert await store.count("k45", 60) == 3 and await store.count("k0", 60) == 1


def test_keys_are_hashed_so_any_input_fits() -> None:
    name = throttle.storage_key("acct:" + "x" * 10_000)
    assert len(name) == 64 and name == throttle.storage_key("acct:" + "x" * 10_000)


def test_an_outage_is_logged_once_per_interval(caplog: pytest.LogCaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    clock, log = Clock(monkeypatch, 1000.0), StoreDownLog(every_seconds=30)
    with caplog.at_level(logging.WARNING, logger="faceclock_common.throttle"):
        for _ in range(100):
            log(StoreDown("connection refused"), "counting elsewhere")
        clock.at = 1031.0
        log(StoreDown("connection refused"), "counting elsewhere")
    assert len(caplog.records) == 2
    assert "counting elsewhere" in caplog.records[0].getMessage()
