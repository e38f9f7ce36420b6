"""A month of attendance for 10,000 employees (~600k punches): computed, stored, reported.

    uv run python bench/attendance_month.py [--employees 10000] [--month 2026-10] [--workers N]
                                            [--database-url mysql+pymysql://root@127.0.0.1/db]
                                            [--baseline-ref d1d33c4 [--rounds 1]]

Seeds (with a fixed random seed) departments, three shifts (the two-period office day, a
continuous day whose worked time is counted by in/out pairs, with a punched lunch break, and a
night shift across midnight), a 4-on-4-off roster of the continuous day, department
assignments, a holiday, approved leave, business trips and overtime, and a month of punches with
realistic lateness, early leaving, absences and forgotten check-outs, in the Europe/Paris zone
(October has a DST change).
Then it times, in one process, on a fresh SQLite file unless a database URL is given:

  compute   judge every employee-day of the month and store the day results (what the nightly
            job and the recompute triggers do), BENCH/issue target: <= 30 s
  monthly   the paged /attendance/monthly answer over all employees (500 a page) from the
            stored results, as the reporting service streams it
  nightly   the nightly job over the month with every finished day stored (it judges only
            the days without a stored result)
  on the fly  the same pages with no stored results (every day judged while answering)

--baseline-ref REF runs the same steps with REF's code too, one after the other, and prints
old/new side by side with the load average (bench/baseline.py).
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from baseline import add_arguments, run_side_by_side, strip_baseline, write_figures
from sqlalchemy import delete, func, insert, select

import attendance_svc
from attendance_svc import models
from attendance_svc.deps import AccessScope
from attendance_svc.models import (
    DayResult,
    Department,
    Employee,
    Holiday,
    LeaveRequest,
    OvertimeRequest,
    Punch,
    Shift,
    ShiftAssignment,
)
from attendance_svc.results import reports
from attendance_svc.results.parallel import recompute_in_processes
from attendance_svc.results.service import mark_absences
from faceclock_common.db import make_engine, make_session_factory, run_migrations

# The imported package's own migrations (with --baseline-ref, the old code's).
MIGRATIONS = Path(attendance_svc.__file__).resolve().parent / "migrations"
ZONE = "Europe/Paris"
TZ = ZoneInfo(ZONE)
# The first wave (d1d33c4, the --baseline-ref of issue 18) has no rosters: there the rotation's
# departments are assigned the continuous shift it rotates (same punches, rest days judged absent).
Roster = getattr(models, "Roster", None)


def nightly(factory, *, lookback_days: int, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """The nightly job. Code before one transaction per request (the first wave, d1d33c4) takes
    a session and commits itself; this code takes the session factory."""
    first_parameter = next(iter(inspect.signature(mark_absences).parameters))
    if first_parameter == "session":
        with factory() as session:
            return int(mark_absences(session, lookback_days=lookback_days,
                                     default_timezone=ZONE, now=now))
    return int(mark_absences(factory, lookback_days=lookback_days, default_timezone=ZONE,
                             now=now))


def rows_of(model, rows: list[dict]) -> list[dict]:  # type: ignore[no-untyped-def]
    """The rows with only the columns `model` has (the old code's tables lack later ones)."""
    columns = set(model.__table__.columns.keys())
    return [{k: v for k, v in row.items() if k in columns} for row in rows]


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    moment = datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(
        hours=hour, minutes=minute, seconds=second)
    return moment.astimezone(UTC)


def seed(session_factory, employees: int, first: date, last: date, rnd: random.Random) -> dict:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with session_factory() as session:
        session.execute(insert(Department), rows_of(Department, [
            {"code": f"D{n:02d}", "name": f"Department {n}", "created_at": now}
            for n in range(20)]))
        office = session.scalar(select(Shift).where(Shift.is_default.is_(True)))
        assert office is not None
        session.execute(insert(Shift), rows_of(Shift, [
            {"name": "Continuous", "periods": [{"start": "09:00", "end": "17:00"}],
             "workdays": [1, 2, 3, 4, 5], "late_grace_minutes": 5, "early_checkin_minutes": 60,
             "absent_after_late_minutes": 120, "early_leave_grace_minutes": 5,
             "absent_if_early_minutes": 120, "checkout_until_minutes": 240,
             "half_day_hours": 6.0, "is_default": False, "updated_at": now,
             "worked_time": "pairs"},
            {"name": "Night", "periods": [{"start": "22:00", "end": "06:00"}],
             "workdays": [1, 2, 3, 4, 5], "late_grace_minutes": 0, "early_checkin_minutes": 60,
             "absent_after_late_minutes": 120, "early_leave_grace_minutes": 0,
             "absent_if_early_minutes": 120, "checkout_until_minutes": 240,
             "half_day_hours": None, "is_default": False, "updated_at": now},
        ]))
        shifts = {s.name: s.id for s in session.scalars(select(Shift))}
        rotation = None
        if Roster is not None:
            session.execute(insert(Roster), [{
                "name": "Rotation", "anchor_date": first, "updated_at": now,
                "pattern": [shifts["Continuous"]] * 4 + [None] * 4}])
            rotation = session.scalar(select(Roster.id))
        departments = list(session.scalars(select(Department.id).order_by(Department.id)))
        # Departments 0-9 work the office day (the default), 10-12 continuous, 13-15 the
        # 4-on-4-off rotation of it, 16-19 nights.
        rotating = rotation is not None
        session.execute(insert(ShiftAssignment), rows_of(ShiftAssignment, [
            {"department_id": d,
             "shift_id": None if rotating and 13 <= i < 16 else shifts["Continuous"]
             if 10 <= i < 16 else shifts["Night"],
             "roster_id": rotation if 13 <= i < 16 else None,
             "from_date": first, "to_date": None, "created_at": now}
            for i, d in enumerate(departments) if i >= 10]))
        session.execute(insert(Holiday), rows_of(Holiday, [{"date": first + timedelta(days=10),
                                           "name": "Bench holiday"}]))
        session.execute(insert(Employee), rows_of(Employee, [
            {"employee_no": f"E{n:06d}", "name": f"Employee {n}",
             "department_id": departments[n % 20], "status": "active", "timezone": ZONE,
             "created_at": now, "updated_at": now} for n in range(employees)]))
        session.commit()
        people = list(session.execute(select(Employee.id, Employee.department_id)
                                      .order_by(Employee.id)))
        holiday = first + timedelta(days=10)
        punches: list[dict] = []
        leaves: list[dict] = []
        overtime: list[dict] = []
        total_punches = 0

        def flush() -> None:
            nonlocal total_punches
            if punches:
                session.execute(insert(Punch), rows_of(Punch, punches))
                total_punches += len(punches)
                punches.clear()

        for employee_id, department_id in people:
            kind = departments.index(department_id)
            shift = ("office" if kind < 10 else "continuous" if kind < 13 else "rotation"
                     if kind < 16 else "night")
            if rnd.random() < 0.03:  # a week of approved annual leave or a business trip
                start = first + timedelta(days=rnd.randrange(0, 20))
                trip = rnd.random() < 0.3
                leaves.append({"employee_id": employee_id,
                               "kind": "business_trip" if trip else "leave",
                               "leave_type": None if trip else "annual",
                               "start_at": local(start, 0), "end_at": local(start, 24 * 5),
                               "start_text": start.isoformat(),
                               "end_text": (start + timedelta(days=4)).isoformat(),
                               "hours": 40.0, "status": "approved", "created_by": "bench",
                               "created_at": now, "decided_by": "bench", "decided_at": now})
            day = first
            while day <= last:
                rest = ((day - first).days % 8 >= 4 if shift == "rotation"
                        else day.isoweekday() > 5)
                if rest or day == holiday:
                    day += timedelta(days=1)
                    continue
                roll = rnd.random()
                if roll < 0.03:  # absent
                    day += timedelta(days=1)
                    continue
                jitter = rnd.randint(-15, -1)
                late = rnd.randint(6, 50) if roll < 0.09 else 0
                early = rnd.randint(6, 40) if 0.09 <= roll < 0.13 else 0
                forgot = 0.13 <= roll < 0.15
                second = rnd.randrange(60)
                if shift == "office":
                    times = [local(day, 8, jitter + late, second), local(day, 12, rnd.randint(0, 5)),
                             local(day, 13, 55 + rnd.randint(0, 5)),
                             local(day, 18, rnd.randint(0, 10) - early)]
                elif shift == "continuous":  # worked by pairs: the lunch break is punched
                    times = [local(day, 9, jitter + late, second), local(day, 12, 30),
                             local(day, 13, rnd.randint(0, 5)),
                             local(day, 17, rnd.randint(0, 10) - early)]
                elif shift == "rotation":
                    times = [local(day, 9, jitter + late, second),
                             local(day, 17, rnd.randint(0, 10) - early)]
                else:
                    times = [local(day, 22, jitter + late, second),
                             local(day, 30, rnd.randint(0, 10) - early)]
                if forgot:
                    times.pop()
                if rnd.random() < 0.04:  # approved overtime, worked after the shift
                    end_hour = {"office": 18, "continuous": 17, "rotation": 17, "night": 30}[shift]
                    overtime.append({"employee_id": employee_id, "date": day,
                                     "start_at": local(day, end_hour),
                                     "end_at": local(day, end_hour + 2),
                                     "start_text": f"{end_hour % 24:02d}:00",
                                     "end_text": f"{(end_hour + 2) % 24:02d}:00", "hours": 2.0,
                                     "status": "approved", "created_by": "bench",
                                     "created_at": now, "decided_by": "bench",
                                     "decided_at": now})
                    if not forgot:
                        times[-1] = local(day, end_hour + 1, rnd.randint(0, 59))
                for moment in times:
                    punches.append({"employee_id": employee_id, "at": moment, "source": "device",
                                    "device_id": "bench", "created_by": "bench",
                                    "created_at": now})
                day += timedelta(days=1)
            if len(punches) >= 20000:
                flush()
        flush()
        if leaves:
            session.execute(insert(LeaveRequest), rows_of(LeaveRequest, leaves))
        if overtime:
            session.execute(insert(OvertimeRequest), rows_of(OvertimeRequest, overtime))
        session.commit()
        return {"punches": total_punches, "leaves": len(leaves), "overtime": len(overtime),
                "ids": [p[0] for p in people]}


def compute(url: str, ids: list[int], first: date, last: date, now: datetime,
            workers: int) -> int:
    return recompute_in_processes(url, employee_ids=ids, start=first, end=last,
                                  default_timezone=ZONE, workers=workers, now=now)


def monthly_pages(session_factory, month: str, now: datetime, page: int = 500) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    rows = 0
    totals: Counter[str] = Counter()
    with session_factory() as session:
        offset = 0
        while True:
            items, total = reports.monthly(session=session, scope=AccessScope(everything=True),
                                           month=month, limit=page, offset=offset,
                                           employee_id=None, department_id=None,
                                           default_timezone=ZONE, now=now)
            for item in items:
                for key in ("days_present", "days_absent", "late_count", "early_leave_count",
                            "leave_hours", "business_trip_days", "overtime_hours",
                            "worked_hours", "missing_checkouts"):
                    totals[key] += item[key]
            rows += len(items)
            offset += len(items)
            if not items or offset >= total:
                break
    return rows, dict(totals)


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--seed", type=int, default=20261021)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes computing the month (the recompute command's --workers; "
                             "default: one per core)")
    parser.add_argument("--database-url", default=None,
                        help="an EMPTY database (default: a temporary SQLite file)")
    add_arguments(parser)
    args = parser.parse_args()
    if args.baseline_ref:
        run_side_by_side(__file__, strip_baseline(sys.argv[1:]), args.baseline_ref, args.rounds)
        return
    first, last = reports.parse_month(args.month)
    now = datetime.combine(last + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        run_migrations(MIGRATIONS, url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        seeded = seed(factory, args.employees, first, last, random.Random(args.seed))
        seed_s = time.perf_counter() - started

        started, cpu = time.perf_counter(), _cpu()
        stored = compute(url, seeded["ids"], first, last, now, args.workers)
        compute_s = time.perf_counter() - started
        compute_cpu = _cpu() - cpu

        started = time.perf_counter()
        rows, totals = monthly_pages(factory, args.month, now)
        monthly_s = time.perf_counter() - started

        started = time.perf_counter()
        nightly_stored = nightly(factory, lookback_days=(now.date() - first).days, now=now)
        nightly_s = time.perf_counter() - started

        with factory() as session:
            statuses = {k: v for k, v in session.execute(select(DayResult.status, func.count())
                                            .group_by(DayResult.status))}
            session.execute(delete(DayResult))
            session.commit()
        started = time.perf_counter()
        fly_rows, fly_totals = monthly_pages(factory, args.month, now)
        fly_s = time.perf_counter() - started
        assert fly_rows == rows and fly_totals == totals, "stored and on-the-fly answers differ"
        engine.dispose()

    peak_mb = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    backend = url.split(":", 1)[0]
    target = 30 if args.employees <= 10_000 else 60  # issue 18: 10k <= 30 s, 50k <= 60 s
    lines = [
        ("machine", f"{os.cpu_count()} cores (load {os.getloadavg()[0]:.1f}), "
                    f"database {backend}, code in {Path(attendance_svc.__file__).parents[3]}"),
        ("inputs", f"{args.employees} employees, month {args.month}, {seeded['punches']} punches, "
                   f"{seeded['leaves']} leaves/trips, {seeded['overtime']} overtime approvals"),
        ("seed (not timed against the target)", f"{seed_s:6.1f} s"),
        (f"compute + store the month, {args.workers} process(es)",
         f"{compute_s:6.1f} s wall, {compute_cpu:.1f} s CPU  "
                                      f"({stored} day results, {stored / compute_s:,.0f}/s)  "
                                      f"target <= {target} s: "
                                      f"{'PASS' if compute_s <= target else 'FAIL'}"),
        ("monthly, 500/page, from stored", f"{monthly_s:6.1f} s  ({rows} rows)"),
        ("nightly job, month stored", f"{nightly_s:6.1f} s  ({nightly_stored} days stored)"),
        ("monthly, 500/page, on the fly", f"{fly_s:6.1f} s  ({fly_rows} rows, same totals)"),
        ("peak RSS (largest process)", f"{peak_mb:6.0f} MB"),
        ("day statuses", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))),
        ("month totals", ", ".join(f"{k} {round(v, 1)}" for k, v in totals.items())),
    ]
    write_figures(args, {"compute + store the month, s": compute_s,
                         "compute CPU (all processes), s": compute_cpu,
                         "monthly from stored, s": monthly_s, "nightly job, s": nightly_s,
                         "monthly on the fly, s": fly_s, "peak RSS, MB": peak_mb})
    width = max(len(k) for k, _ in lines)
    print(f"{'what'.ljust(width)} | figure")
    print(f"{'-' * width}-+-{'-' * 60}")
    for key, value in lines:
        print(f"{key.ljust(width)} | {value}")


if __name__ == "__main__":
    main()
