"""Deleting what can no longer be used: expired refresh and reset tokens, stale throttle rows."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from auth_svc.accounts.models import PasswordResetToken, RefreshToken
from auth_svc.db import utcnow
from auth_svc.throttle.models import ThrottleCounter
from faceclock_common.db import session_scope
from faceclock_common.throttle import purge_counters

logger = logging.getLogger(__name__)

# Revoked and rotated refresh tokens are kept a while: a late reuse must still be recognised
# as reuse (and revoke its family) rather than look like an unknown token.
KEEP_DEAD_REFRESH_TOKENS = timedelta(days=7)


def purge_expired(session_factory: sessionmaker[Session], *,
                  throttle_window_seconds: int) -> dict[str, int]:
    now = utcnow()
    dead_before = now - KEEP_DEAD_REFRESH_TOKENS
    statements = {
        "refresh_tokens": delete(RefreshToken).where(or_(
            RefreshToken.expires_at < now,
            RefreshToken.revoked_at < dead_before,
            RefreshToken.used_at < dead_before,
        )),
        "reset_tokens": delete(PasswordResetToken).where(or_(
            PasswordResetToken.expires_at < now, PasswordResetToken.used_at.is_not(None),
        )),
    }
    counts = {}
    with session_scope(session_factory) as session:
        for name, statement in statements.items():
            result = session.execute(statement)
            counts[name] = int(getattr(result, "rowcount", 0) or 0)
        # A lock can outlast the window (the back-off caps at throttle_max_delay_seconds): kept.
        counts["throttle_counters"] = purge_counters(session, ThrottleCounter.__table__,
                                                     idle_seconds=throttle_window_seconds)
    return counts


async def run_periodically(session_factory: sessionmaker[Session], *,
                           throttle_window_seconds: int, interval_seconds: float) -> None:
    """Runs in every replica; the deletes are idempotent, so replicas need no coordination.
    The first round comes one interval after start, not during it: a start is busy enough, and
    what is purged had hours to expire anyway."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            counts = await run_in_threadpool(purge_expired, session_factory,
                                             throttle_window_seconds=throttle_window_seconds)
            if any(counts.values()):
                logger.info("expired credentials purged", extra=counts)
        except Exception:  # a failed round must not end the loop; the next one retries
            logger.exception("housekeeping failed")
