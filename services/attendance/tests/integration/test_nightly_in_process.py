"""The nightly absence job run by the service itself (local run, Compose)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from attendance_svc.clocking.models import throttle_counters
from attendance_svc.main import create_app
from attendance_svc.notify import Notifier
from attendance_svc.results.models import DayResult
from attendance_svc.results.nightly import nightly_once
from faceclock_common.db import make_engine, make_session_factory
from faceclock_dev.testing import TokenMint


def _stored(database_url: str) -> set[date]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return {row.date for row in session.query(DayResult)}
    finally:
        engine.dispose()


def test_the_service_marks_past_days_at_start(sqlite_url: str, settings_for: Any,
                                              token_mint: TokenMint) -> None:
    with TestClient(create_app(settings_for(sqlite_url))) as client:
        created = client.post("/api/v1/employees", headers=token_mint.headers("hr"), json={
            "employee_no": "N1", "name": "Night Owl", "timezone": "UTC", "hired_on": "2020-01-01"})
        assert created.status_code == 201, created.text
    assert _stored(sqlite_url) == set()  # the job is off: nothing stored without it

    today = datetime.now(UTC).date()
    window = [today - timedelta(days=n) for n in (3, 2, 1, 0)]
    with TestClient(create_app(settings_for(sqlite_url, nightly_job=True,
                                            absence_lookback_days=3))) as client:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not set(window[:2]) <= _stored(sqlite_url):
            time.sleep(0.1)
        # Which of them are over, as the service judges it: a working day once its shift
        # window has closed (today, in the evening), a rest day at noon the day after (an
        # overnight check-out may still come), so yesterday too depends on the weekday and hour.
        final = {day for day in window if client.get(
            f"/api/v1/attendance/daily?date={day}&employee_id={created.json()['id']}",
            headers=token_mint.headers("hr")).json()["items"][0]["final"]}
    # Two and three days ago are over whatever the weekday; every day that is over now has a
    # stored result, and no other day does.
    assert set(window[:2]) <= final
    assert _stored(sqlite_url) == final


def test_the_nightly_job_deletes_stale_badge_counts(sqlite_url: str, settings_for: Any) -> None:
    """Counts of badge numbers nobody tried for the lockout window are forgotten already; the
    job deletes them, keeping recent ones and a lock that still runs."""
    settings = settings_for(sqlite_url)
    with TestClient(create_app(settings)):
        pass  # migrated
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    try:
        with factory() as session, session.begin():
            session.execute(insert(throttle_counters), [
                {"key": "stale", "failures": 3, "last_failure_at": now - timedelta(hours=1),
                 "locked_until": None},
                {"key": "recent", "failures": 3, "last_failure_at": now - timedelta(minutes=5),
                 "locked_until": None},
                {"key": "locked", "failures": 5, "last_failure_at": now - timedelta(hours=1),
                 "locked_until": now + timedelta(minutes=5)},
            ])
        nightly_once(factory, Notifier(settings), lookback_days=1, zone_name="UTC")
        with factory() as session:
            kept = sorted(session.scalars(select(throttle_counters.c.key)))
        assert kept == ["locked", "recent"]
    finally:
        engine.dispose()
