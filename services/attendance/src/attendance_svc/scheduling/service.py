"""Shifts, assignments and holidays. Every change recomputes the stored day results it touches."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, true
from sqlalchemy.orm import Session

from attendance_svc.audit.service import record
from attendance_svc.db import refuse_taken_name
from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee, works_at
from attendance_svc.organisation.service import get_employee
from attendance_svc.results.models import DayResult
from attendance_svc.results.service import recompute_people, recompute_stored
from attendance_svc.rules.model import DEFAULT_SHIFT, ShiftSpec
from attendance_svc.scheduling.calendar import RosterPattern
from attendance_svc.scheduling.models import (
    Holiday,
    HolidayCalendar,
    Roster,
    Shift,
    ShiftAssignment,
)
from attendance_svc.scheduling.schemas import (
    AssignmentCreate,
    AssignmentRead,
    AssignmentUpdate,
    BulkAssignmentCreate,
    CalendarIn,
    HolidayCreate,
    HolidayUpdate,
    RosterCreate,
    RosterPreviewIn,
    RosterUpdate,
    ShiftCreate,
    ShiftUpdate,
)
from attendance_svc.sites.models import Site
from attendance_svc.sites.service import check_holiday_calendar
from faceclock_common.db import conflict_on_duplicate
from faceclock_common.errors import Conflict, Invalid, NotFound


def _stored_fields(spec: ShiftSpec) -> dict[str, Any]:
    """A rules-engine shift as a stored shift's columns (and the API's fields), without its name."""
    values = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)
              if f.name not in ("name", "periods", "workdays")}
    return {**values, "timezone": None, "workdays": sorted(spec.workdays),
            "periods": [{"start": p.start.strftime("%H:%M"), "end": p.end.strftime("%H:%M")}
                        for p in spec.periods]}


# The office day of RULES.md: the rules engine's default shift is what restore-default stores
# and the web UI fills in (GET /shifts/default); the first migration seeded a frozen copy.
DEFAULT_SHIFT_FIELDS = _stored_fields(DEFAULT_SHIFT)
DEFAULT_SHIFT_NAME = DEFAULT_SHIFT.name
NULLABLE_SHIFT_FIELDS = frozenset({"half_day_hours", "timezone", "absent_below_hours",
                                   "required_hours"})


# --- shifts ------------------------------------------------------------------------------------

def get_shift(*, session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound("shift_not_found", f"Shift {shift_id} does not exist.")
    return shift


def list_shifts(*, session: Session, limit: int, offset: int,
                q: str | None = None) -> tuple[list[Shift], int]:
    query = select(Shift)
    if q:
        query = query.where(Shift.name.icontains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Shift.id).limit(limit).offset(offset)).all()
    return list(rows), total


_NAMED = {Shift: ("shift", "duplicate_shift_name"),
          HolidayCalendar: ("calendar", "duplicate_holiday_calendar"),
          Roster: ("roster", "duplicate_roster_name")}


def _refuse_taken_name(session: Session, model: type[Shift | HolidayCalendar | Roster], name: str,
                       exclude: int | None = None) -> None:
    noun, code = _NAMED[model]
    refuse_taken_name(session, model, name, exclude=exclude, code=code, noun=noun)


def _recompute_shift_days(session: Session, shift_ids: set[int | None],
                          default_timezone: str) -> None:
    conditions: list[ColumnElement[bool]] = [DayResult.shift_id.in_(
        [s for s in shift_ids if s is not None])]
    if None in shift_ids:
        conditions.append(DayResult.shift_id.is_(None))
    recompute_stored(session, where=or_(*conditions), default_timezone=default_timezone)


def _make_default(session: Session, shift: Shift) -> set[int | None]:
    """Only one default shift; returns the shifts whose employees' days may change."""
    touched: set[int | None] = {shift.id, None}
    for other in session.scalars(select(Shift).where(Shift.is_default.is_(True),
                                                     Shift.id != shift.id)):
        other.is_default = False
        touched.add(other.id)
    shift.is_default = True
    return touched


