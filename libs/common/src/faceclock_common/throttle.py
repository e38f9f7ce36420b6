"""The one throttle: counters that expire, and locks, in one of four stores, with two policies.

Every store has the same four operations on a key:

- `count(key, window_seconds)`: one more, returned; the count is forgotten `window_seconds`
  after the last one counted;
- `lock(key, seconds)`, `locked_for(key)` (seconds left, 0 when not locked) and `reset(key)`
  (count and lock gone).

The policies are plain math over them:

- `Budget`: requests per fixed window (the gateway). A key's count lives in a bucket named after
  the window, so every caller's window ends on the same clock minute.
- `Backoff`: failed attempts (auth's sign-ins, attendance's badge + PIN). After `free_failures`
  failures every further one locks the key for base_delay * 2^(n - free - 1) seconds, capped.

`purge_counters` deletes a counter table's stale rows (a periodic job calls it).

Stores: `MemoryStore` (one process; async, for the gateway), `RedisStore` and `AsyncRedisStore`
(shared by replicas; the same keys and commands, blocking or on the event loop) and
`DatabaseStore` (a table made by `counter_table`, for runs without Redis). The Redis stores raise
`StoreDown` when Redis does not answer; `Fallback` counts in a second store meanwhile, and a
service that would rather let requests through catches `StoreDown` itself.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import redis
from redis import asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    case,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from faceclock_common.db import UtcDateTime, utcnow

logger = logging.getLogger(__name__)


class StoreDown(Exception):
    """The shared store (Redis) did not answer."""


class Store(Protocol):
    def count(self, key: str, window_seconds: float) -> int: ...

    def lock(self, key: str, seconds: float) -> None: ...

    def locked_for(self, key: str) -> float: ...

    def reset(self, key: str) -> None: ...


class AsyncStore(Protocol):
    async def count(self, key: str, window_seconds: float) -> int: ...

    async def lock(self, key: str, seconds: float) -> None: ...

    async def locked_for(self, key: str) -> float: ...

    async def reset(self, key: str) -> None: ...


def storage_key(key: str) -> str:
    # Hashed so an arbitrarily long user name fits the column and no raw input reaches Redis keys.
    return hashlib.sha256(key.encode()).hexdigest()


# -- policies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """`limit` requests per key in each fixed window of `seconds`."""

    limit: int
    seconds: int = 60

    def share(self, processes: int) -> Budget:
        """The budget of one of `processes` processes that each count in their own memory: a
        caller's requests are spread over them, so together they never get more than the whole
        (and each allows at least one)."""
        return Budget(max(1, self.limit // processes), self.seconds)

    async def spend(self, store: AsyncStore, key: str) -> int:
        """Counts one request; 0 if allowed, else the seconds until the window ends."""
        now = time.time()
        window = int(now // self.seconds)
        # Kept a little past the window's end: a slow clock elsewhere still finds its count.
        count = await store.count(f"{key}:{window}", self.seconds + 5)
        if count <= self.limit:
            return 0
        return max(1, int((window + 1) * self.seconds - now))


@dataclass(frozen=True)
class Backoff:
    free_failures: int
    base_delay: float
    max_delay: float
    window_seconds: int

    def delay_after(self, failures: int) -> float:
        excess = failures - self.free_failures
        if excess <= 0:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(excess - 1, 40)))

    def failure(self, store: Store, key: str) -> tuple[int, float]:
        """Counts one failure; returns (failures so far, seconds the key is now locked for)."""
        failures = store.count(key, self.window_seconds)
        delay = self.delay_after(failures)
        if delay:
            store.lock(key, delay)
        return failures, delay


def retry_after(store: Store, *keys: str) -> int:
    """Whole seconds until every one of `keys` may try again; 0 when none is locked."""
    return math.ceil(max((store.locked_for(key) for key in keys), default=0.0))


# -- stores -------------------------------------------------------------------------------------


class MemoryStore:
    """Counts of this process only, at most `max_keys` of them (the least recently used go).
    Async so the gateway awaits it like Redis; nothing in it waits."""

    def __init__(self, max_keys: int = 100_000) -> None:
        # name -> [count, count forgotten at, locked until] (time.monotonic())
        self._entries: OrderedDict[str, list[float]] = OrderedDict()
        self.max_keys = max_keys

    def _entry(self, key: str) -> list[float]:
        # Raw keys: nothing outside this process sees them, and the gateway's hot path is spared
        # a hash per request.
        entry = self._entries.pop(key, None) or [0, 0.0, 0.0]
        self._entries[key] = entry
        while len(self._entries) > self.max_keys:
            self._entries.popitem(last=False)
        return entry

    async def count(self, key: str, window_seconds: float) -> int:
        entry, now = self._entry(key), time.monotonic()
        entry[0] = (entry[0] if entry[1] > now else 0) + 1
        entry[1] = now + window_seconds
        return int(entry[0])

    async def lock(self, key: str, seconds: float) -> None:
        self._entry(key)[2] = time.monotonic() + seconds

    async def locked_for(self, key: str) -> float:
        entry = self._entries.get(key)
        return max(0.0, entry[2] - time.monotonic()) if entry else 0.0

    async def reset(self, key: str) -> None:
        self._entries.pop(key, None)


def redis_client(url: str, *, timeout_seconds: float) -> redis.Redis:
    """A client for `RedisStore`: short timeouts, and one immediate retry (for a pooled
    connection Redis has closed) instead of redis-py's default of three with growing pauses,
    which made every throttled request wait seconds while Redis was down."""
    return redis.Redis.from_url(url, socket_timeout=timeout_seconds,
                                socket_connect_timeout=timeout_seconds,
                                retry=Retry(NoBackoff(), 1))


def async_redis_client(url: str, *, timeout_seconds: float) -> aioredis.Redis:
    """`redis_client` for `AsyncRedisStore`."""
    return aioredis.Redis.from_url(url, socket_timeout=timeout_seconds,
                                   socket_connect_timeout=timeout_seconds,
                                   retry=AsyncRetry(NoBackoff(), 1))


class _RedisKeys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def count_key(self, key: str) -> str:
        return f"{self.prefix}count:{storage_key(key)}"

    def lock_key(self, key: str) -> str:
        return f"{self.prefix}lock:{storage_key(key)}"


def _seconds_of(ttl_ms: int) -> float:
    return ttl_ms / 1000 if ttl_ms > 0 else 0.0


class RedisStore(_RedisKeys):
    """Blocking Redis calls, for services whose throttled work runs in threads (auth,
    attendance). One round trip per operation."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        super().__init__(prefix)
        self.client = client

    def count(self, key: str, window_seconds: float) -> int:
        name = self.count_key(key)
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.pexpire(name, max(1, int(window_seconds * 1000)))
                return int(pipe.execute()[0])
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc

    def lock(self, key: str, seconds: float) -> None:
        try:
            self.client.set(self.lock_key(key), "1", px=max(1, int(seconds * 1000)))
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc

    def locked_for(self, key: str) -> float:
        try:
            return _seconds_of(int(self.client.pttl(self.lock_key(key))))
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc

    def reset(self, key: str) -> None:
        try:
            self.client.delete(self.count_key(key), self.lock_key(key))
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc


