"""Failed-attempt throttling with growing delays, per account and per client address.

After `free` failures under one key, every further failure locks that key for
base * 2^(n - free - 1) seconds (capped). A locked key answers 429 with Retry-After before any
password is checked. Counters live in Redis when FACECLOCK_REDIS_URL is set (shared by every
replica), in the database otherwise; both are forgotten `window` seconds after the last failure.
While Redis is down the database counts instead (fails safe: sign-ins keep working and stay
throttled; counts made in Redis before the outage are not seen meanwhile).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, TypeVar

import redis
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from auth_svc.db import utcnow
from auth_svc.throttle.models import ThrottleCounter

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Policy:
    free_failures: int
    base_delay: float
    max_delay: float
    window_seconds: int

    def delay_after(self, failures: int) -> float:
        excess = failures - self.free_failures
        if excess <= 0:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(excess - 1, 40)))


class ThrottleBackend(Protocol):
    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it is not locked."""

    def record_failure(self, key: str, policy: Policy) -> tuple[int, float]:
        """Count one failure; return (failures so far, lock seconds now imposed)."""

    def reset(self, key: str) -> None: ...


def storage_key(key: str) -> str:
    # Hashed so an arbitrarily long user name fits the column and no raw input reaches Redis keys.
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseThrottle:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def retry_after(self, key: str) -> float:
        with self.session_factory() as session:
            row = session.get(ThrottleCounter, storage_key(key))
            if row is None or row.locked_until is None:
                return 0.0
            return max(0.0, (row.locked_until - utcnow()).total_seconds())

    def record_failure(self, key: str, policy: Policy) -> tuple[int, float]:
        for attempt in range(3):
            try:
                return self._record(key, policy)
            except IntegrityError:
                # Two first failures raced to insert the row; the loser counts on the winner's.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _record(self, key: str, policy: Policy) -> tuple[int, float]:
        now = utcnow()
        with self.session_factory() as session, session.begin():
            row = session.scalars(
                select(ThrottleCounter)
                .where(ThrottleCounter.key == storage_key(key))
                .with_for_update()
            ).first()
            if row is None or now - row.last_failure_at > timedelta(seconds=policy.window_seconds):
                if row is None:
                    row = ThrottleCounter(key=storage_key(key), failures=0, last_failure_at=now)
                    session.add(row)
                row.failures = 0
                row.locked_until = None
            row.failures += 1
            row.last_failure_at = now
            delay = policy.delay_after(row.failures)
            if delay:
                row.locked_until = now + timedelta(seconds=delay)
            return row.failures, delay

    def reset(self, key: str) -> None:
        with self.session_factory() as session, session.begin():
            session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == storage_key(key)))


class RedisThrottle:
    def __init__(self, client: redis.Redis, prefix: str = "faceclock:auth:throttle:") -> None:
        self.client = client
        self.prefix = prefix

    def retry_after(self, key: str) -> float:
        ttl_ms = int(self.client.pttl(self.prefix + "lock:" + storage_key(key)))
        return ttl_ms / 1000 if ttl_ms > 0 else 0.0

    def record_failure(self, key: str, policy: Policy) -> tuple[int, float]:
        hashed = storage_key(key)
        counter = self.prefix + "count:" + hashed
        pipe = self.client.pipeline()
        pipe.incr(counter)
        pipe.expire(counter, policy.window_seconds)
        failures = int(pipe.execute()[0])
        delay = policy.delay_after(failures)
        if delay:
            self.client.set(self.prefix + "lock:" + hashed, "1", px=max(1, int(delay * 1000)))
        return failures, delay

    def reset(self, key: str) -> None:
        hashed = storage_key(key)
        self.client.delete(self.prefix + "count:" + hashed, self.prefix + "lock:" + hashed)


class FallbackThrottle:
    """Redis while it answers, the database while it does not."""

    LOG_EVERY_SECONDS = 30.0

    def __init__(self, primary: RedisThrottle, fallback: DatabaseThrottle) -> None:
        self.primary = primary
        self.fallback = fallback
        self._logged_at = -self.LOG_EVERY_SECONDS

    def _either(self, use: Callable[[ThrottleBackend], T]) -> T:
        try:
            return use(self.primary)
        except (redis.RedisError, OSError) as exc:
            now = time.monotonic()
            if now - self._logged_at >= self.LOG_EVERY_SECONDS:  # not a line per sign-in
                self._logged_at = now
                logger.warning("throttle: Redis unavailable, counting in the database",
                               extra={"error": str(exc)})
            return use(self.fallback)

    def retry_after(self, key: str) -> float:
        return self._either(lambda backend: backend.retry_after(key))

    def record_failure(self, key: str, policy: Policy) -> tuple[int, float]:
        return self._either(lambda backend: backend.record_failure(key, policy))

    def reset(self, key: str) -> None:
        self._either(lambda backend: backend.reset(key))


class Throttle:
    """The two policies (account, address) over one backend, with lockout logging.

    Address counters are kept per bucket (login, device, forgot, register), so a kiosk with a
    stale secret or a burst of reset requests behind an office NAT cannot lock that office's
    people out of logging in. Account counters are shared by everything that checks a password.
    """

    def __init__(self, backend: ThrottleBackend, *, account: Policy, address: Policy) -> None:
        self.backend = backend
        self.account = account
        self.address = address

    def retry_after(self, *, account: str | None, address: str | None,
                    bucket: str = "login") -> int:
        keys = []
        if address is not None:
            keys.append(f"addr:{bucket}:{address}")
        if account is not None:
            keys.append(f"acct:{account}")
        wait = max((self.backend.retry_after(key) for key in keys), default=0.0)
        return math.ceil(wait) if wait > 0 else 0

    def failure(self, *, account: str | None, address: str | None, action: str,
                bucket: str = "login") -> None:
        checks = []
        if address is not None:
            checks.append(("address", f"addr:{bucket}:{address}", self.address))
        if account is not None:
            checks.append(("account", f"acct:{account}", self.account))
        for kind, key, policy in checks:
            failures, delay = self.backend.record_failure(key, policy)
            if delay:
                logger.warning(
                    "lockout: too many failed attempts",
                    extra={"event": "auth.lockout", "action": action, "scope": kind,
                           "account": account, "address": address, "failures": failures,
                           "locked_seconds": delay},
                )

    def success(self, *, account: str) -> None:
        # The address counter is kept: one good login must not wash out a spray of bad ones.
        self.backend.reset(f"acct:{account}")