def create_shift(*, session: Session, data: ShiftCreate, default_timezone: str,
                 actor: str) -> Shift:
    _refuse_taken_name(session, Shift, data.name)
    fields = data.model_dump()
    fields["periods"] = [dict(p) for p in fields["periods"]]
    make_default = fields.pop("is_default")
    shift = Shift(**fields, is_default=False)
    with conflict_on_duplicate(session, "duplicate_shift_name", "That shift name exists."):
        session.add(shift)
    touched: set[int | None] = set()
    if make_default:
        touched = _make_default(session, shift)
    record(session, actor=actor, action="create", entity="shift", entity_id=shift.id,
           **data.model_dump())
    if touched:
        _recompute_shift_days(session, touched, default_timezone)
    return shift


def update_shift(*, session: Session, shift: Shift, data: ShiftUpdate,
                 default_timezone: str, actor: str) -> Shift:
    changes = data.model_dump(exclude_unset=True)
    record(session, actor=actor, action="update", entity="shift", entity_id=shift.id,
           changes=changes)
    for field, value in changes.items():
        if value is None and field not in NULLABLE_SHIFT_FIELDS:
            raise Invalid("validation_error", f"{field}: may not be null")
    if "name" in changes:
        _refuse_taken_name(session, Shift, changes["name"], shift.id)
    touched: set[int | None] = {shift.id}
    if changes.pop("is_default", None) is True:
        touched |= _make_default(session, shift)
    elif data.is_default is False and shift.is_default:
        shift.is_default = False
        touched.add(None)
    with conflict_on_duplicate(session, "duplicate_shift_name", "That shift name exists."):
        for key, value in changes.items():
            setattr(shift, key, value)
    if shift.flexible and not shift.required_hours:
        raise Invalid("validation_error", "required_hours: a flexible shift needs them")
    if not shift.flexible and not shift.periods:
        raise Invalid("validation_error", "periods: a shift that is not flexible needs one")
    _recompute_shift_days(session, touched, default_timezone)
    return shift


def delete_shift(*, session: Session, shift: Shift, default_timezone: str, actor: str) -> None:
    shift_id = shift.id
    record(session, actor=actor, action="delete", entity="shift", entity_id=shift_id,
           name=shift.name)
    session.delete(shift)
    _recompute_shift_days(session, {shift_id}, default_timezone)


def restore_default_shift(*, session: Session, default_timezone: str, actor: str) -> Shift:
    """The office day of RULES.md back as it shipped, and the default for unassigned people."""
    shift = session.scalar(select(Shift).where(Shift.name == DEFAULT_SHIFT_NAME))
    if shift is None:
        shift = Shift(name=DEFAULT_SHIFT_NAME, **DEFAULT_SHIFT_FIELDS)
        session.add(shift)
        session.flush()
    else:
        for key, value in DEFAULT_SHIFT_FIELDS.items():
            setattr(shift, key, value)
    touched = _make_default(session, shift)
    record(session, actor=actor, action="restore_default", entity="shift", entity_id=shift.id)
    _recompute_shift_days(session, touched, default_timezone)
    return shift


# --- assignments -------------------------------------------------------------------------------

