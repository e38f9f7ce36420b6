"""The monthly answer sums the stored days with one aggregate query per page: it must give what
the month's rules give day by day, whether every day, some days or no day is stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from attendance_svc.organisation.models import Employee
from attendance_svc.results.engine import Evaluator, employee_refs
from attendance_svc.results.models import DayResult
from attendance_svc.results.parallel import recompute_in_processes
from attendance_svc.rules.month import DayFigures, summarise_month
from faceclock_common.db import make_engine, make_session_factory

PARIS = ZoneInfo("Europe/Paris")
FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)


def at(day: str, hhmm: str) -> str:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=PARIS).isoformat()


def punches(api: Any, employee_id: int, day: str, *times: str) -> None:
    for hhmm in times:
        api.ok("POST", "/api/v1/punches", "hr", status=201,
               json={"employee_id": employee_id, "at": at(day, hhmm), "source": "import"})


def month(api: Any) -> dict[int, dict[str, Any]]:
    page = api.ok("GET", "/api/v1/attendance/monthly?month=2026-03&limit=100", "hr")
    return {row["employee_id"]: row for row in page["items"]}


def day_by_day(session: Any) -> dict[int, dict[str, Any]]:
    """The reference: every day judged and summed one by one (rules/month.py)."""
    employees = employee_refs(session.scalars(select(Employee).order_by(Employee.id)))
    evaluator = Evaluator(session, employees, FIRST, LAST, default_timezone="Europe/Paris")
    days: dict[int, list[DayFigures]] = {e.id: [] for e in employees}
    for item in evaluator.evaluate_all():
        r = item.result
        assert item.over
        days[item.employee_id].append(DayFigures(
            r.status, r.worked_minutes, r.overtime_minutes, r.leave_minutes,
            r.business_trip_minutes, r.scheduled_minutes, r.missing_checkouts,
            dict(r.leave_by_type)))
    return {e: summarise_month(d).__dict__ for e, d in days.items()}


def test_monthly_sums_equal_the_day_by_day_month(api: Any, database_url: str) -> None:
    worker = api.employee("M1", timezone="Europe/Paris", hired_on="2026-01-01")["id"]
    newcomer = api.employee("M2", timezone="Europe/Paris", hired_on="2026-03-10")["id"]
    traveller = api.employee("M3", timezone="Europe/Paris", hired_on="2026-01-01")["id"]
    punches(api, worker, "2026-03-02", "07:58", "20:00")            # present, 2 h overtime
    punches(api, worker, "2026-03-03", "08:20", "18:00")            # late
    punches(api, worker, "2026-03-04", "08:00", "16:30")            # early leave
    punches(api, worker, "2026-03-05", "08:00")                     # missing check-out
    punches(api, worker, "2026-03-06", "14:00", "18:00")            # half day
    punches(api, newcomer, "2026-03-10", "08:00", "18:00")
    punches(api, traveller, "2026-03-16", "08:00", "12:00")
    sick = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": worker, "kind": "leave", "leave_type": "sick",
        "start": "2026-03-09T14:00", "end": "2026-03-09T18:00"})
    api.ok("POST", f"/api/v1/leave-requests/{sick['id']}/approve", "hr",
           token_claims={"sub": "approver"})
    # Half of a working day away: a business trip day is the share of the scheduled time.
    trip = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": traveller, "kind": "business_trip",
        "start": "2026-03-16T14:00", "end": "2026-03-16T18:00"})
    api.ok("POST", f"/api/v1/leave-requests/{trip['id']}/approve", "hr",
           token_claims={"sub": "approver"})
    overtime = api.ok("POST", "/api/v1/overtime", "hr", status=201, json={
        "employee_id": worker, "date": "2026-03-02", "start": "18:00", "end": "20:00"})
    api.ok("POST", f"/api/v1/overtime/{overtime['id']}/approve", "hr",
           token_claims={"sub": "approver"})

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            reference = day_by_day(session)
        ids = sorted(reference)
        recompute_in_processes(database_url, employee_ids=ids, start=FIRST, end=LAST,
                               default_timezone="Europe/Paris", workers=1)
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(DayResult)) == 3 * 31
        stored = month(api)
        # Some days stored, the others judged while answering.
        with factory() as session:
            session.execute(delete(DayResult).where(DayResult.date.in_(
                [date(2026, 3, d) for d in (2, 5, 9, 10, 16, 20)])))
            session.commit()
        mixed = month(api)
        with factory() as session:
            session.execute(delete(DayResult))
            session.commit()
        judged = month(api)
    finally:
        engine.dispose()

    for employee in ids:
        for answer in (stored, mixed, judged):
            row = {k: v for k, v in answer[employee].items() if k in reference[employee]}
            assert row == reference[employee]
    w, n, t = stored[worker], stored[newcomer], stored[traveller]
    # Half days: the 6th (afternoon only) and the 9th (morning unpunched, afternoon on leave).
    assert w["late_count"] == 1 and w["early_leave_count"] == 1 and w["half_days"] == 2
    assert w["missing_checkouts"] == 1 and w["overtime_hours"] == 2
    assert w["leave_hours_by_type"] == {"sick": 4}
    assert n["days_counted"] == 22  # not employed before 10 March
    assert t["business_trip_days"] == 0.5
