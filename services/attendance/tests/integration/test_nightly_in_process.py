"""The nightly absence job run by the service itself (local run, Compose)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from attendance_svc.main import create_app
from attendance_svc.results.models import DayResult
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
    past = {today - timedelta(days=n) for n in (1, 2, 3)}
    with TestClient(create_app(settings_for(sqlite_url, nightly_job=True,
                                            absence_lookback_days=3))) as client:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not past <= _stored(sqlite_url):
            time.sleep(0.1)
        # Today is stored too once its window has closed (in the evening): the service says so.
        row = client.get(f"/api/v1/attendance/daily?date={today}&employee_id={created.json()['id']}",
                         headers=token_mint.headers("hr")).json()["items"][0]
    # The last three days are over: each now has a stored result, and nothing before them.
    assert _stored(sqlite_url) == past | ({today} if row["final"] else set())