def _assignment_scope(scope: AccessScope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if scope.employee_id is not None:
        conditions.append(ShiftAssignment.employee_id == scope.employee_id)
        own_department = select(Employee.department_id).where(Employee.id == scope.employee_id)
        conditions.append(ShiftAssignment.department_id.in_(own_department))
    if scope.department_ids:
        managed = sorted(scope.department_ids)
        conditions.append(ShiftAssignment.department_id.in_(managed))
        members = select(Employee.id).where(Employee.department_id.in_(managed))
        conditions.append(ShiftAssignment.employee_id.in_(members))
    return or_(*conditions) if conditions else false()


def list_assignments(*, session: Session, scope: AccessScope, limit: int, offset: int,
                     employee_id: int | None = None, department_id: int | None = None,
                     shift_id: int | None = None, q: str | None = None,
                     ) -> tuple[list[AssignmentRead], int]:
    """Assignments with the names a person reads (employee, department, shift); `q` finds
    them by the employee's name or number, the department's name or the shift's name."""
    query = (select(ShiftAssignment, Employee.name, Department.name, Shift.name)
             .outerjoin(Employee, Employee.id == ShiftAssignment.employee_id)
             .outerjoin(Department, Department.id == ShiftAssignment.department_id)
             .outerjoin(Shift, Shift.id == ShiftAssignment.shift_id)
             .where(_assignment_scope(scope)))
    if q:
        query = query.where(or_(*(column.icontains(q, autoescape=True) for column in (
            Employee.name, Employee.employee_no, Department.name, Shift.name))))
    if employee_id is not None:
        get_employee(session=session, employee_id=employee_id, scope=scope)
        query = query.where(ShiftAssignment.employee_id == employee_id)
    if department_id is not None:
        query = query.where(ShiftAssignment.department_id == department_id)
    if shift_id is not None:
        query = query.where(ShiftAssignment.shift_id == shift_id)
    total = session.scalar(select(func.count()).select_from(
        query.with_only_columns(ShiftAssignment.id).subquery())) or 0
    rows = session.execute(query.order_by(ShiftAssignment.id).limit(limit).offset(offset)).all()
    return [AssignmentRead.model_validate(row).model_copy(update={
        "employee_name": employee, "department_name": department, "shift_name": shift})
        for row, employee, department, shift in rows], total


def get_assignment(*, session: Session, assignment_id: int, scope: AccessScope) -> ShiftAssignment:
    row = session.scalar(select(ShiftAssignment).where(ShiftAssignment.id == assignment_id,
                                                      _assignment_scope(scope)))
    if row is None:
        raise NotFound("shift_assignment_not_found", "No such shift assignment.")
    return row


def _recompute_assignment(session: Session, row: ShiftAssignment, start: date,
                          end: date | None, default_timezone: str) -> None:
    if row.employee_id is not None:
        who: ColumnElement[bool] = DayResult.employee_id == row.employee_id
    else:
        who = DayResult.employee_id.in_(select(Employee.id).where(
            Employee.department_id == row.department_id))
    _recompute_days(session, who, start, end, default_timezone)


def _recompute_days(session: Session, who: ColumnElement[bool], start: date, end: date | None,
                    default_timezone: str) -> None:
    when = DayResult.date >= start
    if end is not None:
        when = and_(when, DayResult.date <= end)
    recompute_stored(session, where=and_(who, when), default_timezone=default_timezone)


def _check_target(session: Session, shift_id: int | None, roster_id: int | None) -> None:
    if shift_id is not None:
        get_shift(session=session, shift_id=shift_id)
    if roster_id is not None:
        get_roster(session=session, roster_id=roster_id)


def create_assignment(*, session: Session, data: AssignmentCreate,
                      default_timezone: str, actor: str) -> ShiftAssignment:
    _check_target(session, data.shift_id, data.roster_id)
    if data.employee_id is not None and session.get(Employee, data.employee_id) is None:
        raise Invalid("unknown_employee", f"Employee {data.employee_id} does not exist.")
    if data.department_id is not None and session.get(Department, data.department_id) is None:
        raise Invalid("unknown_department",
                      f"Department {data.department_id} does not exist.")
    row = ShiftAssignment(**data.model_dump())
    session.add(row)
    session.flush()
    record(session, actor=actor, action="create", entity="shift_assignment", entity_id=row.id,
           employee_id=row.employee_id, department_id=row.department_id, shift_id=row.shift_id,
           roster_id=row.roster_id, from_date=row.from_date, to_date=row.to_date)
    _recompute_assignment(session, row, row.from_date, row.to_date, default_timezone)
    return row


def create_assignments(*, session: Session, data: BulkAssignmentCreate,
                       default_timezone: str, actor: str) -> list[ShiftAssignment]:
    """Bulk assignment in one transaction: an unknown employee (422) or one who already has an
    assignment starting that day (409, which of two would count is unclear) stores nothing."""
    _check_target(session, data.shift_id, data.roster_id)
    ids = data.employee_ids
    known = set(session.scalars(select(Employee.id).where(Employee.id.in_(ids))))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise Invalid("unknown_employee",
                      f"No such employee: {', '.join(map(str, unknown))}.", employee_ids=unknown)
    taken = list(session.execute(
        select(Employee.id, Employee.name).join(
            ShiftAssignment, ShiftAssignment.employee_id == Employee.id).where(
            Employee.id.in_(ids), ShiftAssignment.from_date == data.from_date)
        .order_by(Employee.name)))
    if taken:
        names = [name for _, name in taken]
        raise Conflict("assignment_exists",
                       f"Already assigned from {data.from_date.isoformat()}: "
                       f"{', '.join(names)}. Edit those assignments instead.",
                       employee_ids=[i for i, _ in taken], names=names,
                       day=data.from_date.isoformat())
    values = data.model_dump(exclude={"employee_ids"})
    rows = [ShiftAssignment(employee_id=employee_id, **values) for employee_id in ids]
    session.add_all(rows)
    session.flush()
    for row in rows:
        record(session, actor=actor, action="create", entity="shift_assignment",
               entity_id=row.id, employee_id=row.employee_id, shift_id=row.shift_id,
               roster_id=row.roster_id, from_date=row.from_date, to_date=row.to_date, bulk=True)
    _recompute_days(session, DayResult.employee_id.in_(ids), data.from_date, data.to_date,
                    default_timezone)
    return rows


def update_assignment(*, session: Session, row: ShiftAssignment, data: AssignmentUpdate,
                      default_timezone: str, actor: str) -> ShiftAssignment:
    changes = data.model_dump(exclude_unset=True)
    shift_id = changes.get("shift_id", row.shift_id if "roster_id" not in changes else None)
    roster_id = changes.get("roster_id", row.roster_id if "shift_id" not in changes else None)
    if (shift_id is None) == (roster_id is None):
        raise Invalid("validation_error", "give exactly one of shift_id and roster_id")
    _check_target(session, shift_id, roster_id)
    changes["shift_id"], changes["roster_id"] = shift_id, roster_id
    if "from_date" in changes and changes["from_date"] is None:
        raise Invalid("validation_error", "from: may not be null")
    old_start, old_end = row.from_date, row.to_date
    for key, value in changes.items():
        setattr(row, key, value)
    if row.to_date is not None and row.to_date < row.from_date:
        raise Invalid("validation_error", "to: is before from")
    record(session, actor=actor, action="update", entity="shift_assignment", entity_id=row.id,
           employee_id=row.employee_id, changes=changes)
    start = min(old_start, row.from_date)
    end = None if old_end is None or row.to_date is None else max(old_end, row.to_date)
    _recompute_assignment(session, row, start, end, default_timezone)
    return row


def delete_assignment(*, session: Session, row: ShiftAssignment, default_timezone: str,
                      actor: str) -> None:
    detached = ShiftAssignment(employee_id=row.employee_id, department_id=row.department_id,
                               shift_id=row.shift_id, roster_id=row.roster_id,
                               from_date=row.from_date, to_date=row.to_date)
    record(session, actor=actor, action="delete", entity="shift_assignment", entity_id=row.id,
           employee_id=row.employee_id, department_id=row.department_id, shift_id=row.shift_id)
    session.delete(row)
    _recompute_assignment(session, detached, detached.from_date, detached.to_date,
                          default_timezone)


# --- holidays ----------------------------------------------------------------------------------

def list_holidays(*, session: Session, limit: int, offset: int, year: int | None = None,
                  calendar_id: int | None = None, default_calendar: bool = False
                  ) -> tuple[list[Holiday], int]:
    query = select(Holiday)
    if calendar_id is not None:
        query = query.where(Holiday.calendar_id == calendar_id)
    elif default_calendar:
        query = query.where(Holiday.calendar_id.is_(None))
    if year is not None:
        query = query.where(Holiday.date >= date(year, 1, 1), Holiday.date <= date(year, 12, 31))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Holiday.date).limit(limit).offset(offset)).all()
    return list(rows), total


