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

from attendance_svc.organisation.models import Department, Employee
from attendance_svc.rules.model import PeriodSpec, ShiftSpec
from attendance_svc.rules.shift import is_worked
from attendance_svc.scheduling.models import Holiday, Roster, Shift, ShiftAssignment
from attendance_svc.sites.models import Site


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
        absent_below_hours=shift.absent_below_hours,
        workdays=frozenset(shift.workdays),
        name=shift.name,
        punch_policy=shift.punch_policy,
        worked_time=shift.worked_time,
        auto_checkout=shift.auto_checkout,
        overtime_min_minutes=shift.overtime_min_minutes,
        overtime_rounding_minutes=shift.overtime_rounding_minutes,
        overtime_without_approval=shift.overtime_without_approval,
        work_on_holidays=shift.work_on_holidays,
        flexible=shift.flexible,
        required_hours=shift.required_hours,
    )


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class ScheduleFound:
    shift_id: int | None
    spec: ShiftSpec | None
    scheduled: bool | None  # a roster's verdict; None: the shift's workdays decide
    note: str | None


@dataclass(frozen=True)
class _Assignment:
    shift_id: int | None
    start: date
    end: date | None
    created: int  # the later assignment wins among overlapping ones of the same level
    roster_id: int | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class RosterPattern:
    name: str
    anchor: date
    pattern: tuple[int | None, ...]

    def on(self, day: date) -> tuple[int | None, int]:
        """(the shift or None for a rest day, the position in the cycle from 0)."""
        position = (day - self.anchor).days % len(self.pattern)
        return self.pattern[position], position


@dataclass(frozen=True)
class Place:
    """Where the holidays and the zone of a site or department come from."""

    holiday_calendar_id: int | None = None
    timezone: str | None = None
    site_id: int | None = None


