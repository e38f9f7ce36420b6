"""The nightly absence job run inside the service, for deployments without a scheduler.

Kubernetes runs `python -m attendance_svc mark-absent` as a CronJob and turns this off
(ATTENDANCE_NIGHTLY_JOB=false); the local run and Compose have one attendance process, which
runs the job once at start (catching up on days that ended while it was down) and then daily.
After the absences, the digest of missing check-outs goes out (results.digest), and badge +
PIN counts nobody added to for a window are deleted.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from attendance_svc.clocking.lockout import purge_stale_tries
from attendance_svc.notify import Notifier
from attendance_svc.results.digest import send_digests
from attendance_svc.results.service import mark_absences
from faceclock_common.db import session_scope

logger = logging.getLogger(__name__)


def seconds_until_next(at: time, zone: ZoneInfo, now: datetime) -> float:
    """Seconds from `now` to the next wall-clock `at` in `zone` (DST-aware, never 0)."""
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), at, tzinfo=zone)
    if candidate <= local_now:
        candidate = datetime.combine(local_now.date() + timedelta(days=1), at, tzinfo=zone)
    return (candidate.astimezone(UTC) - now.astimezone(UTC)).total_seconds()


def nightly_once(factory: sessionmaker[Session], notifier: Notifier, *, lookback_days: int,
                 zone_name: str) -> int:
    """Marks the absences, then sends the digests (a failed digest leaves the absences stored)
    and deletes stale badge + PIN counts."""
    stored = mark_absences(factory, lookback_days=lookback_days, default_timezone=zone_name)
    try:
        with session_scope(factory) as session:
            send_digests(session, notifier, default_timezone=zone_name)
    except Exception:  # the absences stand; the next night sends what is still unsent
        logger.exception("digest of missing check-outs failed")
    try:
        with session_scope(factory) as session:
            purged = purge_stale_tries(session)
        if purged:
            logger.info("stale badge + PIN counts deleted", extra={"purged": purged})
    except Exception:  # a housekeeping chore: the next night deletes them
        logger.exception("deleting stale badge + PIN counts failed")
    return stored


async def run_nightly(factory: sessionmaker[Session], notifier: Notifier, *, at: time,
                      zone_name: str, lookback_days: int) -> None:
    """Runs until cancelled; a failed night is logged and retried the next night."""
    zone = ZoneInfo(zone_name)
    while True:
        try:
            stored = await asyncio.to_thread(nightly_once, factory, notifier,
                                             lookback_days=lookback_days, zone_name=zone_name)
            logger.info("nightly absences marked", extra={"stored": stored})
        except Exception:  # the service keeps serving; the next night tries again
            logger.exception("nightly absence job failed")
        await asyncio.sleep(seconds_until_next(at, zone, datetime.now(UTC)))