def get_holiday(*, session: Session, holiday_id: int) -> Holiday:
    holiday = session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound("holiday_not_found", f"Holiday {holiday_id} does not exist.")
    return holiday


def _holiday_taken(session: Session, day: date, calendar_id: int | None,
                   exclude: int | None = None) -> None:
    query = select(Holiday.id).where(Holiday.date == day, Holiday.calendar_id.is_(None)
                                     if calendar_id is None
                                     else Holiday.calendar_id == calendar_id)
    if exclude is not None:
        query = query.where(Holiday.id != exclude)
    if session.scalar(query) is not None:
        raise Conflict("duplicate_holiday",
                       f"{day.isoformat()} is already a holiday in this calendar.")


def _recompute_dates(session: Session, days: set[date], default_timezone: str) -> None:
    recompute_stored(session, where=DayResult.date.in_(days), default_timezone=default_timezone)


def create_holiday(*, session: Session, data: HolidayCreate, default_timezone: str,
                   actor: str) -> Holiday:
    check_holiday_calendar(session, data.calendar_id)
    _holiday_taken(session, data.date, data.calendar_id)
    holiday = Holiday(date=data.date, name=data.name, calendar_id=data.calendar_id)
    with conflict_on_duplicate(session, "duplicate_holiday", "That date is already a holiday."):
        session.add(holiday)
    record(session, actor=actor, action="create", entity="holiday", entity_id=holiday.id,
           date=data.date, name=data.name, calendar_id=data.calendar_id)
    _recompute_dates(session, {holiday.date}, default_timezone)
    return holiday


