"""Leave, business trips, overtime and corrections: pending → approved / rejected, audited.

Only approved requests change results; every decision recomputes the days it touches.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from attendance_svc.audit import record
from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.organisation.service import get_employee
from attendance_svc.punches.service import add_punch
from attendance_svc.requests.models import (
    AuditEntry,
    CorrectionRequest,
    LeaveBalance,
    LeaveRequest,
    OvertimeRequest,
)
from attendance_svc.requests.schemas import (
    BalanceRead,
    BalanceSet,
    CorrectionCreate,
    CorrectionUpdate,
    LeaveCreate,
    LeaveUpdate,
    OvertimeCreate,
    OvertimeUpdate,
)
from attendance_svc.results.service import recompute_around
from attendance_svc.rules import shift_instance
from attendance_svc.scheduling.calendar import WorkCalendar, parse_hhmm
from faceclock_common.errors import ApiError
from faceclock_common.security import Principal

Request = TypeVar("Request", LeaveRequest, OvertimeRequest, CorrectionRequest)
ENTITY = {LeaveRequest: "leave_request", OvertimeRequest: "overtime_request",
          CorrectionRequest: "correction"}


def _zone(session: Session, employee: Employee, day: date, default_timezone: str) -> ZoneInfo:
    calendar = WorkCalendar.load(session, start=day, end=day, default_timezone=default_timezone,
                                 employee_ids=[employee.id])
    shift_id = calendar.shift_id_for(employee.id, employee.department_id, day)
    return calendar.timezone_for(employee.timezone, shift_id)


def _resolve(text: str, tz: ZoneInfo, *, is_end: bool) -> datetime:
    """A date means the whole day in the employee's zone; a naive date-time is local time."""
    if len(text) == 10:
        day = date.fromisoformat(text) + (timedelta(days=1) if is_end else timedelta())
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _target(session: Session, principal: Principal, scope: AccessScope,
            employee_id: int | None) -> Employee:
    employee_id = employee_id if employee_id is not None else principal.employee_id
    if employee_id is None:
        raise ApiError(422, "validation_error",
                       "employee_id: required (your account is not linked to an employee)")
    return get_employee(session=session, employee_id=employee_id, scope=scope)


def _is_hr(principal: Principal) -> bool:
    return principal.is_admin or "hr" in principal.roles


def _check_can_decide(session: Session, principal: Principal, employee: Employee) -> None:
    """hr decides for everyone, a manager for the people of their department; nobody but an
    admin decides on their own request."""
    if (principal.employee_id is not None and principal.employee_id == employee.id
            and not principal.is_admin):
        raise ApiError(403, "own_request", "You cannot decide on your own request.")
    if _is_hr(principal):
        return
    if "manager" in principal.roles and employee.department_id is not None:
        if principal.department_id == employee.department_id:
            return
        department = session.get(Department, employee.department_id)
        if (department is not None and principal.employee_id is not None
                and department.manager_employee_id == principal.employee_id):
            return
    raise ApiError(403, "forbidden", "Only hr or this employee's manager can decide.")


def _check_can_change(principal: Principal, row: LeaveRequest | OvertimeRequest |
                      CorrectionRequest) -> None:
    if _is_hr(principal):
        return
    if row.created_by != principal.subject and row.employee_id != principal.employee_id:
        raise ApiError(403, "forbidden", "Only the requester or hr can change this request.")
    if row.status != "pending":
        raise ApiError(409, "already_decided", f"The request is already {row.status}.")


def _scoped(model: Any, scope: AccessScope) -> Any:
    return select(model).join(Employee, Employee.id == model.employee_id).where(
        scope.employee_filter())


def get_request(session: Session, model: type[Request], request_id: int,
                scope: AccessScope) -> Request:
    row = session.scalar(_scoped(model, scope).where(model.id == request_id))
    if row is None:
        raise ApiError(404, f"{ENTITY[model]}_not_found", "No such request.")
    return row


