"""Daily and monthly answers: stored results where the day is done, judged on the fly otherwise."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, case, func, literal_column, select
from sqlalchemy.orm import Session

from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.results.engine import EmployeeRef, Evaluator, employee_refs
from attendance_svc.results.models import DayResult
from attendance_svc.results.service import row_values
from attendance_svc.rules.month import EARLY, LATE, PRESENT, DayFigures, MonthTotals
from attendance_svc.scheduling.models import Shift
from attendance_svc.sites.models import Site
from faceclock_common.errors import Invalid

MAX_DAYS = 62


def _employees_query(scope: AccessScope, employee_id: int | None,
                     department_id: int | None) -> Any:
    query = select(Employee).where(scope.employee_filter())
    if employee_id is not None:
        query = query.where(Employee.id == employee_id)
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    return query


class Zones:
    """The zone an employee's day is explained in (WorkCalendar.timezone_for: the employee's,
    their site's, the shift's, the default), so a reader in another zone sees the period times
    the explanation speaks of."""

    def __init__(self, session: Session, default_timezone: str) -> None:
        self.default = default_timezone
        self.shifts = {id_: zone for id_, zone in session.execute(select(Shift.id, Shift.timezone))}
        self.sites = {id_: zone for id_, zone in session.execute(select(Site.id, Site.timezone))}
        self.department_sites = {id_: site for id_, site in session.execute(
            select(Department.id, Department.site_id))}

    def of(self, employee: Employee, shift_id: int | None) -> str:
        site = employee.site_id or self.department_sites.get(employee.department_id or -1)
        return (employee.timezone or self.sites.get(site or -1)
                or self.shifts.get(shift_id or -1) or self.default)


def department_names(session: Session) -> dict[int, str]:
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


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def daily(*, session: Session, scope: AccessScope, first: date, last: date, limit: int,
          offset: int, employee_id: int | None, department_id: int | None,
          default_timezone: str) -> tuple[list[dict[str, Any]], int]:
    if last < first:
        raise Invalid("validation_error", "to: is before from")
    days = _days(first, last)
    if len(days) > MAX_DAYS:
        raise Invalid("validation_error", f"at most {MAX_DAYS} days at a time")
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
    departments = department_names(session)
    zones = Zones(session, default_timezone)
    stored = _stored(session, [e.id for e in employees], first, last)
    evaluator: Evaluator | None = None
    now = datetime.now(UTC)
    items = []
    for employee, day in pairs:
        base = {"employee_id": employee.id, "employee_no": employee.employee_no,
                "name": employee.name, "department_id": employee.department_id,
                "department": departments.get(employee.department_id or -1)}
        row = stored.get((employee.id, day))
        if row is not None:
            values = {**_stored_values(row), "final": True}
        else:
            if evaluator is None:
                evaluator = Evaluator(session, employee_refs(employees), first, last,
                                      default_timezone=default_timezone, now=now)
            judged = evaluator.evaluate(employee_refs([employee])[0], day)
            values = row_values(employee.id, judged.shift_id, judged.result, now)
            values.pop("computed_at")
            values["final"] = judged.over
        items.append({**base, **values, "timezone": zones.of(employee, values["shift_id"])})
    return items, total


_STORED_FIELDS = ("date", "status", "shift_id", "scheduled_minutes", "late_minutes",
                  "early_leave_minutes", "worked_minutes", "overtime_minutes", "leave_minutes",
                  "leave_by_type", "business_trip_minutes", "missing_checkouts", "explanation",
                  "periods")


def _stored_values(row: DayResult) -> dict[str, Any]:
    return {field: getattr(row, field) for field in _STORED_FIELDS}


def parse_month(text: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in text.split("-"))
        if not 1900 <= year <= 2200:
            raise ValueError(year)
        first = date(year, month, 1)
    except ValueError as exc:
        raise Invalid("validation_error", "month: expected YYYY-MM") from exc
    return first, date(year, month, calendar.monthrange(year, month)[1])


def monthly(*, session: Session, scope: AccessScope, month: str, limit: int, offset: int,
            employee_id: int | None, department_id: int | None,
            default_timezone: str, now: datetime | None = None) -> tuple[list[dict[str, Any]], int]:
    """A page of employees with their month: the stored days summed by one aggregate query per
    page (no row per day travels), the days without a stored result judged on the fly."""
    first, last = parse_month(month)
    now = now or datetime.now(UTC)
    query = _employees_query(scope, employee_id, department_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = query.subquery()
    employees = session.execute(
        select(people.c.id, people.c.employee_no, people.c.name, people.c.department_id,
               Department.name, people.c.timezone, people.c.hired_on, people.c.left_on,
               people.c.site_id)
        .outerjoin(Department, Department.id == people.c.department_id)
        .order_by(people.c.id).limit(limit).offset(offset)).all()
    if not employees:
        return [], total
    counted_to = min(last, now.date())
    ids = [row.id for row in employees]
    totals, stored_days = _stored_totals(session, ids, first, counted_to)
    expected = max(0, (counted_to - first).days + 1)
    short = [row for row in employees if stored_days.get(row.id, 0) < expected]
    if short:
        _add_unstored_days(session, short, totals, first, last, counted_to,
                           default_timezone=default_timezone, now=now)
    items = []
    for row in employees:
        summary = totals.get(row.id, MonthTotals()).summary()
        items.append({"employee_id": row.id, "employee_no": row.employee_no,
                      "name": row.name, "department_id": row.department_id,
                      "department": row[4],
                      "month": f"{first.year:04d}-{first.month:02d}", **summary.__dict__})
    return items, total


def _stored_totals(session: Session, ids: Sequence[int], first: date,
                   last: date) -> tuple[dict[int, MonthTotals], dict[int, int]]:
    """The month's sums of the stored days of `ids` (RULES.md "Month", as MonthTotals.add counts
    them), and how many days each has stored."""
    status = DayResult.status
    counted = status != "not_employed"
    trip, scheduled = DayResult.business_trip_minutes, DayResult.scheduled_minutes
    # 1e0 makes the division floating point on MariaDB too (1.0 would be a 4-digit decimal).
    real = literal_column("1e0", Float)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def sum_counted(column: Any) -> Any:
        return func.sum(case((counted, column), else_=0))

    columns = (
        DayResult.employee_id, func.count(), count_if(counted), count_if(status.in_(PRESENT)),
        count_if(status == "absent"), count_if(status == "half_day"),
        count_if(status == "leave"), count_if(status == "holiday"), count_if(status.in_(LATE)),
        count_if(status.in_(EARLY)),
        func.sum(case((counted & (trip > 0) & (scheduled > 0),
                       case((trip >= scheduled, real), else_=trip * real / scheduled)),
                      else_=0)),
        sum_counted(DayResult.worked_minutes), sum_counted(DayResult.overtime_minutes),
        sum_counted(DayResult.leave_minutes), sum_counted(DayResult.missing_checkouts),
    )
    totals: dict[int, MonthTotals] = {}
    stored_days: dict[int, int] = {}
    for index in range(0, len(ids), 900):
        chunk = ids[index:index + 900]
        in_month = (DayResult.employee_id.in_(chunk), DayResult.date >= first,
                    DayResult.date <= last)
        for (employee, days, count, present, absent, half, leave_days, holidays, late, early,
             trips, worked, overtime, leave, missing) in session.execute(
                select(*columns).where(*in_month).group_by(DayResult.employee_id)):
            stored_days[employee] = int(days)
            totals[employee] = MonthTotals(
                present=int(present) + 0.5 * int(half), absent=int(absent) + 0.5 * int(half),
                trip=float(trips or 0), half=int(half), late=int(late), early=int(early),
                leave_days=int(leave_days), holidays=int(holidays), missing=int(missing or 0),
                counted=int(count), worked=int(worked or 0), overtime=int(overtime or 0),
                leave=int(leave or 0))
        # Leave by type is a JSON object per day: only the days with leave carry one.
        for employee, by_type in session.execute(
                select(DayResult.employee_id, DayResult.leave_by_type)
                .where(*in_month, counted, DayResult.leave_minutes > 0)):
            totals[employee].add_leave_types(by_type or {})
    return totals, stored_days


def _add_unstored_days(session: Session, short: Sequence[Any], totals: dict[int, MonthTotals],
                       first: date, last: date, counted_to: date, *, default_timezone: str,
                       now: datetime) -> None:
    """Judge the finished days of the month that have no stored result (not yet stored by the
    nightly job, or the stored ones were cleared) and add them to `totals`."""
    ids = [row.id for row in short]
    have: dict[int, set[date]] = defaultdict(set)
    for index in range(0, len(ids), 900):
        for employee, day in session.execute(select(DayResult.employee_id, DayResult.date).where(
                DayResult.employee_id.in_(ids[index:index + 900]), DayResult.date >= first,
                DayResult.date <= counted_to)):
            have[employee].add(day)
    refs = [EmployeeRef(row.id, row.department_id, row.timezone, row.hired_on, row.left_on,
                        row.site_id) for row in short]
    evaluator = Evaluator(session, refs, first, last, default_timezone=default_timezone, now=now)
    for ref in refs:
        month = totals.setdefault(ref.id, MonthTotals())
        for day in _days(first, counted_to):
            if day in have[ref.id]:
                continue
            judged = evaluator.evaluate(ref, day)
            if judged.over:
                result = judged.result
                month.add(DayFigures(
                    status=result.status, worked_minutes=result.worked_minutes,
                    overtime_minutes=result.overtime_minutes,
                    leave_minutes=result.leave_minutes,
                    business_trip_minutes=result.business_trip_minutes,
                    scheduled_minutes=result.scheduled_minutes,
                    missing_checkouts=result.missing_checkouts,
                    leave_by_type=dict(result.leave_by_type)))