class WorkCalendar:
    def __init__(self, *, shifts: dict[int, Shift], default_shift_id: int | None,
                 by_employee: dict[int, list[_Assignment]],
                 by_department: dict[int, list[_Assignment]], holidays: dict[date, str],
                 default_timezone: str, rosters: dict[int, RosterPattern] | None = None,
                 calendars: dict[int, dict[date, str]] | None = None,
                 sites: dict[int, Place] | None = None,
                 departments: dict[int, Place] | None = None) -> None:
        self.shifts = shifts
        self.specs = {shift_id: spec_of(shift) for shift_id, shift in shifts.items()}
        self.default_shift_id = default_shift_id
        self.by_employee = by_employee
        self.by_department = by_department
        self.holidays = holidays  # the organisation-wide default calendar
        self.default_timezone = default_timezone
        self.rosters = rosters or {}
        self.calendars = calendars or {}
        self.sites = sites or {}
        self.departments = departments or {}

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
            item = _Assignment(row.shift_id, row.from_date, row.to_date, row.id, row.roster_id)
            if row.employee_id is not None:
                by_employee[row.employee_id].append(item)
            elif row.department_id is not None:
                by_department[row.department_id].append(item)
        holidays: dict[date, str] = {}
        calendars: dict[int, dict[date, str]] = defaultdict(dict)
        for holiday in session.scalars(
                select(Holiday).where(Holiday.date >= start, Holiday.date <= end)):
            if holiday.calendar_id is None:
                holidays[holiday.date] = holiday.name
            else:
                calendars[holiday.calendar_id][holiday.date] = holiday.name
        rosters = {r.id: RosterPattern(r.name, r.anchor_date, tuple(r.pattern))
                   for r in session.scalars(select(Roster))}
        sites = {i: Place(c, tz) for i, c, tz in session.execute(
            select(Site.id, Site.holiday_calendar_id, Site.timezone))}
        places = {i: Place(c, None, site) for i, c, site in session.execute(
            select(Department.id, Department.holiday_calendar_id, Department.site_id))}
        return cls(shifts=shifts, default_shift_id=default, by_employee=by_employee,
                   by_department=by_department, holidays=holidays,
                   default_timezone=default_timezone, rosters=rosters, calendars=calendars,
                   sites=sites, departments=places)

    @staticmethod
    def _pick(candidates: list[_Assignment], day: date) -> _Assignment | None:
        best: _Assignment | None = None
        for item in candidates:
            if item.covers(day) and (best is None or (item.start, item.created) >
                                     (best.start, best.created)):
                best = item
        return best

    def schedule_for(self, employee_id: int, department_id: int | None,
                     day: date) -> ScheduleFound:
        """The shift in force on `day` and whether it is worked (None: its workdays decide).
        The employee's own assignment wins over their department's; then the default shift. An
        assignment of a roster gives the roster's shift of the day, or a rest day."""
        chosen = self._pick(self.by_employee.get(employee_id, []), day)
        if chosen is None and department_id is not None:
            chosen = self._pick(self.by_department.get(department_id, []), day)
        if chosen is None:
            shift_id = self.default_shift_id
            return ScheduleFound(shift_id, self.specs.get(shift_id) if shift_id else None,
                                 None, None)
        if chosen.roster_id is not None and chosen.roster_id in self.rosters:
            roster = self.rosters[chosen.roster_id]
            shift_id, position = roster.on(day)
            spec = self.specs.get(shift_id) if shift_id is not None else None
            what = f"shift {spec.name}" if spec is not None else "rest day"
            note = (f"roster {roster.name}: day {position + 1} of {len(roster.pattern)} "
                    f"(from {roster.anchor.isoformat()}), {what}")
            return ScheduleFound(shift_id, spec, spec is not None, note)
        shift_id = chosen.shift_id
        return ScheduleFound(shift_id, self.specs.get(shift_id) if shift_id else None, None, None)

    def shift_id_for(self, employee_id: int, department_id: int | None, day: date) -> int | None:
        return self.schedule_for(employee_id, department_id, day).shift_id

    def spec_for(self, employee_id: int, department_id: int | None,
                 day: date) -> tuple[int | None, ShiftSpec | None]:
        found = self.schedule_for(employee_id, department_id, day)
        return found.shift_id, found.spec

    def _site_of(self, site_id: int | None, department_id: int | None) -> Place | None:
        if site_id is None and department_id is not None:
            site_id = self.departments.get(department_id, Place()).site_id
        return self.sites.get(site_id) if site_id is not None else None

    def holiday_for(self, department_id: int | None, day: date,
                    site_id: int | None = None) -> str | None:
        """The employee's calendar: their site's, else their department's, else the default."""
        site = self._site_of(site_id, department_id)
        calendar_id = site.holiday_calendar_id if site is not None else None
        if calendar_id is None and department_id is not None:
            calendar_id = self.departments.get(department_id, Place()).holiday_calendar_id
        if calendar_id is None:
            return self.holidays.get(day)
        return self.calendars.get(calendar_id, {}).get(day)

    def is_day_off(self, employee_id: int, department_id: int | None, day: date,
                   site_id: int | None = None) -> bool:
        found = self.schedule_for(employee_id, department_id, day)
        return found.spec is None or not is_worked(
            found.spec, day, holiday=self.holiday_for(department_id, day, site_id) is not None,
            scheduled=found.scheduled)

    def timezone_for(self, employee_tz: str | None, shift_id: int | None,
                     site_id: int | None = None, department_id: int | None = None) -> ZoneInfo:
        """The employee's own timezone, else their site's, else the shift's, else the default."""
        if employee_tz:
            return zone(employee_tz)
        site = self._site_of(site_id, department_id)
        if site is not None and site.timezone:
            return zone(site.timezone)
        shift = self.shifts.get(shift_id) if shift_id is not None else None
        if shift is not None and shift.timezone:
            return zone(shift.timezone)
        return zone(self.default_timezone)
