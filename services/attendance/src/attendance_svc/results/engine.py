"""Load what the rules need for many employees and days at once, and run the rules.

Everything is fetched in a handful of range queries (punches, approved requests, assignments,
holidays) and then judged in memory, so a month of 10,000 employees stays well within seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from attendance_svc.organisation.models import Employee
from attendance_svc.punches.models import Punch
from attendance_svc.requests.models import LeaveRequest, OvertimeRequest
from attendance_svc.rules import (
    Absence,
    DayInput,
    DayPlan,
    DayResult,
    Interval,
    ShiftSpec,
    evaluate_day,
    is_worked,
    plan_day,
    shift_instance,
)
from attendance_svc.rules.day import CARRY_OVER_LIMIT
from attendance_svc.rules.shift import ShiftInstance
from attendance_svc.scheduling.calendar import WorkCalendar

# Punches are fetched this far around a day: a night shift that starts late with a long
# check-out window reaches well into the next calendar day.
_MARGIN = timedelta(days=3)
_CONTEXT_BEFORE = timedelta(days=2)
_CONTEXT_AFTER = timedelta(days=1)


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
    left_on: date | None = None
    site_id: int | None = None


def employee_refs(employees: Iterable[Employee]) -> list[EmployeeRef]:
    return [EmployeeRef(e.id, e.department_id, e.timezone, e.hired_on, e.left_on, e.site_id)
            for e in employees]


def _chunks(items: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class Evaluator:
    """Judges every (employee, day) of a range from data loaded once.

    A day's result needs the schedule of the days around it (which punches belong to it), so
    the calendar is loaded two days before and one day after the range; a day judged alone and
    the same day judged within a month see the same inputs and give the same result."""

    def __init__(self, session: Session, employees: Sequence[EmployeeRef], start: date, end: date,
                 *, default_timezone: str, now: datetime | None = None) -> None:
        self.employees = employees
        self.start, self.end = start, end
        self.now = now or datetime.now(UTC)
        ids = [e.id for e in employees]
        self.calendar = WorkCalendar.load(session, start=start - _CONTEXT_BEFORE,
                                          end=end + _CONTEXT_AFTER,
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
                self.absences[leave.employee_id].append(absence_of(leave))
            for request in session.scalars(select(OvertimeRequest).where(
                OvertimeRequest.employee_id.in_(chunk), OvertimeRequest.status == "approved",
                OvertimeRequest.start_at < hi, OvertimeRequest.end_at > lo,
            )):
                self.overtime[request.employee_id].append(
                    Interval(request.start_at, request.end_at))
        for values in self.punches.values():
            values.sort()
        # Thousands of people share a few shifts: lay each (shift, day, zone, ...) out once.
        self._instances: dict[tuple[int, date, str], ShiftInstance] = {}
        self._plans: dict[tuple[object, ...], DayPlan] = {}
        self._schedules: dict[tuple[object, ...], Scheduled] = {}

    def days(self) -> Iterable[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def _schedule(self, employee: EmployeeRef, day: date) -> Scheduled:
        calendar = self.calendar
        # Without assignments of their own, everyone of a department, site and zone has the
        # same schedule: look it up once per day for all of them.
        key = None
        if employee.id not in calendar.by_employee:
            key = (employee.department_id, employee.site_id, employee.timezone, day)
            cached = self._schedules.get(key)
            if cached is not None:
                return cached
        found = calendar.schedule_for(employee.id, employee.department_id, day)
        tz = calendar.timezone_for(employee.timezone, found.shift_id, employee.site_id,
                                   employee.department_id)
        holiday = calendar.holiday_for(employee.department_id, day, employee.site_id)
        item = Scheduled(found.shift_id, found.spec, tz, holiday, found.scheduled, found.note)
        if key is not None:
            self._schedules[key] = item
        return item

    def _plan(self, item: Scheduled, day: date, previous: DayPlan | None,
              previous_key: tuple[object, ...] | None) -> tuple[DayPlan, tuple[object, ...]]:
        key = (item.shift_id, day, item.tz.key, item.holiday is not None, item.scheduled,
               previous_key)
        plan = self._plans.get(key)
        if plan is None:
            instance = None
            if item.spec is not None and is_worked(item.spec, day, holiday=item.holiday is not None,
                                                   scheduled=item.scheduled):
                cache = (item.shift_id or 0, day, item.tz.key)
                instance = self._instances.get(cache)
                if instance is None:
                    instance = self._instances[cache] = shift_instance(item.spec, day, item.tz)
            plan = self._plans[key] = plan_day(day, item.tz, instance, previous)
        # A plan depends on the day before only through that day's own key (not further back).
        return plan, key[:5]

    def evaluate(self, employee: EmployeeRef, day: date) -> Evaluated:
        return self._evaluate_span(employee, day, day)[0]

    def _evaluate_span(self, employee: EmployeeRef, first: date, last: date) -> list[Evaluated]:
        one = timedelta(days=1)
        schedules = []
        plans = []
        previous: DayPlan | None = None
        previous_key: tuple[object, ...] | None = None
        day = first - 2 * one
        while day <= last + one:
            item = self._schedule(employee, day)
            previous, previous_key = self._plan(item, day, previous, previous_key)
            schedules.append(item)
            plans.append(previous)
            day += one
        punches = tuple(self.punches.get(employee.id, ()))
        absences = tuple(self.absences.get(employee.id, ()))
        overtime = tuple(self.overtime.get(employee.id, ()))
        out = []
        for index in range(2, len(plans) - 1):
            item, plan = schedules[index], plans[index]
            following = plans[index + 1]
            result = evaluate_day(DayInput(
                date=plan.date, tz=item.tz, shift=item.spec, punches=punches,
                holiday_name=item.holiday, absences=absences, overtime=overtime,
                as_of=self.now, scheduled=item.scheduled, hired_on=employee.hired_on,
                left_on=employee.left_on, previous=plans[index - 1], next=following,
                note=item.note), plan)
            out.append(Evaluated(employee.id, item.shift_id, result,
                                 over=self.now >= _day_over(plan, following)))
        return out

    def evaluate_all(self) -> Iterable[Evaluated]:
        for employee in self.employees:
            yield from self._evaluate_span(employee, self.start, self.end)

    def evaluate_days(self, employee: EmployeeRef, days: Iterable[date]) -> Iterable[Evaluated]:
        """Only these days of the range (each run of consecutive days judged as one span)."""
        run: list[date] = []
        for day in sorted(days):
            if run and day != run[-1] + timedelta(days=1):
                yield from self._evaluate_span(employee, run[0], run[-1])
                run = []
            run.append(day)
        if run:
            yield from self._evaluate_span(employee, run[0], run[-1])


@dataclass(frozen=True, slots=True)
class Scheduled:
    shift_id: int | None
    spec: ShiftSpec | None
    tz: ZoneInfo
    holiday: str | None
    scheduled: bool | None
    note: str | None


def _day_over(plan: DayPlan, following: DayPlan) -> datetime:
    """When no punch can change the day any more: its window (or calendar day, with the
    overnight check-out it may still take) has closed."""
    if plan.instance is not None:
        end = plan.instance.window_end
        if following.instance is not None:
            end = min(end, max(plan.own_start, following.own_start))
        return end
    return plan.next_midnight + CARRY_OVER_LIMIT


def absence_of(leave: LeaveRequest) -> Absence:
    """A request in whole days covers the instances dated on those days."""
    first_day = last_day = None
    if len(leave.start_text) == 10 and len(leave.end_text) == 10:
        first_day, last_day = date.fromisoformat(leave.start_text), date.fromisoformat(
            leave.end_text)
    return Absence(leave.start_at, leave.end_at, leave.kind, leave.leave_type,
                   first_day=first_day, last_day=last_day, half=leave.half)
