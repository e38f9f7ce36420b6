"""Stored day results: kept in step with everything that touches a day, and the nightly job."""

from __future__ import annotations

import logging
import operator
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from attendance_svc.organisation.models import Employee
from attendance_svc.results.engine import EmployeeRef, Evaluated, Evaluator, employee_refs
from attendance_svc.results.models import DayResult
from attendance_svc.rules import DayResult as RuleResult
from attendance_svc.rules import PeriodResult
from faceclock_common.db import json_text, session_scope

logger = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def period_json(period: PeriodResult) -> dict[str, Any]:
    """A period as stored and answered; its explanation is part of the day's explanation
    (stored once: a month of 10,000 people is 310,000 rows)."""
    return {
        "index": period.index, "start": _iso(period.start), "end": _iso(period.end),
        "status": period.status, "late_minutes": period.late_minutes,
        "early_leave_minutes": period.early_leave_minutes,
        "worked_minutes": period.worked_minutes, "missing_checkout": period.missing_checkout,
        "first_in": _iso(period.first_in), "last_out": _iso(period.last_out),
        "leave_type": period.leave_type,
    }


def row_values(employee_id: int, shift_id: int | None, result: RuleResult,
               now: datetime | str) -> dict[str, Any]:
    return {
        "employee_id": employee_id, "date": result.date, "status": result.status,
        "shift_id": shift_id, "scheduled_minutes": result.scheduled_minutes,
        "late_minutes": result.late_minutes, "early_leave_minutes": result.early_leave_minutes,
        "worked_minutes": result.worked_minutes, "overtime_minutes": result.overtime_minutes,
        "leave_minutes": result.leave_minutes,
        "business_trip_minutes": result.business_trip_minutes,
        "missing_checkouts": result.missing_checkouts, "leave_by_type": result.leave_by_type,
        "periods": [period_json(p) for p in result.periods],
        "explanation": result.explanation_text, "computed_at": now,
    }


_COLUMNS = ("employee_id", "date", "status", "shift_id", "scheduled_minutes", "late_minutes",
            "early_leave_minutes", "worked_minutes", "overtime_minutes", "leave_minutes",
            "business_trip_minutes", "missing_checkouts", "leave_by_type", "periods",
            "explanation", "computed_at")
_JSON_COLUMNS = ("leave_by_type", "periods")
# A row's values in _COLUMNS order, picked in C (a generator per row was a tenth of the month).
_in_column_order = operator.itemgetter(*_COLUMNS)


def result_rows(evaluated: Iterable[Evaluated]) -> list[tuple[Any, ...]]:
    """The rows to store for the finished days among `evaluated` (days not over are not stored:
    their periods may still be punched), in _COLUMNS order. Built before any write: on SQLite a
    write holds a database-wide lock, so judging and encoding inside it would hold up every
    other writer (the month's worker processes wait for each other)."""
    # Dates and times as text both drivers and both column types read back exactly.
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = []
    for item in evaluated:
        if not item.over:
            continue
        values = row_values(item.employee_id, item.shift_id, item.result, now)
        values["date"] = item.result.date.isoformat()
        for column in _JSON_COLUMNS:
            values[column] = json_text(values[column])
        rows.append(_in_column_order(values))
    return rows


def insert_rows(session: Session, rows: Sequence[tuple[Any, ...]], *, batch: int = 2000) -> int:
    """Insert rows made by `result_rows`. The caller has removed any stored row for those days.

    Rows go straight to the driver's executemany: a month of 10,000 people is 310,000 rows, and
    SQLAlchemy's per-parameter processing would cost more than judging the days."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # Built from constants only; every value travels as a bound parameter.
    sql = (f"INSERT INTO {DayResult.__tablename__} ({', '.join(_COLUMNS)}) "  # noqa: S608
           f"VALUES ({', '.join([mark] * len(_COLUMNS))})")
    for index in range(0, len(rows), batch):
        connection.exec_driver_sql(sql, list(rows[index:index + batch]))
    return len(rows)


def recompute(session: Session, *, employee_ids: Sequence[int], start: date, end: date,
              default_timezone: str, now: datetime | None = None) -> int:
    """Judge again every day in [start, end] of these employees and store the finished ones,
    in the caller's transaction."""
    if end < start:
        return 0
    stored = 0
    every = list(employee_ids)
    # A thousand people at a time keeps both the IN lists and the memory bounded.
    for index in range(0, len(every), 1000):
        ids = every[index:index + 1000]
        employees = employee_refs(session.scalars(select(Employee).where(Employee.id.in_(ids))))
        evaluator = Evaluator(session, employees, start, end,
                              default_timezone=default_timezone, now=now)
        # Judge and encode first, write after: the write transaction (on SQLite, a
        # database-wide lock) then lasts only as long as the delete and the inserts.
        rows = result_rows(evaluator.evaluate_all())
        session.execute(delete(DayResult).where(DayResult.employee_id.in_(ids),
                                                DayResult.date >= start, DayResult.date <= end))
        stored += insert_rows(session, rows)
    return stored


