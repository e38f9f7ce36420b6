"""Which shift applies to whom on which day, and in which timezone: resolved in memory.

A `WorkCalendar` is loaded once for a date range (all shifts, the assignments overlapping the
range, the holidays in it) so that a month of 10,000 employees needs three queries, not millions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from attendance_svc.organisation.models import Employee
from attendance_svc.rules.model import PeriodSpec, ShiftSpec
from attendance_svc.scheduling.models import Holiday, Shift, ShiftAssignment


def parse_hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))


def spec_of(shift: Shift) -> ShiftSpec:
    periods: list[dict[str, Any]] = shift.periods
    return ShiftSpec(
        periods=tuple(PeriodSpec(parse_hhmm(p["start"]), parse_hhmm(p["end"])) for p in periods),
        early_checkin_minutes=shift.early_checkin_minutes,
        late_grace_minutes=shift.late_grace_minutes,
        absent_after_late_minutes=shift.absent_after_late_minutes,
        early_leave_grace_minutes=shift.early_leave_grace_minutes,
        absent_if_early_minutes=shift.absent_if_early_minutes,
        checkout_until_minutes=shift.checkout_until_minutes,
        half_day_hours=shift.half_day_hours,
        workdays=frozenset(shift.workdays),
        name=shift.name,
    )


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class _Assignment:
    shift_id: int
    start: date
    end: date | None
    created: int  # the later assignment wins among overlapping ones of the same level

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class WorkCalendar:
    def __init__(self, *, shifts: dict[int, Shift], default_shift_id: int | None,
                 by_employee: dict[int, list[_Assignment]],
                 by_department: dict[int, list[_Assignment]], holidays: dict[date, str],
                 default_timezone: str) -> None:
        self.shifts = shifts
        self.specs = {shift_id: spec_of(shift) for shift_id, shift in shifts.items()}
        self.default_shift_id = default_shift_id
        self.by_employee = by_employee
        self.by_department = by_department
        self.holidays = holidays
        self.default_timezone = default_timezone

    @classmethod
    def load(cls, session: Session, *, start: date, end: date, default_timezone: str,
             employee_ids: list[int] | None = None) -> WorkCalendar:
        shifts = {s.id: s for s in session.scalars(select(Shift))}
        default = next((s.id for s in shifts.values() if s.is_default), None)
        query = select(ShiftAssignment).where(
            ShiftAssignment.from_date <= end,
            or_(ShiftAssignment.to_date.is_(None), ShiftAssignment.to_date >= start),
        )
        if employee_ids is not None and len(employee_ids) <= 1000:
            departments = select(Employee.department_id).where(Employee.id.in_(employee_ids))
            query = query.where(or_(ShiftAssignment.employee_id.in_(employee_ids),
                                    ShiftAssignment.department_id.in_(departments)))
        by_employee: dict[int, list[_Assignment]] = defaultdict(list)
        by_department: dict[int, list[_Assignment]] = defaultdict(list)
        for row in session.scalars(query):
            item = _Assignment(row.shift_id, row.from_date, row.to_date, row.id)
            if row.employee_id is not None:
                by_employee[row.employee_id].append(item)
            elif row.department_id is not None:
                by_department[row.department_id].append(item)
        holidays = {h.date: h.name for h in session.scalars(
            select(Holiday).where(Holiday.date >= start, Holiday.date <= end))}
        return cls(shifts=shifts, default_shift_id=default, by_employee=by_employee,
                   by_department=by_department, holidays=holidays,
                   default_timezone=default_timezone)

    @staticmethod
    def _pick(candidates: list[_Assignment], day: date) -> int | None:
        best: _Assignment | None = None
        for item in candidates:
            if item.covers(day) and (best is None or (item.start, item.created) >
                                     (best.start, best.created)):
                best = item
        return best.shift_id if best else None

    def shift_id_for(self, employee_id: int, department_id: int | None, day: date) -> int | None:
        """The employee's own assignment wins over their department's; then the default shift."""
        own = self._pick(self.by_employee.get(employee_id, []), day)
        if own is not None:
            return own
        if department_id is not None:
            dept = self._pick(self.by_department.get(department_id, []), day)
            if dept is not None:
                return dept
        return self.default_shift_id

    def spec_for(self, employee_id: int, department_id: int | None,
                 day: date) -> tuple[int | None, ShiftSpec | None]:
        shift_id = self.shift_id_for(employee_id, department_id, day)
        return shift_id, (self.specs.get(shift_id) if shift_id is not None else None)

    def timezone_for(self, employee_tz: str | None, shift_id: int | None) -> ZoneInfo:
        """The employee's own timezone, else the shift's (the site's), else the default."""
        if employee_tz:
            return zone(employee_tz)
        shift = self.shifts.get(shift_id) if shift_id is not None else None
        if shift is not None and shift.timezone:
            return zone(shift.timezone)
        return zone(self.default_timezone)
