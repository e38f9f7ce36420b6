"""Load what the rules need for many employees and days at once, and run the rules.

Everything is fetched in a handful of range queries (punches, approved requests, assignments,
holidays) and then judged in memory, so a month of 10,000 employees stays well within seconds.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attendance_svc.organisation.models import Employee
from attendance_svc.punches.models import Punch
from attendance_svc.requests.models import LeaveRequest, OvertimeRequest
from attendance_svc.rules import Absence, DayInput, DayResult, Interval, evaluate_day, shift_instance
from attendance_svc.rules.shift import ShiftInstance
from attendance_svc.scheduling.calendar import WorkCalendar

# Punches are fetched this far around a day: a night shift that starts late with a long
# check-out window reaches well into the next calendar day.
_MARGIN = timedelta(days=2)


@dataclass(slots=True)
class Evaluated:
    employee_id: int
    shift_id: int | None
    result: DayResult
    over: bool  # the day's last window has closed: the result is final and may be stored


@dataclass(frozen=True)
class EmployeeRef:
    id: int
    department_id: int | None
    timezone: str | None
    hired_on: date | None


def employee_refs(employees: Iterable[Employee]) -> list[EmployeeRef]:
    return [EmployeeRef(e.id, e.department_id, e.timezone, e.hired_on) for e in employees]


def _chunks(items: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class Evaluator:
    """Judges every (employee, day) of a range from data loaded once."""

    def __init__(self, session: Session, employees: Sequence[EmployeeRef], start: date, end: date,
                 *, default_timezone: str, now: datetime | None = None) -> None:
        self.employees = employees
        self.start, self.end = start, end
        self.now = now or datetime.now(UTC)
        ids = [e.id for e in employees]
        self.calendar = WorkCalendar.load(session, start=start, end=end,
                                          default_timezone=default_timezone, employee_ids=ids)
        lo = _utc_midnight(start) - _MARGIN
        hi = _utc_midnight(end) + _MARGIN + timedelta(days=1)
        self.punches: dict[int, list[datetime]] = defaultdict(list)
        self.absences: dict[int, list[Absence]] = defaultdict(list)
        self.overtime: dict[int, list[Interval]] = defaultdict(list)
        for chunk in _chunks(ids):
            for employee_id, at in session.execute(
                select(Punch.employee_id, Punch.at)
                .where(Punch.employee_id.in_(chunk), Punch.at >= lo, Punch.at < hi)
            ):
                self.punches[employee_id].append(at)
            for leave in session.scalars(select(LeaveRequest).where(
                LeaveRequest.employee_id.in_(chunk), LeaveRequest.status == "approved",
                LeaveRequest.start_at < hi, LeaveRequest.end_at > lo,
            )):
                self.absences[leave.employee_id].append(
                    Absence(leave.start_at, leave.end_at, leave.kind, leave.leave_type))
            for request in session.scalars(select(OvertimeRequest).where(
                OvertimeRequest.employee_id.in_(chunk), OvertimeRequest.status == "approved",
                OvertimeRequest.start_at < hi, OvertimeRequest.end_at > lo,
            )):
                self.overtime[request.employee_id].append(
                    Interval(request.start_at, request.end_at))
        for values in self.punches.values():
            values.sort()
        # Thousands of people share a few shifts: lay each (shift, day, zone) out once.
        self._instances: dict[tuple[int, date, str], ShiftInstance] = {}

    def days(self) -> Iterable[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def evaluate(self, employee: EmployeeRef, day: date) -> Evaluated:
        calendar = self.calendar
        shift_id, spec = calendar.spec_for(employee.id, employee.department_id, day)
        tz = calendar.timezone_for(employee.timezone, shift_id)
        holiday = calendar.holidays.get(day)
        instance = None
        if spec is not None and holiday is None and day.isoweekday() in spec.workdays:
            key = (shift_id or 0, day, tz.key)
            instance = self._instances.get(key)
            if instance is None:
                instance = self._instances[key] = shift_instance(spec, day, tz)
            lo, hi = instance.window_start, instance.window_end
        else:
            lo = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
            hi = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        punches = self.punches.get(employee.id, [])
        chosen = tuple(punches[bisect.bisect_left(punches, lo):bisect.bisect_left(punches, hi)])
        absences = tuple(a for a in self.absences.get(employee.id, ()) if a.overlaps(lo, hi))
        overtime = tuple(o for o in self.overtime.get(employee.id, ()) if o.overlaps(lo, hi))
        result = evaluate_day(DayInput(date=day, tz=tz, shift=spec, punches=chosen,
                                       holiday_name=holiday, absences=absences,
                                       overtime=overtime, as_of=self.now), instance)
        return Evaluated(employee.id, shift_id, result, over=self.now >= hi)

    def evaluate_all(self) -> Iterable[Evaluated]:
        for employee in self.employees:
            for day in self.days():
                if employee.hired_on is not None and day < employee.hired_on:
                    continue
                yield self.evaluate(employee, day)