def update_holiday(*, session: Session, holiday: Holiday, data: HolidayUpdate,
                   default_timezone: str, actor: str) -> Holiday:
    changes = data.model_dump(exclude_unset=True)
    if any(changes.get(k, "") is None for k in ("date", "name")):
        raise Invalid("validation_error", "date and name may not be null")
    days = {holiday.date}
    if "date" in changes:
        _holiday_taken(session, changes["date"], holiday.calendar_id, holiday.id)
        days.add(changes["date"])
    with conflict_on_duplicate(session, "duplicate_holiday", "That date is already a holiday."):
        for key, value in changes.items():
            setattr(holiday, key, value)
    record(session, actor=actor, action="update", entity="holiday", entity_id=holiday.id,
           changes=changes)
    _recompute_dates(session, days, default_timezone)
    return holiday


def delete_holiday(*, session: Session, holiday: Holiday, default_timezone: str,
                   actor: str) -> None:
    day = holiday.date
    record(session, actor=actor, action="delete", entity="holiday", entity_id=holiday.id,
           date=day, name=holiday.name)
    session.delete(holiday)
    _recompute_dates(session, {day}, default_timezone)


# --- holiday calendars -------------------------------------------------------------------------

def list_calendars(*, session: Session, limit: int, offset: int
                   ) -> tuple[list[HolidayCalendar], int]:
    total = session.scalar(select(func.count(HolidayCalendar.id))) or 0
    rows = session.scalars(select(HolidayCalendar).order_by(HolidayCalendar.name)
                           .limit(limit).offset(offset)).all()
    return list(rows), total


def get_calendar(*, session: Session, calendar_id: int) -> HolidayCalendar:
    row = session.get(HolidayCalendar, calendar_id)
    if row is None:
        raise NotFound("holiday_calendar_not_found",
                       f"Holiday calendar {calendar_id} does not exist.")
    return row


def create_calendar(*, session: Session, data: CalendarIn, actor: str) -> HolidayCalendar:
    _refuse_taken_name(session, HolidayCalendar, data.name)
    row = HolidayCalendar(name=data.name)
    with conflict_on_duplicate(session, "duplicate_holiday_calendar",
                               "That calendar name exists."):
        session.add(row)
    record(session, actor=actor, action="create", entity="holiday_calendar", entity_id=row.id,
           name=data.name)
    return row


def rename_calendar(*, session: Session, row: HolidayCalendar, data: CalendarIn,
                    actor: str) -> HolidayCalendar:
    _refuse_taken_name(session, HolidayCalendar, data.name, row.id)
    with conflict_on_duplicate(session, "duplicate_holiday_calendar",
                               "That calendar name exists."):
        row.name = data.name
    record(session, actor=actor, action="update", entity="holiday_calendar", entity_id=row.id,
           name=data.name)
    return row


def delete_calendar(*, session: Session, row: HolidayCalendar, default_timezone: str,
                    actor: str) -> None:
    """Its holidays go with it; the sites and departments that used it fall back on the next
    calendar (department, then the organisation's)."""
    # Its users' every day may change: its holidays end, and the next calendar's begin.
    site_ids = list(session.scalars(select(Site.id).where(Site.holiday_calendar_id == row.id)))
    users = list(session.scalars(select(Employee.id).where(or_(
        Employee.department_id.in_(select(Department.id)
                                   .where(Department.holiday_calendar_id == row.id)),
        *(works_at(site_id) for site_id in site_ids)))))
    record(session, actor=actor, action="delete", entity="holiday_calendar", entity_id=row.id,
           name=row.name)
    session.execute(delete(Holiday).where(Holiday.calendar_id == row.id))
    session.delete(row)
    if users:
        recompute_people(session, people=Employee.id.in_(users),
                         default_timezone=default_timezone)


