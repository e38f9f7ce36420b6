"""What the nightly digest reports: people whose stored day (by the rules, a night shift on the
day it started) has a check-in and no check-out, with their local check-in time; and a day is
reported only once it is over for every active employee."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from attendance_svc.results.digest import digest_days, missing_checkouts, settled
from attendance_svc.results.service import mark_absences
from faceclock_common.db import make_engine, make_session_factory

NIGHT = {"name": "Digest night", "periods": [{"start": "22:00", "end": "06:00"}],
         "timezone": "Asia/Shanghai"}


def test_a_night_shift_counts_on_the_day_it_started(api: Any, database_url: str) -> None:
    night = api.ok("POST", "/api/v1/shifts", "hr", status=201, json=NIGHT)
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201,
                  json={"code": "DGN", "name": "Night desk", "manager_employee_id": None})
    owl = api.employee("DG1", name="Nora Night", department_id=dept["id"],
                       timezone="Asia/Shanghai", hired_on="2026-01-01")
    done = api.employee("DG2", name="Dave Done", department_id=dept["id"],
                        timezone="Asia/Shanghai", hired_on="2026-01-01")
    boss = api.employee("DG3", name="Bea Boss", hired_on="2026-01-01")
    api.employee("DG4", name="Nell New", hired_on="2026-03-12")  # not waited for on the 10th
    api.ok("PATCH", f"/api/v1/departments/{dept['id']}", "hr",
           json={"manager_employee_id": boss["id"]})
    for person in (owl, done):
        api.ok("POST", "/api/v1/shift-assignments", "hr", status=201, json={
            "employee_id": person["id"], "shift_id": night["id"], "from": "2026-03-01"})
    # 2026-03-10 22:05 in Shanghai: Nora checks in and never out; Dave leaves at 06:02 the
    # next morning, which belongs to the 10th too.
    for person, at in ((owl, "2026-03-10T14:05:00Z"), (done, "2026-03-10T14:01:00Z"),
                       (done, "2026-03-10T22:02:00Z")):
        api.ok("POST", "/api/v1/punches", "hr", status=201,
               json={"employee_id": person["id"], "at": at, "source": "import"})

    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        now = datetime(2026, 3, 12, 0, 30, tzinfo=UTC)
        mark_absences(factory, lookback_days=3, default_timezone="UTC", now=now)
        with factory() as session:
            assert digest_days(now, "UTC") == [date(2026, 3, 10), date(2026, 3, 11)]
            assert settled(session, date(2026, 3, 10))
            digest = missing_checkouts(session, date(2026, 3, 10), "UTC").model_dump(mode="json")
            assert [(p["name"], p["checked_in"], p["department"]) for p in digest["people"]] == [
                ("Nora Night", "22:05", "Night desk")]  # local time, not UTC's 14:05
            assert digest["managers"] == {str(dept["id"]): boss["id"]}
            assert missing_checkouts(session, date(2026, 3, 11), "UTC").people == []

            # The 13th is not over: nobody's 13th is stored, so it is not reported yet.
            assert not settled(session, date(2026, 3, 13))
    finally:
        engine.dispose()
