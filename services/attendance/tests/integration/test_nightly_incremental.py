"""The nightly job judges only the days that have no stored result (not every day of its look-back
window), and a missing day is judged as it would be in its month."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from attendance_svc.results import engine as results_engine
from attendance_svc.results.models import DayResult
from attendance_svc.results.service import mark_absences, recompute
from faceclock_common.db import make_engine, make_session_factory

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def test_nightly_job_judges_only_unstored_days(api: Any, database_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [api.employee(f"N{n}", timezone="UTC", hired_on="2026-01-01")["id"] for n in range(3)]
    for hhmm in ("07:58", "18:03"):
        api.ok("POST", "/api/v1/punches", "hr", status=201,
               json={"employee_id": ids[0], "at": f"2026-03-16T{hhmm}:00+00:00"})
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    judged: list[date] = []
    evaluate_day = results_engine.evaluate_day

    def counting(inp: Any, plan: Any) -> Any:
        judged.append(inp.date)
        return evaluate_day(inp, plan)

    monkeypatch.setattr(results_engine, "evaluate_day", counting)
    try:
        with factory() as session:
            stored = recompute(session, employee_ids=ids, start=date(2026, 3, 10),
                               end=date(2026, 3, 19), default_timezone="UTC", now=NOW)
            session.commit()
        assert stored == 30
        with factory() as session:
            monday = {r.employee_id: (r.status, r.worked_minutes, r.explanation)
                      for r in session.scalars(select(DayResult).where(
                          DayResult.date == date(2026, 3, 16)))}

        judged.clear()
        assert mark_absences(factory, lookback_days=9, default_timezone="UTC", now=NOW) == 0
        # The 11th to the 19th are stored; only today (not over, so not stored) is judged.
        assert judged == [date(2026, 3, 20)] * 3

        with factory() as session:
            session.execute(delete(DayResult).where(DayResult.date == date(2026, 3, 16)))
            session.commit()
        judged.clear()
        assert mark_absences(factory, lookback_days=9, default_timezone="UTC", now=NOW) == 3
        assert sorted(set(judged)) == [date(2026, 3, 16), date(2026, 3, 20)]
        with factory() as session:
            again = {r.employee_id: (r.status, r.worked_minutes, r.explanation)
                     for r in session.scalars(select(DayResult).where(
                         DayResult.date == date(2026, 3, 16)))}
    finally:
        engine.dispose()
    assert again == monday
    assert monday[ids[0]][0] == "present" and monday[ids[1]][0] == "absent"