def list_requests(session: Session, model: type[Request], scope: AccessScope, *, limit: int,
                  offset: int, employee_id: int | None = None, department_id: int | None = None,
                  status: str | None = None, extra: list[ColumnElement[bool]] | None = None,
                  ) -> tuple[list[Request], int]:
    query = _scoped(model, scope)
    if employee_id is not None:
        get_employee(session=session, employee_id=employee_id, scope=scope)  # 404 if not theirs
        query = query.where(model.employee_id == employee_id)
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    if status is not None:
        query = query.where(model.status == status)
    for condition in extra or []:
        query = query.where(condition)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(model.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def _recompute(session: Session, row: LeaveRequest | OvertimeRequest | CorrectionRequest,
               default_timezone: str) -> None:
    if isinstance(row, CorrectionRequest):
        start = end = row.at
    else:
        start, end = row.start_at, row.end_at
    recompute_around(session, employee_id=row.employee_id, start=start, end=end,
                     default_timezone=default_timezone)


# --- leave and business trips ------------------------------------------------------------------

def scheduled_hours(session: Session, employee: Employee, start: datetime, end: datetime,
                    default_timezone: str) -> float:
    """Hours of the shift periods the absence covers (any overlap covers a period, as in the
    rules), skipping rest days and holidays: what a leave costs from a balance."""
    first, last = start.date() - timedelta(days=1), end.date()
    calendar = WorkCalendar.load(session, start=first, end=last,
                                 default_timezone=default_timezone, employee_ids=[employee.id])
    minutes = 0
    day = first
    while day <= last:
        shift_id, spec = calendar.spec_for(employee.id, employee.department_id, day)
        if spec is not None and day not in calendar.holidays and day.isoweekday() in spec.workdays:
            tz = calendar.timezone_for(employee.timezone, shift_id)
            for period in shift_instance(spec, day, tz).periods:
                if period.start < end and period.end > start:
                    minutes += int((period.end - period.start).total_seconds() // 60)
        day += timedelta(days=1)
    return round(minutes / 60, 2)


def _leave_bounds(session: Session, employee: Employee, start_text: str, end_text: str,
                  default_timezone: str) -> tuple[datetime, datetime, float]:
    tz = _zone(session, employee, date.fromisoformat(start_text[:10]), default_timezone)
    start = _resolve(start_text, tz, is_end=False)
    end = _resolve(end_text, tz, is_end=True)
    if end <= start:
        raise ApiError(422, "validation_error", "end: must be after start")
    if end - start > timedelta(days=366):
        raise ApiError(422, "validation_error", "end: a request may span at most a year")
    return start, end, scheduled_hours(session, employee, start, end, default_timezone)


def create_leave(*, session: Session, principal: Principal, scope: AccessScope,
                 data: LeaveCreate, default_timezone: str) -> LeaveRequest:
    employee = _target(session, principal, scope, data.employee_id)
    start, end, hours = _leave_bounds(session, employee, data.start, data.end, default_timezone)
    row = LeaveRequest(employee_id=employee.id, kind=data.kind, leave_type=data.leave_type,
                       start_at=start, end_at=end, start_text=data.start, end_text=data.end,
                       hours=hours, reason=data.reason, created_by=principal.subject)
    session.add(row)
    session.flush()
    record(session, actor=principal.subject, action="create", entity="leave_request",
          entity_id=row.id, employee_id=employee.id, kind=data.kind, leave_type=data.leave_type,
          start=data.start, end=data.end)
    session.commit()
    return row


def update_leave(*, session: Session, principal: Principal, row: LeaveRequest, data: LeaveUpdate,
                 default_timezone: str) -> LeaveRequest:
    _check_can_change(principal, row)
    changes = data.model_dump(exclude_unset=True)
    if row.status != "pending":
        raise ApiError(409, "already_decided", f"The request is already {row.status}.")
    if "start" in changes or "end" in changes:
        employee = session.get(Employee, row.employee_id)
        assert employee is not None  # the request cascades away with its employee
        start_text = changes.get("start") or row.start_text
        end_text = changes.get("end") or row.end_text
        row.start_at, row.end_at, row.hours = _leave_bounds(session, employee, start_text,
                                                            end_text, default_timezone)
        row.start_text, row.end_text = start_text, end_text
    if "leave_type" in changes and row.kind == "leave" and changes["leave_type"]:
        row.leave_type = changes["leave_type"]
    if "reason" in changes:
        row.reason = changes["reason"]
    record(session, actor=principal.subject, action="update", entity="leave_request",
          entity_id=row.id, employee_id=row.employee_id, changes=changes)
    session.commit()
    return row


def _used_hours(session: Session, employee_id: int, year: int, leave_type: str,
                status: str) -> float:
    start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    rows = session.scalars(select(LeaveRequest).where(
        LeaveRequest.employee_id == employee_id, LeaveRequest.kind == "leave",
        LeaveRequest.leave_type == leave_type, LeaveRequest.status == status,
        LeaveRequest.start_at < end, LeaveRequest.start_at >= start))
    return round(sum(r.hours for r in rows if date.fromisoformat(r.start_text[:10]).year == year),
                 2)


def _check_balance(session: Session, row: LeaveRequest) -> None:
    if row.kind != "leave" or row.leave_type is None:
        return
    year = date.fromisoformat(row.start_text[:10]).year
    balance = session.scalar(select(LeaveBalance).where(
        LeaveBalance.employee_id == row.employee_id, LeaveBalance.year == year,
        LeaveBalance.leave_type == row.leave_type))
    if balance is None:
        return  # types without an entitlement (sick, unpaid, ...) are not capped
    used = _used_hours(session, row.employee_id, year, row.leave_type, "approved")
    if used + row.hours > balance.entitled_hours + 1e-9:
        raise ApiError(409, "insufficient_leave_balance",
                       f"{row.leave_type} leave: {row.hours} h requested, "
                       f"{round(balance.entitled_hours - used, 2)} h left of "
                       f"{balance.entitled_hours} h in {year}.")


# --- overtime ----------------------------------------------------------------------------------

def _overtime_bounds(session: Session, employee: Employee, day: date, start_text: str,
                     end_text: str | None, hours: float | None,
                     default_timezone: str) -> tuple[datetime, datetime, float]:
    tz = _zone(session, employee, day, default_timezone)

    def moment(text: str) -> datetime:
        if len(text) == 5:
            return datetime.combine(day, parse_hhmm(text), tzinfo=tz).astimezone(UTC)
        return _resolve(text, tz, is_end=False)

    start = moment(start_text)
    if end_text is not None:
        end = moment(end_text)
        if len(end_text) == 5 and end <= start:
            end = datetime.combine(day + timedelta(days=1), parse_hhmm(end_text),
                                   tzinfo=tz).astimezone(UTC)
    elif hours is not None:
        end = start + timedelta(hours=hours)
    else:
        raise ApiError(422, "validation_error", "give exactly one of end and hours")
    if end <= start:
        raise ApiError(422, "validation_error", "end: must be after start")
    if end - start > timedelta(hours=24):
        raise ApiError(422, "validation_error", "end: overtime may span at most 24 hours")
    return start, end, round((end - start).total_seconds() / 3600, 2)


def create_overtime(*, session: Session, principal: Principal, scope: AccessScope,
                    data: OvertimeCreate, default_timezone: str) -> OvertimeRequest:
    employee = _target(session, principal, scope, data.employee_id)
    start, end, hours = _overtime_bounds(session, employee, data.date, data.start, data.end,
                                         data.hours, default_timezone)
    row = OvertimeRequest(employee_id=employee.id, date=data.date, start_at=start, end_at=end,
                          start_text=data.start, end_text=data.end, hours=hours,
                          reason=data.reason, created_by=principal.subject)
    session.add(row)
    session.flush()
    record(session, actor=principal.subject, action="create", entity="overtime_request",
          entity_id=row.id, employee_id=employee.id, date=data.date.isoformat(),
          start=data.start, end=data.end, hours=hours)
    session.commit()
    return row


def update_overtime(*, session: Session, principal: Principal, row: OvertimeRequest,
                    data: OvertimeUpdate, default_timezone: str) -> OvertimeRequest:
    _check_can_change(principal, row)
    if row.status != "pending":
        raise ApiError(409, "already_decided", f"The request is already {row.status}.")
    changes = data.model_dump(exclude_unset=True)
    if changes.keys() & {"date", "start", "end", "hours"}:
        employee = session.get(Employee, row.employee_id)
        assert employee is not None
        day = changes.get("date") or row.date
        start_text = changes.get("start") or row.start_text
        end_text = changes.get("end", None if "hours" in changes else row.end_text)
        hours = changes.get("hours") if end_text is None else None
        if end_text is None and hours is None:
            hours = row.hours
        row.start_at, row.end_at, row.hours = _overtime_bounds(
            session, employee, day, start_text, end_text, hours, default_timezone)
        row.date, row.start_text, row.end_text = day, start_text, end_text
    if "reason" in changes:
        row.reason = changes["reason"]
    record(session, actor=principal.subject, action="update", entity="overtime_request",
          entity_id=row.id, employee_id=row.employee_id,
          changes={k: str(v) for k, v in changes.items()})
    session.commit()
    return row


# --- corrections -------------------------------------------------------------------------------

def create_correction(*, session: Session, principal: Principal, scope: AccessScope,
                      data: CorrectionCreate) -> CorrectionRequest:
    employee = _target(session, principal, scope, data.employee_id)
    if data.at > datetime.now(UTC) + timedelta(minutes=5):
        raise ApiError(422, "validation_error", "at: a correction cannot be in the future")
    row = CorrectionRequest(employee_id=employee.id, at=data.at, kind=data.kind,
                            reason=data.reason, created_by=principal.subject)
    session.add(row)
    session.flush()
    record(session, actor=principal.subject, action="create", entity="correction",
          entity_id=row.id, employee_id=employee.id, at=data.at.isoformat(), kind=data.kind)
    session.commit()
    return row


def update_correction(*, session: Session, principal: Principal, row: CorrectionRequest,
                      data: CorrectionUpdate) -> CorrectionRequest:
    _check_can_change(principal, row)
    if row.status != "pending":
        raise ApiError(409, "already_decided", f"The request is already {row.status}.")
    changes = data.model_dump(exclude_unset=True)
    for key in ("at", "kind"):
        if key in changes and changes[key] is None:
            raise ApiError(422, "validation_error", f"{key}: may not be null")
    for key, value in changes.items():
        setattr(row, key, value)
    record(session, actor=principal.subject, action="update", entity="correction",
          entity_id=row.id, employee_id=row.employee_id,
          changes={k: str(v) for k, v in changes.items()})
    session.commit()
    return row


# --- the workflow, common to every kind ---------------------------------------------------------

def decide(*, session: Session, principal: Principal, row: Request, approve: bool,
           note: str | None, default_timezone: str) -> Request:
    employee = session.get(Employee, row.employee_id)
    assert employee is not None
    _check_can_decide(session, principal, employee)
    if row.status != "pending":
        raise ApiError(409, "already_decided", f"The request is already {row.status}.")
    if approve and isinstance(row, LeaveRequest):
        # Shifts or holidays may have changed since the request: cost it as of now.
        row.hours = scheduled_hours(session, employee, row.start_at, row.end_at, default_timezone)
        _check_balance(session, row)
    row.status = "approved" if approve else "rejected"
    row.decided_by = principal.subject
    row.decided_at = datetime.now(UTC)
    row.decision_note = note
    if approve and isinstance(row, CorrectionRequest):
        # The log is never edited: the correction is a new punch saying who approved it.
        punch = add_punch(session, employee_id=row.employee_id, at=row.at, source="correction",
                          created_by=row.created_by, kind=row.kind, correction_id=row.id,
                          approved_by=principal.subject)
        row.punch_id = punch.id
    record(session, actor=principal.subject, action=row.status, entity=ENTITY[type(row)],
          entity_id=row.id, employee_id=row.employee_id, note=note)
    session.commit()
    if approve:
        _recompute(session, row, default_timezone)
        session.commit()
    return row


def delete_request(*, session: Session, principal: Principal,
                   row: LeaveRequest | OvertimeRequest | CorrectionRequest,
                   default_timezone: str) -> None:
    """Withdraw a pending request (the requester) or cancel any request (hr). The punch an
    approved correction added stays in the log: cancelling says so in the audit trail."""
    _check_can_change(principal, row)
    was_approved = row.status == "approved"
    record(session, actor=principal.subject, action="delete", entity=ENTITY[type(row)],
          entity_id=row.id, employee_id=row.employee_id, status=row.status)
    session.delete(row)
    session.commit()
    if was_approved and not isinstance(row, CorrectionRequest):
        _recompute(session, row, default_timezone)
        session.commit()


# --- balances and the audit trail ---------------------------------------------------------------

def set_balance(*, session: Session, principal: Principal, data: BalanceSet) -> BalanceRead:
    if session.get(Employee, data.employee_id) is None:
        raise ApiError(422, "unknown_employee", f"Employee {data.employee_id} does not exist.")
    row = session.scalar(select(LeaveBalance).where(
        LeaveBalance.employee_id == data.employee_id, LeaveBalance.year == data.year,
        LeaveBalance.leave_type == data.leave_type))
    if row is None:
        row = LeaveBalance(employee_id=data.employee_id, year=data.year,
                           leave_type=data.leave_type, entitled_hours=data.entitled_hours)
        session.add(row)
    else:
        row.entitled_hours = data.entitled_hours
    record(session, actor=principal.subject, action="set_balance", entity="leave_balance",
          entity_id=None, employee_id=data.employee_id, year=data.year,
          leave_type=data.leave_type, entitled_hours=data.entitled_hours)
    session.commit()
    return balance_of(session, data.employee_id, data.year, data.leave_type)


def balance_of(session: Session, employee_id: int, year: int, leave_type: str) -> BalanceRead:
    row = session.scalar(select(LeaveBalance).where(
        LeaveBalance.employee_id == employee_id, LeaveBalance.year == year,
        LeaveBalance.leave_type == leave_type))
    used = _used_hours(session, employee_id, year, leave_type, "approved")
    pending = _used_hours(session, employee_id, year, leave_type, "pending")
    entitled = row.entitled_hours if row is not None else None
    return BalanceRead(employee_id=employee_id, year=year, leave_type=leave_type,
                       entitled_hours=entitled, used_hours=used, pending_hours=pending,
                       remaining_hours=round(entitled - used, 2) if entitled is not None else None)


def list_balances(*, session: Session, employee: Employee, year: int) -> list[BalanceRead]:
    types = set(session.scalars(select(LeaveBalance.leave_type).where(
        LeaveBalance.employee_id == employee.id, LeaveBalance.year == year)))
    types |= {t for t in session.scalars(select(LeaveRequest.leave_type).where(
        LeaveRequest.employee_id == employee.id, LeaveRequest.kind == "leave")) if t}
    return [balance_of(session, employee.id, year, t) for t in sorted(types)]


def list_audit(*, session: Session, scope: AccessScope, limit: int, offset: int,
               employee_id: int | None = None, entity: str | None = None,
               entity_id: int | None = None) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry)
    if employee_id is not None and not scope.everything:
        get_employee(session=session, employee_id=employee_id, scope=scope)
    if not scope.everything:
        visible = select(Employee.id).where(scope.employee_filter())
        query = query.where(AuditEntry.employee_id.in_(visible))
    if employee_id is not None:
        query = query.where(AuditEntry.employee_id == employee_id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
