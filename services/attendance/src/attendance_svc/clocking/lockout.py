"""The badge + PIN lockout: attendance's key and numbers over faceclock_common.throttle.

MAX_FAILED_TRIES tries of one badge number (known or not, so unknown numbers lock out the same
way) lock that number for FAILED_TRY_WINDOW; tries are forgotten FAILED_TRY_WINDOW after the
last one, and a good PIN (or a new one) forgets them at once. Counted in Redis when
FACECLOCK_REDIS_URL is set (the database while Redis is down), else in the database, in short
transactions of the store's own: a failed try stays counted although its request fails.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from attendance_svc.clocking.models import throttle_counters
from attendance_svc.config import Settings
from faceclock_common.errors import try_later
from faceclock_common.throttle import Backoff, Store, purge_counters, retry_after, shared_store

logger = logging.getLogger(__name__)

MAX_FAILED_TRIES = 5
FAILED_TRY_WINDOW = timedelta(minutes=15)
_WINDOW = int(FAILED_TRY_WINDOW.total_seconds())
# The MAX_FAILED_TRIES-th try locks the number for the whole window.
POLICY = Backoff(free_failures=MAX_FAILED_TRIES - 1, base_delay=_WINDOW, max_delay=_WINDOW,
                 window_seconds=_WINDOW)


def store_of(settings: Settings, session_factory: sessionmaker[Session]) -> Store:
    return shared_store(settings.redis_url, prefix="faceclock:attendance:pin:",
                        session_factory=session_factory, table=throttle_counters)


def _key(employee_no: str) -> str:
    return f"badge:{employee_no}"


def count_try(store: Store, employee_no: str, *, actor: str) -> None:
    """Counts a try as failed before its PIN is checked, or refuses it (429) while the number is
    locked. Counting first, atomically, is what keeps concurrent tries to MAX_FAILED_TRIES PIN
    checks: each sees the count of every try before it. A refused try is not counted, except
    one that raced past the lock (it then counts and is refused like the rest)."""
    key = _key(employee_no)
    wait = retry_after(store, key)
    if not wait:
        tries, locked_for = POLICY.failure(store, key)
        if tries <= MAX_FAILED_TRIES:
            return
        wait = math.ceil(locked_for)
    logger.warning("manual clock-in locked out", extra={"employee_no": employee_no, "actor": actor})
    raise try_later(429, "too_many_attempts",
                    "Too many wrong PINs for this badge number; try again later.", wait)


def forget_tries(store: Store, employee_no: str) -> None:
    """A good PIN, or a new one, ends the number's count and lock. Called before the request
    writes anything: the store's own transaction must not wait for the request's (SQLite has
    one writer at a time)."""
    store.reset(_key(employee_no))


def purge_stale_tries(session: Session) -> int:
    """Deletes the database's counts of numbers nobody tried for a window (the nightly job):
    they are forgotten already, and every badge number ever tried would otherwise stay a row."""
    return purge_counters(session, throttle_counters, idle_seconds=_WINDOW)