class AsyncRedisStore(_RedisKeys):
    """`RedisStore` on the event loop (the gateway's budgets run on every request: no thread)."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        super().__init__(prefix)
        self.client = client

    async def count(self, key: str, window_seconds: float) -> int:
        name = self.count_key(key)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.pexpire(name, max(1, int(window_seconds * 1000)))
                return int((await pipe.execute())[0])
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc

    async def lock(self, key: str, seconds: float) -> None:
        try:
            await self.client.set(self.lock_key(key), "1", px=max(1, int(seconds * 1000)))
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc

    async def locked_for(self, key: str) -> float:
        try:
            return _seconds_of(int(await self.client.pttl(self.lock_key(key))))
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc

    async def reset(self, key: str) -> None:
        try:
            await self.client.delete(self.count_key(key), self.lock_key(key))
        except (redis.RedisError, OSError) as exc:
            raise StoreDown(str(exc)) from exc


def counter_table(metadata: MetaData) -> Table:
    """The `throttle_counters` table of `DatabaseStore`, added to a service's metadata (each
    service migrates its own copy). `key` is the hashed key; a count is forgotten `window`
    seconds after `last_failure_at`."""
    return Table(
        "throttle_counters", metadata,
        Column("key", String(191), primary_key=True),
        Column("failures", Integer, nullable=False),
        Column("last_failure_at", UtcDateTime(), nullable=False),
        Column("locked_until", UtcDateTime(), nullable=True),
    )


def purge_counters(session: Session, table: Table, *, idle_seconds: float) -> int:
    """Deletes the rows of a `counter_table` nothing reads again: no failure counted for
    `idle_seconds` (at least the longest window counted in the table) and no lock still
    running. Returns how many went. The caller's transaction: run it from a periodic job."""
    now = utcnow()
    purged = session.execute(delete(table).where(
        table.c.last_failure_at < now - timedelta(seconds=idle_seconds),
        or_(table.c.locked_until.is_(None), table.c.locked_until < now)))
    return int(getattr(purged, "rowcount", 0) or 0)


