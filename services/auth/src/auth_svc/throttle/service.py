"""Failed-attempt throttling with growing delays, per account and per client address: auth's
keys and policies over faceclock_common.throttle (`Backoff`).

After `free` failures under one key, every further failure locks that key for
base * 2^(n - free - 1) seconds (capped). A locked key answers 429 with Retry-After before any
password is checked. Counters live in Redis when FACECLOCK_REDIS_URL is set (shared by every
replica), in the database otherwise; both are forgotten `window` seconds after the last failure.
While Redis is down the database counts instead (fails safe: sign-ins keep working and stay
throttled; counts made in Redis before the outage are not seen meanwhile).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from auth_svc.config import Settings
from auth_svc.throttle.models import ThrottleCounter
from faceclock_common.throttle import Backoff, Store, retry_after, shared_store

logger = logging.getLogger(__name__)


class Throttle:
    """The two policies (account, address) over one store, with lockout logging.

    Address counters are kept per bucket (login, device, forgot, register), so a kiosk with a
    stale secret or a burst of reset requests behind an office NAT cannot lock that office's
    people out of logging in. Account counters are shared by everything that checks a password.
    """

    def __init__(self, store: Store, *, account: Backoff, address: Backoff) -> None:
        self.store = store
        self.account = account
        self.address = address

    def retry_after(self, *, account: str | None, address: str | None,
                    bucket: str = "login") -> int:
        keys = []
        if address is not None:
            keys.append(f"addr:{bucket}:{address}")
        if account is not None:
            keys.append(f"acct:{account}")
        return retry_after(self.store, *keys)

    def failure(self, *, account: str | None, address: str | None, action: str,
                bucket: str = "login") -> None:
        checks = []
        if address is not None:
            checks.append(("address", f"addr:{bucket}:{address}", self.address))
        if account is not None:
            checks.append(("account", f"acct:{account}", self.account))
        for kind, key, policy in checks:
            failures, delay = policy.failure(self.store, key)
            if delay:
                logger.warning(
                    "lockout: too many failed attempts",
                    extra={"event": "auth.lockout", "action": action, "scope": kind,
                           "account": account, "address": address, "failures": failures,
                           "locked_seconds": delay},
                )

    def success(self, *, account: str) -> None:
        # The address counter is kept: one good login must not wash out a spray of bad ones.
        self.store.reset(f"acct:{account}")


def throttle_of(settings: Settings, session_factory: sessionmaker[Session]) -> Throttle:
    """In Redis when it is set (the database while Redis is down), else in the database."""
    store = shared_store(settings.redis_url, prefix="faceclock:auth:throttle:",
                         session_factory=session_factory, table=ThrottleCounter.__table__)

    def policy(free: int) -> Backoff:
        return Backoff(free_failures=free, base_delay=settings.throttle_base_delay_seconds,
                       max_delay=settings.throttle_max_delay_seconds,
                       window_seconds=settings.throttle_window_seconds)

    return Throttle(store, account=policy(settings.throttle_account_free_failures),
                    address=policy(settings.throttle_address_free_failures))
