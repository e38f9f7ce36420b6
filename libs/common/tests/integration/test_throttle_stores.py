"""faceclock_common.throttle's shared stores on real servers: Redis (blocking and async, one key
naming), the counter table on SQLite and MariaDB, and the fallback when Redis is down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from redis import asyncio as aioredis
from sqlalchemy import MetaData

from faceclock_common.db import make_engine, make_session_factory
from faceclock_common.throttle import (
    AsyncRedisStore,
    Backoff,
    DatabaseStore,
    Fallback,
    RedisStore,
    Store,
    StoreDown,
    async_redis_client,
    counter_table,
    redis_client,
    retry_after,
)
from faceclock_dev.testing import free_port, private_redis


def _database_store(url: str) -> Iterator[DatabaseStore]:
    engine = make_engine(url)
    metadata = MetaData()
    table = counter_table(metadata)
    metadata.create_all(engine)
    try:
        yield DatabaseStore(make_session_factory(engine), table)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "mysql", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "redis":
        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        yield RedisStore(client, "test:throttle:")
        client.close()
    elif request.param == "sqlite":
        yield from _database_store(f"sqlite:///{tmp_path / 'throttle.db'}")
    else:
        yield from _database_store(request.getfixturevalue("mysql_url"))


def test_counts_grow_and_are_forgotten_a_window_after_the_last(store: Store) -> None:
    assert [store.count("k", 0.5) for _ in range(3)] == [1, 2, 3]
    assert store.count("other", 0.5) == 1
    time.sleep(0.3)
    assert store.count("k", 0.5) == 4  # counting again keeps the count
    time.sleep(0.6)
    assert store.count("k", 0.5) == 1


def test_locks_run_out_and_reset_clears_count_and_lock(store: Store) -> None:
    assert store.locked_for("k") == 0
    store.count("k", 60)
    store.lock("k", 0.4)
    assert 0.2 < store.locked_for("k") <= 0.4
    time.sleep(0.45)
    assert store.locked_for("k") == 0
    store.count("k", 60)
    store.lock("k", 30)
    store.reset("k")
    assert store.locked_for("k") == 0 and store.count("k", 60) == 1


def test_a_key_with_no_count_can_be_locked(store: Store) -> None:
    store.lock("fresh", 5)
    assert 4 < store.locked_for("fresh") <= 5 and store.count("fresh", 60) == 1


def test_backoff_over_a_store(store: Store) -> None:
    policy = Backoff(free_failures=2, base_delay=0.3, max_delay=30, window_seconds=60)
    assert [policy.failure(store, "acct:ada") for _ in range(2)] == [(1, 0.0), (2, 0.0)]
    assert retry_after(store, "acct:ada", "addr:1.2.3.4") == 0
    assert policy.failure(store, "acct:ada") == (3, 0.3)
    assert retry_after(store, "acct:ada", "addr:1.2.3.4") == 1  # whole seconds, rounded up
    assert policy.failure(store, "acct:ada") == (4, 0.6)
    assert 0.3 < store.locked_for("acct:ada") <= 0.6


def test_concurrent_counts_are_each_seen_once(store: Store) -> None:
    """Every count sees all those before it: 16 at once get 1..16, each once (the badge + PIN
    lockout relies on it to let no more than its limit through to the PIN check)."""
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda _: store.count("race", 60), range(16)))
    assert sorted(counts) == list(range(1, 17))


async def test_the_async_store_shares_the_blocking_store_s_keys(redis_url: str) -> None:
    blocking = RedisStore(redis.Redis.from_url(redis_url), "test:throttle:")
    on_the_loop = AsyncRedisStore(aioredis.Redis.from_url(redis_url), "test:throttle:")
    try:
        assert await on_the_loop.count("k", 60) == 1
        assert blocking.count("k", 60) == 2
        assert await on_the_loop.count("k", 60) == 3
        await on_the_loop.lock("k", 5)
        assert 4 < blocking.locked_for("k") <= 5
        assert 4 < await on_the_loop.locked_for("k") <= 5
        await on_the_loop.reset("k")
        assert blocking.locked_for("k") == 0 and blocking.count("k", 60) == 1
    finally:
        blocking.client.close()
        await on_the_loop.client.aclose()


def test_redis_with_nothing_listening_is_store_down_at_once() -> None:
    """StoreDown, and soon: a throttled request must not wait seconds of retries for it."""
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.5)
    dead = RedisStore(client, "test:throttle:")
    started = time.monotonic()
    for operation in (lambda: dead.count("k", 60), lambda: dead.lock("k", 1),
                      lambda: dead.locked_for("k"), lambda: dead.reset("k")):
        with pytest.raises(StoreDown):
            operation()
    assert time.monotonic() - started < 1


async def test_async_redis_with_nothing_listening_is_store_down_at_once() -> None:
    client = async_redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.5)
    dead = AsyncRedisStore(client, "test:throttle:")
    started = time.monotonic()
    with pytest.raises(StoreDown):
        await dead.count("k", 60)
    with pytest.raises(StoreDown):
        await dead.locked_for("k")
    assert time.monotonic() - started < 1
    await client.aclose()


def test_the_database_counts_while_redis_is_down(tmp_path: Path) -> None:
    """Redis killed under a running fallback: the same operations go on in the database, and
    back in Redis once it answers again."""
    servers = private_redis(tmp_path)
    server = next(servers)
    database = next(_database_store(f"sqlite:///{tmp_path / 'fallback.db'}"))
    client = redis_client(f"redis://127.0.0.1:{server.port}/0", timeout_seconds=0.5)
    store = Fallback(RedisStore(client, "test:throttle:"), database)
    policy = Backoff(free_failures=2, base_delay=30, max_delay=30, window_seconds=60)
    try:
        assert policy.failure(store, "k") == (1, 0.0)
        server.kill()
        # Counts made in Redis are not seen meanwhile; the database's own still lock.
        assert [policy.failure(store, "k") for _ in range(3)] == [(1, 0.0), (2, 0.0), (3, 30.0)]
        assert retry_after(store, "k") == 30 and database.locked_for("k") > 29
        server.start()  # empty: it keeps nothing on disk
        assert retry_after(store, "k") == 0 and store.count("k", 60) == 1  # not the database's 4
        store.reset("k")
        assert database.locked_for("k") > 29
    finally:
        client.close()
        servers.close()