class DatabaseStore:
    """Counts in a `counter_table`, each operation in a short transaction of its own (never the
    caller's: a failure counted must stay counted whatever the request does next)."""

    def __init__(self, session_factory: sessionmaker[Session], table: Table) -> None:
        self.session_factory = session_factory
        self.table = table

    def count(self, key: str, window_seconds: float) -> int:
        name, now = storage_key(key), utcnow()
        table = self.table
        counted = (update(table).where(table.c.key == name).values(
            failures=case((table.c.last_failure_at < now - timedelta(seconds=window_seconds), 1),
                          else_=table.c.failures + 1),
            last_failure_at=now))
        for _ in range(3):
            # Update first, insert only if there was no row, each in its own transaction: on
            # MariaDB a transaction that looked for a missing row and then inserts it deadlocks
            # with a concurrent one doing the same. Two first counts racing: the loser's insert
            # fails and it counts on the winner's row.
            with self.session_factory() as session, session.begin():
                if session.execute(counted).rowcount:  # type: ignore[attr-defined]
                    return int(session.scalar(select(table.c.failures)
                                              .where(table.c.key == name)) or 0)
            try:
                with self.session_factory() as session, session.begin():
                    session.execute(insert(table).values(key=name, failures=1,
                                                         last_failure_at=now))
                return 1
            except IntegrityError:
                continue
        raise RuntimeError("throttle counter kept changing under the count")

    def lock(self, key: str, seconds: float) -> None:
        name, now = storage_key(key), utcnow()
        until = now + timedelta(seconds=seconds)
        locked = update(self.table).where(self.table.c.key == name).values(locked_until=until)
        for _ in range(3):  # as in count()
            with self.session_factory() as session, session.begin():
                if session.execute(locked).rowcount:  # type: ignore[attr-defined]
                    return
            # No count to lock (it was made in Redis before an outage): a row of its own.
            try:
                with self.session_factory() as session, session.begin():
                    session.execute(insert(self.table).values(
                        key=name, failures=0, last_failure_at=now, locked_until=until))
                return
            except IntegrityError:
                continue
        raise RuntimeError("throttle counter kept changing under the lock")

    def locked_for(self, key: str) -> float:
        with self.session_factory() as session:
            until = session.scalar(select(self.table.c.locked_until)
                                   .where(self.table.c.key == storage_key(key)))
        return max(0.0, (until - utcnow()).total_seconds()) if until is not None else 0.0

    def reset(self, key: str) -> None:
        with self.session_factory() as session, session.begin():
            session.execute(delete(self.table).where(self.table.c.key == storage_key(key)))


class StoreDownLog:
    """One warning per `every_seconds` that a store is down: at a few hundred requests a second
    a line each is a flood."""

    def __init__(self, every_seconds: float = 30.0) -> None:
        self.every_seconds = every_seconds
        self._logged_at = -every_seconds

    def __call__(self, exc: StoreDown, meanwhile: str) -> None:
        now = time.monotonic()
        if now - self._logged_at >= self.every_seconds:
            self._logged_at = now
            logger.warning("throttle store (Redis) unavailable: %s", meanwhile,
                           extra={"error": str(exc)})


class Fallback:
    """`primary` (Redis) while it answers, `fallback` (the database) while it does not. Counts
    made in Redis before an outage are not seen meanwhile; the throttle still holds."""

    def __init__(self, primary: Store, fallback: Store) -> None:
        self.primary = primary
        self.fallback = fallback
        self._down = StoreDownLog()

    def _fall_back(self, exc: StoreDown) -> Store:
        self._down(exc, "counting in the database")
        return self.fallback

    def count(self, key: str, window_seconds: float) -> int:
        try:
            return self.primary.count(key, window_seconds)
        except StoreDown as exc:
            return self._fall_back(exc).count(key, window_seconds)

    def lock(self, key: str, seconds: float) -> None:
        try:
            self.primary.lock(key, seconds)
        except StoreDown as exc:
            self._fall_back(exc).lock(key, seconds)

    def locked_for(self, key: str) -> float:
        try:
            return self.primary.locked_for(key)
        except StoreDown as exc:
            return self._fall_back(exc).locked_for(key)

    def reset(self, key: str) -> None:
        try:
            self.primary.reset(key)
        except StoreDown as exc:
            self._fall_back(exc).reset(key)


def shared_store(redis_url: str | None, *, prefix: str, session_factory: sessionmaker[Session],
                 table: Table, timeout_seconds: float = 2) -> Store:
    """The store of a throttle that every replica shares: Redis when `redis_url` is set (the
    database while Redis is down), else the database table `table` (made by `counter_table`)."""
    store: Store = DatabaseStore(session_factory, table)
    if redis_url:
        client = redis_client(redis_url, timeout_seconds=timeout_seconds)
        store = Fallback(RedisStore(client, prefix), store)
    return store