def days_touched_by(at: datetime) -> tuple[date, date]:
    """A moment can belong to the attendance date before its own (a night shift started the
    evening before) and, across timezones, to the next; we recompute that span."""
    day = at.astimezone(UTC).date()
    return day - timedelta(days=1), day + timedelta(days=1)


def recompute_around(session: Session, *, employee_id: int, start: datetime, end: datetime,
                     default_timezone: str) -> int:
    first, _ = days_touched_by(start)
    _, last = days_touched_by(end)
    return recompute(session, employee_ids=[employee_id], start=first, end=last,
                     default_timezone=default_timezone)


def recompute_stored(session: Session, *, where: Any, default_timezone: str) -> int:
    """Recompute the stored results matching `where` (a shift or holiday changed)."""
    keys = session.execute(select(DayResult.employee_id, DayResult.date).where(where)).all()
    by_range: dict[int, list[date]] = {}
    for employee_id, day in keys:
        by_range.setdefault(employee_id, []).append(day)
    total = 0
    # Group employees with the same span so the evaluator loads each range once.
    spans: dict[tuple[date, date], list[int]] = {}
    for employee_id, days in by_range.items():
        spans.setdefault((min(days), max(days)), []).append(employee_id)
    for (first, last), ids in spans.items():
        total += recompute(session, employee_ids=ids, start=first, end=last,
                           default_timezone=default_timezone)
    return total


def recompute_people(session: Session, *, people: Any, default_timezone: str) -> int:
    """Recompute the stored days of the employees matching `people` (a condition on Employee):
    their site's or department's zone or holidays changed."""
    return recompute_stored(
        session, where=DayResult.employee_id.in_(select(Employee.id).where(people)),
        default_timezone=default_timezone)


def mark_absences(factory: sessionmaker[Session], *, lookback_days: int, default_timezone: str,
                  now: datetime | None = None, page: int = 2000) -> int:
    """The nightly job: every active employee's days of the last `lookback_days` that are over and
    have no stored result get one (absent where nobody punched). A transaction per page of
    employees: on SQLite the write lock is held a page at a time, not the whole night's."""
    now = now or datetime.now(UTC)
    last = now.date()
    first = last - timedelta(days=lookback_days)
    days = [first + timedelta(days=n) for n in range(lookback_days + 1)]
    total = 0
    offset = 0
    while True:
        with session_scope(factory) as session:
            employees: list[EmployeeRef] = employee_refs(session.scalars(
                select(Employee).where(Employee.status == "active").order_by(Employee.id)
                .limit(page).offset(offset)))
            if not employees:
                break
            offset += page
            total += _mark_page(session, employees, days, now, default_timezone)
    logger.info("nightly job stored day results", extra={"stored": total})
    return total


def _mark_page(session: Session, employees: list[EmployeeRef], days: list[date], now: datetime,
               default_timezone: str) -> int:
    first, last = days[0], days[-1]
    done: dict[int, set[date]] = {}
    for employee_id, day in session.execute(
            select(DayResult.employee_id, DayResult.date).where(
                DayResult.employee_id.in_([e.id for e in employees]),
                DayResult.date >= first, DayResult.date <= last)):
        done.setdefault(employee_id, set()).add(day)
    # Only the days without a stored result are judged (a stored one is kept current by
    # the recompute triggers), and inputs are loaded from the earliest of them on.
    todo = {e.id: [d for d in days if d not in done.get(e.id, ())] for e in employees}
    employees = [e for e in employees if todo[e.id]]
    if not employees:
        return 0
    start = min(todo[e.id][0] for e in employees)
    evaluator = Evaluator(session, employees, start, last,
                          default_timezone=default_timezone, now=now)
    return insert_rows(session, result_rows(
        item for e in employees for item in evaluator.evaluate_days(e, todo[e.id])))
