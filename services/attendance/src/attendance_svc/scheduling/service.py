"""Shifts, assignments and holidays. Every change recomputes the stored day results it touches."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attendance_svc.audit import record
from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.organisation.service import get_employee
from attendance_svc.results.models import DayResult
from attendance_svc.results.service import recompute_stored
from attendance_svc.scheduling.models import Holiday, Shift, ShiftAssignment
from attendance_svc.scheduling.schemas import (
    AssignmentCreate,
    AssignmentUpdate,
    HolidayCreate,
    HolidayUpdate,
    ShiftCreate,
    ShiftUpdate,
)
from faceclock_common.errors import ApiError

DEFAULT_SHIFT_FIELDS: dict[str, Any] = {
    "periods": [{"start": "08:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}],
    "early_checkin_minutes": 60, "late_grace_minutes": 0, "absent_after_late_minutes": 120,
    "early_leave_grace_minutes": 0, "absent_if_early_minutes": 120,
    "checkout_until_minutes": 240, "half_day_hours": None, "workdays": [1, 2, 3, 4, 5],
    "timezone": None,
}
DEFAULT_SHIFT_NAME = "Office day"


def _commit(session: Session, code: str, message: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ApiError(409, code, message) from exc


# --- shifts ------------------------------------------------------------------------------------

def get_shift(*, session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise ApiError(404, "shift_not_found", f"Shift {shift_id} does not exist.")
    return shift


def list_shifts(*, session: Session, limit: int, offset: int) -> tuple[list[Shift], int]:
    total = session.scalar(select(func.count(Shift.id))) or 0
    rows = session.scalars(select(Shift).order_by(Shift.id).limit(limit).offset(offset)).all()
    return list(rows), total


def _name_taken(session: Session, name: str, exclude: int | None = None) -> None:
    query = select(Shift.id).where(Shift.name == name)
    if exclude is not None:
        query = query.where(Shift.id != exclude)
    if session.scalar(query) is not None:
        raise ApiError(409, "duplicate_shift_name", f"A shift named {name!r} exists.")


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
    _name_taken(session, data.name)
    fields = data.model_dump()
    fields["periods"] = [dict(p) for p in fields["periods"]]
    make_default = fields.pop("is_default")
    shift = Shift(**fields, is_default=False)
    session.add(shift)
    session.flush()
    touched: set[int | None] = set()
    if make_default:
        touched = _make_default(session, shift)
    record(session, actor=actor, action="create", entity="shift", entity_id=shift.id,
           **data.model_dump())
    _commit(session, "duplicate_shift_name", "That shift name exists.")
    if touched:
        _recompute_shift_days(session, touched, default_timezone)
        session.commit()
    return shift


def update_shift(*, session: Session, shift: Shift, data: ShiftUpdate,
                 default_timezone: str, actor: str) -> Shift:
    changes = data.model_dump(exclude_unset=True)
    record(session, actor=actor, action="update", entity="shift", entity_id=shift.id,
           changes=changes)
    for field, value in changes.items():
        if value is None and field not in ("half_day_hours", "timezone"):
            raise ApiError(422, "validation_error", f"{field}: may not be null")
    if "name" in changes:
        _name_taken(session, changes["name"], shift.id)
    touched: set[int | None] = {shift.id}
    if changes.pop("is_default", None) is True:
        touched |= _make_default(session, shift)
    elif data.is_default is False and shift.is_default:
        shift.is_default = False
        touched.add(None)
    for key, value in changes.items():
        setattr(shift, key, value)
    _commit(session, "duplicate_shift_name", "That shift name exists.")
    _recompute_shift_days(session, touched, default_timezone)
    session.commit()
    return shift


def delete_shift(*, session: Session, shift: Shift, default_timezone: str, actor: str) -> None:
    shift_id = shift.id
    record(session, actor=actor, action="delete", entity="shift", entity_id=shift_id,
           name=shift.name)
    session.delete(shift)
    session.commit()
    _recompute_shift_days(session, {shift_id}, default_timezone)
    session.commit()


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
    session.commit()
    _recompute_shift_days(session, touched, default_timezone)
    session.commit()
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
    if scope.department_id is not None:
        conditions.append(ShiftAssignment.department_id == scope.department_id)
        members = select(Employee.id).where(Employee.department_id == scope.department_id)
        conditions.append(ShiftAssignment.employee_id.in_(members))
    return or_(*conditions) if conditions else false()


def list_assignments(*, session: Session, scope: AccessScope, limit: int, offset: int,
                     employee_id: int | None = None, department_id: int | None = None,
                     shift_id: int | None = None) -> tuple[list[ShiftAssignment], int]:
    query = select(ShiftAssignment).where(_assignment_scope(scope))
    if employee_id is not None:
        get_employee(session=session, employee_id=employee_id, scope=scope)
        query = query.where(ShiftAssignment.employee_id == employee_id)
    if department_id is not None:
        query = query.where(ShiftAssignment.department_id == department_id)
    if shift_id is not None:
        query = query.where(ShiftAssignment.shift_id == shift_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ShiftAssignment.id).limit(limit).offset(offset)).all()
    return list(rows), total


def get_assignment(*, session: Session, assignment_id: int, scope: AccessScope) -> ShiftAssignment:
    row = session.scalar(select(ShiftAssignment).where(ShiftAssignment.id == assignment_id,
                                                      _assignment_scope(scope)))
    if row is None:
        raise ApiError(404, "shift_assignment_not_found", "No such shift assignment.")
    return row


def _recompute_assignment(session: Session, row: ShiftAssignment, start: date,
                          end: date | None, default_timezone: str) -> None:
    if row.employee_id is not None:
        who: ColumnElement[bool] = DayResult.employee_id == row.employee_id
    else:
        who = DayResult.employee_id.in_(select(Employee.id).where(
            Employee.department_id == row.department_id))
    when = DayResult.date >= start
    if end is not None:
        when = and_(when, DayResult.date <= end)
    recompute_stored(session, where=and_(who, when), default_timezone=default_timezone)


def create_assignment(*, session: Session, data: AssignmentCreate,
                      default_timezone: str, actor: str) -> ShiftAssignment:
    get_shift(session=session, shift_id=data.shift_id)
    if data.employee_id is not None and session.get(Employee, data.employee_id) is None:
        raise ApiError(422, "unknown_employee", f"Employee {data.employee_id} does not exist.")
    if data.department_id is not None and session.get(Department, data.department_id) is None:
        raise ApiError(422, "unknown_department",
                       f"Department {data.department_id} does not exist.")
    row = ShiftAssignment(**data.model_dump())
    session.add(row)
    session.flush()
    record(session, actor=actor, action="create", entity="shift_assignment", entity_id=row.id,
           employee_id=row.employee_id, department_id=row.department_id, shift_id=row.shift_id,
           from_date=row.from_date, to_date=row.to_date)
    session.commit()
    _recompute_assignment(session, row, row.from_date, row.to_date, default_timezone)
    session.commit()
    return row


def update_assignment(*, session: Session, row: ShiftAssignment, data: AssignmentUpdate,
                      default_timezone: str, actor: str) -> ShiftAssignment:
    changes = data.model_dump(exclude_unset=True)
    if "shift_id" in changes:
        if changes["shift_id"] is None:
            raise ApiError(422, "validation_error", "shift_id: may not be null")
        get_shift(session=session, shift_id=changes["shift_id"])
    if "from_date" in changes and changes["from_date"] is None:
        raise ApiError(422, "validation_error", "from: may not be null")
    old_start, old_end = row.from_date, row.to_date
    for key, value in changes.items():
        setattr(row, key, value)
    if row.to_date is not None and row.to_date < row.from_date:
        session.rollback()
        raise ApiError(422, "validation_error", "to: is before from")
    record(session, actor=actor, action="update", entity="shift_assignment", entity_id=row.id,
           employee_id=row.employee_id, changes=changes)
    session.commit()
    start = min(old_start, row.from_date)
    end = None if old_end is None or row.to_date is None else max(old_end, row.to_date)
    _recompute_assignment(session, row, start, end, default_timezone)
    session.commit()
    return row


def delete_assignment(*, session: Session, row: ShiftAssignment, default_timezone: str,
                      actor: str) -> None:
    detached = ShiftAssignment(employee_id=row.employee_id, department_id=row.department_id,
                               shift_id=row.shift_id, from_date=row.from_date,
                               to_date=row.to_date)
    record(session, actor=actor, action="delete", entity="shift_assignment", entity_id=row.id,
           employee_id=row.employee_id, department_id=row.department_id, shift_id=row.shift_id)
    session.delete(row)
    session.commit()
    _recompute_assignment(session, detached, detached.from_date, detached.to_date,
                          default_timezone)
    session.commit()


# --- holidays ----------------------------------------------------------------------------------

def list_holidays(*, session: Session, limit: int, offset: int, year: int | None = None
                  ) -> tuple[list[Holiday], int]:
    query = select(Holiday)
    if year is not None:
        query = query.where(Holiday.date >= date(year, 1, 1), Holiday.date <= date(year, 12, 31))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Holiday.date).limit(limit).offset(offset)).all()
    return list(rows), total


def get_holiday(*, session: Session, holiday_id: int) -> Holiday:
    holiday = session.get(Holiday, holiday_id)
    if holiday is None:
        raise ApiError(404, "holiday_not_found", f"Holiday {holiday_id} does not exist.")
    return holiday


def _holiday_taken(session: Session, day: date, exclude: int | None = None) -> None:
    query = select(Holiday.id).where(Holiday.date == day)
    if exclude is not None:
        query = query.where(Holiday.id != exclude)
    if session.scalar(query) is not None:
        raise ApiError(409, "duplicate_holiday", f"{day.isoformat()} is already a holiday.")


def _recompute_dates(session: Session, days: set[date], default_timezone: str) -> None:
    recompute_stored(session, where=DayResult.date.in_(days), default_timezone=default_timezone)


def create_holiday(*, session: Session, data: HolidayCreate, default_timezone: str,
                   actor: str) -> Holiday:
    _holiday_taken(session, data.date)
    holiday = Holiday(date=data.date, name=data.name)
    session.add(holiday)
    session.flush()
    record(session, actor=actor, action="create", entity="holiday", entity_id=holiday.id,
           date=data.date, name=data.name)
    _commit(session, "duplicate_holiday", "That date is already a holiday.")
    _recompute_dates(session, {holiday.date}, default_timezone)
    session.commit()
    return holiday


def update_holiday(*, session: Session, holiday: Holiday, data: HolidayUpdate,
                   default_timezone: str, actor: str) -> Holiday:
    changes = data.model_dump(exclude_unset=True)
    if any(changes.get(k, "") is None for k in ("date", "name")):
        raise ApiError(422, "validation_error", "date and name may not be null")
    days = {holiday.date}
    if "date" in changes:
        _holiday_taken(session, changes["date"], holiday.id)
        days.add(changes["date"])
    for key, value in changes.items():
        setattr(holiday, key, value)
    record(session, actor=actor, action="update", entity="holiday", entity_id=holiday.id,
           changes=changes)
    _commit(session, "duplicate_holiday", "That date is already a holiday.")
    _recompute_dates(session, days, default_timezone)
    session.commit()
    return holiday


def delete_holiday(*, session: Session, holiday: Holiday, default_timezone: str,
                   actor: str) -> None:
    day = holiday.date
    record(session, actor=actor, action="delete", entity="holiday", entity_id=holiday.id,
           date=day, name=holiday.name)
    session.delete(holiday)
    session.commit()
    _recompute_dates(session, {day}, default_timezone)
    session.commit()