# --- rosters -----------------------------------------------------------------------------------

def list_rosters(*, session: Session, limit: int, offset: int) -> tuple[list[Roster], int]:
    total = session.scalar(select(func.count(Roster.id))) or 0
    rows = session.scalars(select(Roster).order_by(Roster.id).limit(limit).offset(offset)).all()
    return list(rows), total


def get_roster(*, session: Session, roster_id: int) -> Roster:
    row = session.get(Roster, roster_id)
    if row is None:
        raise NotFound("roster_not_found", f"Roster {roster_id} does not exist.")
    return row


def _check_pattern(session: Session, pattern: list[int | None]) -> None:
    wanted = {s for s in pattern if s is not None}
    known = set(session.scalars(select(Shift.id).where(Shift.id.in_(wanted)))) if wanted else set()
    if wanted - known:
        raise Invalid("unknown_shift",
                      f"pattern: no shift {', '.join(str(s) for s in sorted(wanted - known))}.")


def create_roster(*, session: Session, data: RosterCreate, actor: str) -> Roster:
    _refuse_taken_name(session, Roster, data.name)
    _check_pattern(session, data.pattern)
    row = Roster(name=data.name, anchor_date=data.anchor_date, pattern=list(data.pattern))
    with conflict_on_duplicate(session, "duplicate_roster_name", "That roster name exists."):
        session.add(row)
    record(session, actor=actor, action="create", entity="roster", entity_id=row.id,
           name=data.name, anchor_date=data.anchor_date, pattern=data.pattern)
    return row


def _recompute_roster(session: Session, roster_id: int, default_timezone: str) -> None:
    """The stored days of everyone the roster is assigned to (directly or by department)."""
    direct = select(ShiftAssignment.employee_id).where(ShiftAssignment.roster_id == roster_id)
    departments = select(ShiftAssignment.department_id).where(
        ShiftAssignment.roster_id == roster_id)
    recompute_people(session, people=or_(Employee.id.in_(direct),
                                         Employee.department_id.in_(departments)),
                     default_timezone=default_timezone)


def update_roster(*, session: Session, row: Roster, data: RosterUpdate, default_timezone: str,
                  actor: str) -> Roster:
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise Invalid("validation_error", f"{field}: may not be null")
    if "name" in changes:
        _refuse_taken_name(session, Roster, changes["name"], row.id)
    if "pattern" in changes:
        _check_pattern(session, changes["pattern"])
    with conflict_on_duplicate(session, "duplicate_roster_name", "That roster name exists."):
        for key, value in changes.items():
            setattr(row, key, list(value) if key == "pattern" else value)
    record(session, actor=actor, action="update", entity="roster", entity_id=row.id,
           changes={k: str(v) for k, v in changes.items()})
    _recompute_roster(session, row.id, default_timezone)
    return row


def delete_roster(*, session: Session, row: Roster, default_timezone: str, actor: str) -> None:
    """Refused while assigned: removing it would silently put people on the default shift."""
    used = session.scalar(select(func.count(ShiftAssignment.id)).where(
        ShiftAssignment.roster_id == row.id)) or 0
    if used:
        raise Conflict("roster_in_use",
                       f"Roster {row.name!r} is assigned {used} time(s): remove the "
                       "assignments first.")
    record(session, actor=actor, action="delete", entity="roster", entity_id=row.id,
           name=row.name)
    session.delete(row)


def preview_roster(*, session: Session, data: RosterPreviewIn) -> list[dict[str, Any]]:
    """The pattern laid on [from, to]: which shift (or rest) falls on each date."""
    _check_pattern(session, data.pattern)
    names = {shift_id: name for shift_id, name in session.execute(select(Shift.id, Shift.name))}
    pattern = RosterPattern("preview", data.anchor_date, tuple(data.pattern))
    out = []
    day = data.from_date
    while day <= data.to_date:
        shift_id, position = pattern.on(day)
        out.append({"date": day, "position": position + 1, "shift_id": shift_id,
                    "shift_name": names.get(shift_id) if shift_id is not None else None})
        day += timedelta(days=1)
    return out
