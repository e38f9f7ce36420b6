"""Leave, business trips, overtime and corrections: pending → approved / rejected, audited.

Only approved requests change results; every decision recomputes the days it touches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from attendance_svc.audit.service import record
from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.organisation.service import get_employee
from attendance_svc.punches.service import add_punch, lock_employee
from attendance_svc.requests.models import (
    CorrectionRequest,
    LeaveBalance,
    LeaveRequest,
    LeaveType,
    OvertimeRequest,
)
from attendance_svc.requests.schemas import (
    BalanceRead,
    BalanceSet,
    CorrectionCreate,
    CorrectionUpdate,
    LeaveCreate,
    LeavePreview,
    LeaveTypeIn,
    LeaveUpdate,
    OvertimeCreate,
    OvertimeUpdate,
)
from attendance_svc.results.service import recompute_around
from attendance_svc.rules import ShiftInstance, ShiftSpec, is_worked, shift_instance
from attendance_svc.scheduling.calendar import WorkCalendar, parse_hhmm
from faceclock_common.contracts import NoticeEvent, NoticeIn, RequestFacts
from faceclock_common.errors import Conflict, Invalid, NotAllowed, NotFound
from faceclock_common.security import Principal

Request = TypeVar("Request", LeaveRequest, OvertimeRequest, CorrectionRequest)
ENTITY = {LeaveRequest: "leave_request", OvertimeRequest: "overtime_request",
          CorrectionRequest: "correction"}


def _zone(session: Session, employee: Employee, day: date, default_timezone: str) -> ZoneInfo:
    calendar = WorkCalendar.load(session, start=day, end=day, default_timezone=default_timezone,
                                 employee_ids=[employee.id])
    shift_id = calendar.shift_id_for(employee.id, employee.department_id, day)
    return calendar.timezone_for(employee.timezone, shift_id, employee.site_id,
                                 employee.department_id)


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
        raise Invalid("validation_error",
                      "employee_id: required (your account is not linked to an employee)")
    return get_employee(session=session, employee_id=employee_id, scope=scope)


def _is_hr(principal: Principal) -> bool:
    return principal.is_admin or "hr" in principal.roles


def _check_can_decide(principal: Principal, scope: AccessScope, employee: Employee) -> None:
    """hr decides for everyone, a department's manager (named on the department, or a manager
    account of that department) for its people; nobody but an admin on their own request."""
    if (principal.employee_id is not None and principal.employee_id == employee.id
            and not principal.is_admin):
        raise NotAllowed("own_request", "You cannot decide on your own request.")
    if _is_hr(principal):
        return
    if scope.manages(employee.department_id):
        return
    raise NotAllowed("forbidden", "Only hr or this employee's manager can decide.")


def _check_can_change(principal: Principal, row: LeaveRequest | OvertimeRequest |
                      CorrectionRequest) -> None:
    if _is_hr(principal):
        return
    if row.created_by != principal.subject and row.employee_id != principal.employee_id:
        raise NotAllowed("forbidden", "Only the requester or hr can change this request.")
    if row.status != "pending":
        raise Conflict("already_decided", f"The request is already {row.status}.")


def _scoped(model: Any, scope: AccessScope) -> Any:
    return select(model).join(Employee, Employee.id == model.employee_id).where(
        scope.employee_filter())


def get_request(session: Session, model: type[Request], request_id: int,
                scope: AccessScope, *, for_change: bool = False) -> Request:
    """The request, 404 outside the caller's scope. `for_change`: the employee is locked first
    and the row re-read, so that two decisions (a double click, two approvers) or a decision and
    a withdrawal are serialised and the second sees the first's status."""
    row = session.scalar(_scoped(model, scope).where(model.id == request_id))
    if row is None:
        raise NotFound(f"{ENTITY[model]}_not_found", "No such request.")
    if for_change:
        lock_employee(session, row.employee_id)
        # A locking read: on MySQL a plain one would return the transaction's older snapshot.
        session.refresh(row, with_for_update=True)
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
                    default_timezone: str) -> tuple[float, float]:
    """(days, hours) of the shift periods a request in hours covers (any overlap covers a period,
    as in the rules), skipping rest days and holidays; days are the covered share of each
    instance."""
    first, last = start.date() - timedelta(days=1), end.date()
    calendar = WorkCalendar.load(session, start=first, end=last,
                                 default_timezone=default_timezone, employee_ids=[employee.id])
    minutes = 0
    days = 0.0
    for spec, instance in _worked_instances(calendar, employee, first, last):
        covered = sum(int((p.end - p.start).total_seconds() // 60) for p in instance.periods
                      if p.start < end and p.end > start)
        minutes += covered
        if covered:
            days += covered / (_instance_minutes(spec, instance) or covered)
    return round(days, 2), round(minutes / 60, 2)


def _worked_instances(calendar: WorkCalendar, employee: Employee, first: date,
                      last: date) -> Iterator[tuple[ShiftSpec, ShiftInstance]]:
    day = first
    while day <= last:
        found = calendar.schedule_for(employee.id, employee.department_id, day)
        holiday = calendar.holiday_for(employee.department_id, day, employee.site_id) is not None
        if found.spec is not None and is_worked(found.spec, day, holiday=holiday,
                                                scheduled=found.scheduled):
            tz = calendar.timezone_for(employee.timezone, found.shift_id, employee.site_id,
                                       employee.department_id)
            yield found.spec, shift_instance(found.spec, day, tz)
        day += timedelta(days=1)


def _instance_minutes(spec: ShiftSpec, instance: ShiftInstance) -> int:
    if spec.flexible:
        return int((spec.required_hours or 0) * 60)
    return sum(int((p.end - p.start).total_seconds() // 60) for p in instance.periods)


def leave_cost(session: Session, employee: Employee, first: date, last: date, half: str | None,
               default_timezone: str) -> tuple[float, float]:
    """(days, hours) of a request in days: a day of leave is the shift instance DATED that day
    (a night worker's night that starts on it) and costs that instance's scheduled hours; rest
    days and holidays cost nothing; a half day costs half."""
    calendar = WorkCalendar.load(session, start=first, end=last,
                                 default_timezone=default_timezone, employee_ids=[employee.id])
    days = 0.0
    minutes = 0
    for spec, instance in _worked_instances(calendar, employee, first, last):
        days += 1
        minutes += _instance_minutes(spec, instance)
    if half is not None:
        days, minutes = days / 2, minutes // 2
    return days, round(minutes / 60, 2)


def _leave_bounds(session: Session, employee: Employee, start_text: str, end_text: str,
                  half: str | None, default_timezone: str
                  ) -> tuple[datetime, datetime, float, float]:
    """(start, end, days, hours). A request in whole days covers the instances dated on them;
    its [start, end) is the local calendar span, used to find it."""
    tz = _zone(session, employee, date.fromisoformat(start_text[:10]), default_timezone)
    start = _resolve(start_text, tz, is_end=False)
    end = _resolve(end_text, tz, is_end=True)
    if end <= start:
        raise Invalid("validation_error", "end: must be after start")
    if end - start > timedelta(days=366):
        raise Invalid("validation_error", "end: a request may span at most a year")
    in_days = len(start_text) == 10 and len(end_text) == 10
    if half is not None and not (in_days and start_text == end_text):
        raise Invalid("validation_error",
                      "half: a half day is a request for one date (start = end, no times)")
    if in_days:
        days, hours = leave_cost(session, employee, date.fromisoformat(start_text),
                                 date.fromisoformat(end_text), half, default_timezone)
        return start, end, days, hours
    return start, end, *scheduled_hours(session, employee, start, end, default_timezone)


def _new_leave(session: Session, principal: Principal, scope: AccessScope, data: LeaveCreate,
               default_timezone: str, *, filing: bool) -> LeaveRequest:
    """The request as filed, costed and checked (422/409), not yet in the session. When
    `filing`, the employee stays locked until the request commits: two requests filed at once
    cannot both pass the overlap and balance checks."""
    employee = _target(session, principal, scope, data.employee_id)
    if filing:
        lock_employee(session, employee.id)
    start, end, days, hours = _leave_bounds(session, employee, data.start, data.end, data.half,
                                            default_timezone)
    row = LeaveRequest(employee_id=employee.id, kind=data.kind, leave_type=data.leave_type,
                       start_at=start, end_at=end, start_text=data.start, end_text=data.end,
                       half=data.half, days=days, hours=hours, reason=data.reason,
                       created_by=principal.subject, status="pending")
    with session.no_autoflush:
        _check_leave(session, row, with_pending=True)
    return row


def preview_leave(*, session: Session, principal: Principal, scope: AccessScope,
                  data: LeaveCreate, default_timezone: str) -> LeavePreview:
    """What filing would cost and leave, or the refusal filing would get, without filing."""
    row = _new_leave(session, principal, scope, data, default_timezone, filing=False)
    balance = None
    if row.kind == "leave" and row.leave_type is not None:
        balance = balance_of(session, row.employee_id,
                             date.fromisoformat(row.start_text[:10]).year, row.leave_type)
    return LeavePreview(days=row.days, hours=row.hours, balance=balance)


def create_leave(*, session: Session, principal: Principal, scope: AccessScope,
                 data: LeaveCreate, default_timezone: str) -> LeaveRequest:
    row = _new_leave(session, principal, scope, data, default_timezone, filing=True)
    employee_id = row.employee_id
    session.add(row)
    session.flush()
    record(session, actor=principal.subject, action="create", entity="leave_request",
          entity_id=row.id, employee_id=employee_id, kind=data.kind, leave_type=data.leave_type,
          start=data.start, end=data.end)
    return row


def update_leave(*, session: Session, principal: Principal, row: LeaveRequest, data: LeaveUpdate,
                 default_timezone: str) -> LeaveRequest:
    _check_can_change(principal, row)
    changes = data.model_dump(exclude_unset=True)
    if row.status != "pending":
        raise Conflict("already_decided", f"The request is already {row.status}.")
    if changes.keys() & {"start", "end", "half"}:
        employee = session.get(Employee, row.employee_id)
        assert employee is not None  # the request cascades away with its employee
        start_text = changes.get("start") or row.start_text
        end_text = changes.get("end") or row.end_text
        half = changes.get("half", row.half)
        row.start_at, row.end_at, row.days, row.hours = _leave_bounds(
            session, employee, start_text, end_text, half, default_timezone)
        row.start_text, row.end_text, row.half = start_text, end_text, half
    if "leave_type" in changes and row.kind == "leave" and changes["leave_type"]:
        row.leave_type = changes["leave_type"]
    if "reason" in changes:
        row.reason = changes["reason"]
    with session.no_autoflush:
        _check_leave(session, row, with_pending=True)
    record(session, actor=principal.subject, action="update", entity="leave_request",
          entity_id=row.id, employee_id=row.employee_id, changes=changes)
    return row


def leave_type_of(session: Session, code: str) -> LeaveType:
    found = session.get(LeaveType, code)
    if found is None:
        known = ", ".join(sorted(session.scalars(select(LeaveType.code))))
        raise Invalid("unknown_leave_type",
                      f"leave_type: {code!r} is not a leave type (known: {known}).")
    return found


def _span_text(row: LeaveRequest) -> str:
    if row.start_text == row.end_text:
        return row.start_text + (f" ({row.half} half)" if row.half else "")
    return f"{row.start_text} to {row.end_text}"


def _overlaps(row: LeaveRequest, other: LeaveRequest) -> bool:
    """Two requests in days overlap when their dates meet (two different halves of one date
    do not); otherwise their moments do."""
    in_days = all(len(t) == 10 for t in (row.start_text, row.end_text, other.start_text,
                                         other.end_text))
    if not in_days:
        return row.start_at < other.end_at and other.start_at < row.end_at
    if row.end_text < other.start_text or other.end_text < row.start_text:
        return False
    same_single_date = row.start_text == row.end_text == other.start_text == other.end_text
    return not (same_single_date and row.half and other.half and row.half != other.half)


def _check_leave(session: Session, row: LeaveRequest, *, with_pending: bool) -> None:
    """Refuse what the leave type does not allow, a request that overlaps another approved or
    pending request of the employee (409), and one beyond the balance (409)."""
    if row.kind == "leave" and row.leave_type is not None:
        kind = leave_type_of(session, row.leave_type)
        in_hours = len(row.start_text) > 10 or len(row.end_text) > 10
        if in_hours and not kind.allow_hours:
            raise Invalid("leave_in_hours_not_allowed",
                          f"{kind.name} is taken in days or half days, not in hours.")
        if row.half and not kind.allow_half_days:
            raise Invalid("half_days_not_allowed", f"{kind.name} is taken in whole days.")
    others = session.scalars(select(LeaveRequest).where(
        LeaveRequest.employee_id == row.employee_id,
        LeaveRequest.status.in_(("pending", "approved")),
        LeaveRequest.start_at < row.end_at + timedelta(days=1),
        LeaveRequest.end_at > row.start_at - timedelta(days=1)))
    for other in others:
        if other.id != row.id and _overlaps(row, other):
            what = "business trip" if other.kind == "business_trip" else (
                f"{other.leave_type} leave")
            raise Conflict("overlapping_request",
                           f"This request overlaps {other.status} {what} request "
                           f"#{other.id} ({_span_text(other)}).",
                           other_id=other.id, other_status=other.status,
                           other_kind=other.kind, other_leave_type=other.leave_type,
                           other_start=other.start_text, other_end=other.end_text,
                           other_half=other.half)
    _check_balance(session, row, with_pending=with_pending)


def _used(session: Session, employee_id: int, year: int, leave_type: str, status: str,
          exclude: int | None = None) -> tuple[float, float]:
    """(days, hours) of the leave type's requests in `status` that start in `year`."""
    start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    rows = [r for r in session.scalars(select(LeaveRequest).where(
        LeaveRequest.employee_id == employee_id, LeaveRequest.kind == "leave",
        LeaveRequest.leave_type == leave_type, LeaveRequest.status == status,
        LeaveRequest.start_at < end, LeaveRequest.start_at >= start))
        if date.fromisoformat(r.start_text[:10]).year == year and r.id != exclude]
    return round(sum(r.days for r in rows), 2), round(sum(r.hours for r in rows), 2)


def _number(value: float) -> str:
    return f"{value:g}"


def _check_balance(session: Session, row: LeaveRequest, *, with_pending: bool) -> None:
    if row.kind != "leave" or row.leave_type is None:
        return
    kind = session.get(LeaveType, row.leave_type)
    if kind is not None and kind.allow_negative:
        return
    year = date.fromisoformat(row.start_text[:10]).year
    balance = session.scalar(select(LeaveBalance).where(
        LeaveBalance.employee_id == row.employee_id, LeaveBalance.year == year,
        LeaveBalance.leave_type == row.leave_type))
    if balance is None or (balance.entitled_days is None and balance.entitled_hours is None):
        return  # types without an allocation are not capped
    used_days, used_hours = _used(session, row.employee_id, year, row.leave_type, "approved",
                                  row.id)
    pending_days, pending_hours = ((0.0, 0.0) if not with_pending else _used(
        session, row.employee_id, year, row.leave_type, "pending", row.id))
    if balance.entitled_days is not None:
        unit, entitled, asked = "day", balance.entitled_days, row.days
        taken, pending = used_days, pending_days
    else:
        unit, entitled, asked = "h", balance.entitled_hours or 0.0, row.hours
        taken, pending = used_hours, pending_hours
    left = round(entitled - taken - pending, 2)
    if asked > left + 1e-9:
        def amount(value: float) -> str:
            return f"{_number(value)} {unit}" + ("" if unit == "h" or value == 1 else "s")

        pending_note = f", {_number(pending)} pending" if pending else ""
        raise Conflict("insufficient_leave_balance",
                       f"{row.leave_type} leave: {amount(asked)} requested, only "
                       f"{amount(max(left, 0))} left of {_number(entitled)} in "
                       f"{year} ({_number(taken)} taken{pending_note}).",
                       leave_type=row.leave_type, unit=unit, requested=asked, left=left,
                       entitled=entitled, year=year, taken=taken, pending=pending)


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
        raise Invalid("validation_error", "give exactly one of end and hours")
    if end <= start:
        raise Invalid("validation_error", "end: must be after start")
    if end - start > timedelta(hours=24):
        raise Invalid("validation_error", "end: overtime may span at most 24 hours")
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
    return row


def update_overtime(*, session: Session, principal: Principal, row: OvertimeRequest,
                    data: OvertimeUpdate, default_timezone: str) -> OvertimeRequest:
    _check_can_change(principal, row)
    if row.status != "pending":
        raise Conflict("already_decided", f"The request is already {row.status}.")
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
    return row


# --- corrections -------------------------------------------------------------------------------

def create_correction(*, session: Session, principal: Principal, scope: AccessScope,
                      data: CorrectionCreate) -> CorrectionRequest:
    employee = _target(session, principal, scope, data.employee_id)
    _refuse_future_correction(data.at)
    row = CorrectionRequest(employee_id=employee.id, at=data.at, kind=data.kind,
                            reason=data.reason, created_by=principal.subject)
    session.add(row)
    session.flush()
    record(session, actor=principal.subject, action="create", entity="correction",
          entity_id=row.id, employee_id=employee.id, at=data.at.isoformat(), kind=data.kind)
    return row


def _refuse_future_correction(at: datetime) -> None:
    # A punch says what happened; the clock of the device that filed it may be minutes off.
    if at > datetime.now(UTC) + timedelta(minutes=5):
        raise Invalid("validation_error", "at: a correction cannot be in the future")


def update_correction(*, session: Session, principal: Principal, row: CorrectionRequest,
                      data: CorrectionUpdate) -> CorrectionRequest:
    _check_can_change(principal, row)
    if row.status != "pending":
        raise Conflict("already_decided", f"The request is already {row.status}.")
    changes = data.model_dump(exclude_unset=True)
    for key in ("at", "kind"):
        if key in changes and changes[key] is None:
            raise Invalid("validation_error", f"{key}: may not be null")
    if "at" in changes:
        _refuse_future_correction(changes["at"])
    for key, value in changes.items():
        setattr(row, key, value)
    record(session, actor=principal.subject, action="update", entity="correction",
          entity_id=row.id, employee_id=row.employee_id,
          changes={k: str(v) for k, v in changes.items()})
    return row


# --- the workflow, common to every kind ---------------------------------------------------------

def decide(*, session: Session, principal: Principal, scope: AccessScope, row: Request,
           approve: bool, note: str | None, default_timezone: str) -> Request:
    employee = session.get(Employee, row.employee_id)
    assert employee is not None
    _check_can_decide(principal, scope, employee)
    if approve and row.created_by == principal.subject:
        # Four eyes: whoever filed a request (a correction adds a punch) never approves it too.
        raise NotAllowed("own_filing", "Someone other than the person who filed this "
                         "request must approve it.")
    if row.status != "pending":
        raise Conflict("already_decided", f"The request is already {row.status}.")
    if approve and isinstance(row, LeaveRequest):
        # Shifts or holidays may have changed since the request: cost it as of now.
        _, _, row.days, row.hours = _leave_bounds(session, employee, row.start_text,
                                                  row.end_text, row.half, default_timezone)
        with session.no_autoflush:
            _check_balance(session, row, with_pending=False)
    row.status = "approved" if approve else "rejected"
    row.decided_by = principal.subject
    decider = (session.get(Employee, principal.employee_id)
               if principal.employee_id is not None else None)
    row.decided_by_name = decider.name if decider is not None else principal.username or None
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
    if approve:  # in the same transaction: a decision never stands with stale day results
        _recompute(session, row, default_timezone)
    return row


def withdraw(*, session: Session, principal: Principal, row: Request,
             default_timezone: str) -> Request:
    """The requester (or hr) takes a pending or approved request back; it stays on record as
    `withdrawn` and no longer counts. An approved correction cannot be withdrawn: its punch is
    in the log, which is never edited."""
    if not _is_hr(principal) and row.created_by != principal.subject and (
            row.employee_id != principal.employee_id):
        raise NotAllowed("forbidden", "Only the requester or hr can withdraw this request.")
    if row.status not in ("pending", "approved"):
        raise Conflict("already_decided", f"The request is already {row.status}.")
    if row.status == "approved" and isinstance(row, CorrectionRequest):
        raise Conflict("correction_applied",
                       "An approved correction's punch is in the log and stays there.")
    was_approved = row.status == "approved"
    row.status = "withdrawn"
    row.decided_by = principal.subject
    row.decided_at = datetime.now(UTC)
    record(session, actor=principal.subject, action="withdraw", entity=ENTITY[type(row)],
           entity_id=row.id, employee_id=row.employee_id, was_approved=was_approved)
    if was_approved:
        _recompute(session, row, default_timezone)
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
    if was_approved and not isinstance(row, CorrectionRequest):
        session.flush()
        _recompute(session, row, default_timezone)


# --- balances and the audit trail ---------------------------------------------------------------

def set_balance(*, session: Session, principal: Principal, data: BalanceSet) -> BalanceRead:
    if session.get(Employee, data.employee_id) is None:
        raise Invalid("unknown_employee", f"Employee {data.employee_id} does not exist.")
    leave_type_of(session, data.leave_type)
    row = session.scalar(select(LeaveBalance).where(
        LeaveBalance.employee_id == data.employee_id, LeaveBalance.year == data.year,
        LeaveBalance.leave_type == data.leave_type))
    if row is None:
        row = LeaveBalance(employee_id=data.employee_id, year=data.year,
                           leave_type=data.leave_type)
        session.add(row)
    row.entitled_days, row.entitled_hours = data.entitled_days, data.entitled_hours
    record(session, actor=principal.subject, action="set_balance", entity="leave_balance",
           entity_id=None, employee_id=data.employee_id, year=data.year,
           leave_type=data.leave_type, entitled_days=data.entitled_days,
           entitled_hours=data.entitled_hours)
    return balance_of(session, data.employee_id, data.year, data.leave_type)


def balance_of(session: Session, employee_id: int, year: int, leave_type: str) -> BalanceRead:
    row = session.scalar(select(LeaveBalance).where(
        LeaveBalance.employee_id == employee_id, LeaveBalance.year == year,
        LeaveBalance.leave_type == leave_type))
    used_days, used_hours = _used(session, employee_id, year, leave_type, "approved")
    pending_days, pending_hours = _used(session, employee_id, year, leave_type, "pending")
    days = row.entitled_days if row is not None else None
    hours = row.entitled_hours if row is not None else None
    return BalanceRead(
        employee_id=employee_id, year=year, leave_type=leave_type,
        entitled_days=days, used_days=used_days, pending_days=pending_days,
        remaining_days=round(days - used_days, 2) if days is not None else None,
        entitled_hours=hours, used_hours=used_hours, pending_hours=pending_hours,
        remaining_hours=round(hours - used_hours, 2) if hours is not None else None)


def list_balances(*, session: Session, employee: Employee, year: int) -> list[BalanceRead]:
    types = set(session.scalars(select(LeaveBalance.leave_type).where(
        LeaveBalance.employee_id == employee.id, LeaveBalance.year == year)))
    types |= {t for t in session.scalars(select(LeaveRequest.leave_type).where(
        LeaveRequest.employee_id == employee.id, LeaveRequest.kind == "leave")) if t}
    return [balance_of(session, employee.id, year, t) for t in sorted(types)]


def list_leave_types(session: Session) -> list[LeaveType]:
    return list(session.scalars(select(LeaveType).order_by(LeaveType.code)))


def put_leave_type(*, session: Session, principal: Principal, code: str,
                   data: LeaveTypeIn) -> LeaveType:
    row = session.get(LeaveType, code)
    if row is None:
        row = LeaveType(code=code)
        session.add(row)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    record(session, actor=principal.subject, action="put", entity="leave_type", entity_id=None,
           code=code, **data.model_dump())
    return row


# --- notices -------------------------------------------------------------------------------------

def notice_of(session: Session, row: LeaveRequest | OvertimeRequest | CorrectionRequest,
              event: NoticeEvent, actor: str, default_timezone: str) -> NoticeIn:
    """What the auth service needs to tell the approvers (a filing) or the requester (a
    decision): the request in no language (the reader's words are theirs), times local."""
    employee = session.get(Employee, row.employee_id)
    assert employee is not None
    department = (session.get(Department, employee.department_id)
                  if employee.department_id is not None else None)
    leave_type = None
    if isinstance(row, LeaveRequest):
        kind, leave_type, half = row.kind, row.leave_type, row.half
        summary = row.start_text if row.start_text == row.end_text else (
            f"{row.start_text} \u2013 {row.end_text}")
        summary = summary.replace("T", " ")
    elif isinstance(row, OvertimeRequest):
        kind, half = "overtime", None
        summary = f"{row.date.isoformat()} {row.start_text}" + (
            f"\u2013{row.end_text}" if row.end_text else f" ({_number(row.hours)} h)")
    else:
        kind, half = "correction", None
        zone = _zone(session, employee, row.at.date(), default_timezone)
        summary = row.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return NoticeIn(event=event, actor=actor, request=RequestFacts(
        kind=kind, id=row.id, leave_type=leave_type, half=half, summary=summary,
        employee_id=employee.id, employee_name=employee.name,
        department_id=employee.department_id,
        manager_employee_id=department.manager_employee_id if department else None,
        requester=row.created_by, decided_by_name=row.decided_by_name,
        note=row.decision_note))
