"""The nightly absence job run by the service itself (local run, Compose)."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from attendance_svc.main import create_app
from attendance_svc.results.models import DayResult
from faceclock_common.db import make_engine, make_session_factory
from faceclock_dev.testing import TokenMint


def _stored(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.query(DayResult).count()
    finally:
        engine.dispose()


def test_the_service_marks_past_days_at_start(sqlite_url: str, settings_for: Any,
                                              token_mint: TokenMint) -> None:
    with TestClient(create_app(settings_for(sqlite_url))) as client:
        created = client.post("/api/v1/employees", headers=token_mint.headers("hr"), json={
            "employee_no": "N1", "name": "Night Owl", "timezone": "UTC", "hired_on": "2020-01-01"})
        assert created.status_code == 201, created.text
    assert _stored(sqlite_url) == 0  # the job is off: nothing stored without it

    with TestClient(create_app(settings_for(sqlite_url, nightly_job=True,
                                            absence_lookback_days=3))):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _stored(sqlite_url) < 3:
            time.sleep(0.1)
    # The last three days are over (today is not): each now has a stored result.
    assert _stored(sqlite_url) == 3
