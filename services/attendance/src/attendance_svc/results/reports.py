"""Daily and monthly answers: stored results where the day is done, judged on the fly otherwise."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.results.engine import Evaluator, employee_refs
from attendance_svc.results.models import DayResult
from attendance_svc.results.service import row_values
from attendance_svc.rules.month import DayFigures, summarise_month
from faceclock_common.errors import ApiError

MAX_DAYS = 62


def _employees_query(scope: AccessScope, employee_id: int | None,
                     department_id: int | None) -> Any:
    query = select(Employee).where(scope.employee_filter())
    if employee_id is not None:
        query = query.where(Employee.id == employee_id)
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    return query


def _department_names(session: Session) -> dict[int, str]:
    return {i: n for i, n in session.execute(select(Department.id, Department.name))}


def _stored(session: Session, ids: Sequence[int], first: date,
            last: date) -> dict[tuple[int, date], DayResult]:
    found: dict[tuple[int, date], DayResult] = {}
    for index in range(0, len(ids), 900):
        chunk = ids[index:index + 900]
        condition: ColumnElement[bool] = DayResult.employee_id.in_(chunk)
        for row in session.scalars(select(DayResult).where(condition, DayResult.date >= first,
                                                           DayResult.date <= last)):
            found[(row.employee_id, row.date)] = row
    return found


def _stored_figures(session: Session, ids: Sequence[int], first: date,
                    last: date) -> dict[tuple[int, date], DayFigures]:
    """Only the columns the month needs: no periods or explanations to decode."""
    found: dict[tuple[int, date], DayFigures] = {}
    columns = (DayResult.employee_id, DayResult.date, DayResult.status,
               DayResult.worked_minutes, DayResult.overtime_minutes, DayResult.leave_minutes,
               DayResult.business_trip_minutes, DayResult.scheduled_minutes,
               DayResult.missing_checkouts, DayResult.leave_by_type)
    for index in range(0, len(ids), 900):
        chunk = ids[index:index + 900]
        for row in session.execute(select(*columns).where(
                DayResult.employee_id.in_(chunk), DayResult.date >= first,
                DayResult.date <= last)):
            found[(row[0], row[1])] = DayFigures(*row[2:9], leave_by_type=dict(row[9] or {}))
    return found


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def daily(*, session: Session, scope: AccessScope, first: date, last: date, limit: int,
          offset: int, employee_id: int | None, department_id: int | None,
          default_timezone: str) -> tuple[list[dict[str, Any]], int]:
    if last < first:
        raise ApiError(422, "validation_error", "to: is before from")
    days = _days(first, last)
    if len(days) > MAX_DAYS:
        raise ApiError(422, "validation_error", f"at most {MAX_DAYS} days at a time")
    query = _employees_query(scope, employee_id, department_id)
    employees_total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    total = employees_total * len(days)
    first_employee = offset // len(days)
    count = (offset + limit - 1) // len(days) - first_employee + 1
    employees = list(session.scalars(query.order_by(Employee.id).limit(count)
                                     .offset(first_employee)))
    pairs = [(e, d) for e in employees for d in days][offset % len(days):][:limit]
    if not pairs:
        return [], total
    departments = _department_names(session)
    stored = _stored(session, [e.id for e in employees], first, last)
    evaluator: Evaluator | None = None
    now = datetime.now(UTC)
    items = []
    for employee, day in pairs:
        base = {"employee_id": employee.id, "employee_no": employee.employee_no,
                "name": employee.name, "department_id": employee.department_id,
                "department": departments.get(employee.department_id or -1)}
        row = stored.get((employee.id, day))
        if employee.hired_on is not None and day < employee.hired_on:
            items.append({**base, **_not_employed(employee.id, day, employee.hired_on)})
            continue
        if row is not None:
            values = _stored_values(row)
            items.append({**base, **values, "final": True})
            continue
        if evaluator is None:
            evaluator = Evaluator(session, employee_refs(employees), first, last,
                                  default_timezone=default_timezone, now=now)
        judged = evaluator.evaluate(employee_refs([employee])[0], day)
        values = row_values(employee.id, judged.shift_id, judged.result, now)
        values.pop("computed_at")
        items.append({**base, **values, "final": judged.over})
    return items, total


_STORED_FIELDS = ("date", "status", "shift_id", "scheduled_minutes", "late_minutes",
                  "early_leave_minutes", "worked_minutes", "overtime_minutes", "leave_minutes",
                  "leave_by_type", "business_trip_minutes", "missing_checkouts", "explanation",
                  "periods")


def _stored_values(row: DayResult) -> dict[str, Any]:
    return {field: getattr(row, field) for field in _STORED_FIELDS}


def _not_employed(employee_id: int, day: date, hired_on: date) -> dict[str, Any]:
    return {"date": day, "status": "not_employed", "final": True, "shift_id": None,
            "scheduled_minutes": 0, "late_minutes": 0, "early_leave_minutes": 0,
            "worked_minutes": 0, "overtime_minutes": 0, "leave_minutes": 0, "leave_by_type": {},
            "business_trip_minutes": 0, "missing_checkouts": 0, "periods": [],
            "explanation": f"not_employed: hired on {hired_on.isoformat()}"}


def parse_month(text: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in text.split("-"))
        if not 1900 <= year <= 2200:
            raise ValueError(year)
        first = date(year, month, 1)
    except ValueError as exc:
        raise ApiError(422, "validation_error", "month: expected YYYY-MM") from exc
    return first, date(year, month, calendar.monthrange(year, month)[1])


def monthly(*, session: Session, scope: AccessScope, month: str, limit: int, offset: int,
            employee_id: int | None, department_id: int | None,
            default_timezone: str, now: datetime | None = None) -> tuple[list[dict[str, Any]], int]:
    first, last = parse_month(month)
    now = now or datetime.now(UTC)
    query = _employees_query(scope, employee_id, department_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    employees = list(session.scalars(query.order_by(Employee.id).limit(limit).offset(offset)))
    if not employees:
        return [], total
    departments = _department_names(session)
    stored = _stored_figures(session, [e.id for e in employees], first, last)
    figures: dict[int, list[DayFigures]] = defaultdict(list)
    missing: dict[int, list[date]] = defaultdict(list)
    for employee in employees:
        for day in _days(first, min(last, now.date())):
            if employee.hired_on is not None and day < employee.hired_on:
                continue
            row = stored.get((employee.id, day))
            if row is None:
                missing[employee.id].append(day)
                continue
            figures[employee.id].append(row)
    if missing:
        evaluator = Evaluator(session, employee_refs(e for e in employees if e.id in missing),
                              first, last, default_timezone=default_timezone, now=now)
        for ref in evaluator.employees:
            for day in missing[ref.id]:
                judged = evaluator.evaluate(ref, day)
                if judged.over:
                    result = judged.result
                    figures[ref.id].append(_figures(result.status, {
                        "worked_minutes": result.worked_minutes,
                        "overtime_minutes": result.overtime_minutes,
                        "leave_minutes": result.leave_minutes,
                        "business_trip_minutes": result.business_trip_minutes,
                        "scheduled_minutes": result.scheduled_minutes,
                        "missing_checkouts": result.missing_checkouts,
                        "leave_by_type": result.leave_by_type}))
    items = []
    for employee in employees:
        summary = summarise_month(figures.get(employee.id, []))
        items.append({"employee_id": employee.id, "employee_no": employee.employee_no,
                      "name": employee.name, "department_id": employee.department_id,
                      "department": departments.get(employee.department_id or -1),
                      "month": f"{first.year:04d}-{first.month:02d}", **summary.__dict__})
    return items, total


def _figures(status: str, values: dict[str, Any]) -> DayFigures:
    return DayFigures(status=status, worked_minutes=values["worked_minutes"],
                      overtime_minutes=values["overtime_minutes"],
                      leave_minutes=values["leave_minutes"],
                      business_trip_minutes=values["business_trip_minutes"],
                      scheduled_minutes=values["scheduled_minutes"],
                      missing_checkouts=values["missing_checkouts"],
                      leave_by_type=dict(values["leave_by_type"] or {}))
