"""The append-only punch log: duplicate suppression, idempotency keys, and the writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attendance_svc.organisation.models import Department, Employee
from attendance_svc.punches.models import IdempotencyRecord, Punch
from faceclock_common.errors import Conflict, NotFound


@dataclass(frozen=True)
class Outcome:
    """What a punch-creating call answers: the status code and the JSON body."""

    status_code: int
    body: dict[str, Any]
    created_punch: Punch | None = None
    replayed: bool = False


def fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def lock_employee(session: Session, employee_id: int) -> Employee:
    """Row lock on the employee (MySQL): concurrent punches of one person are serialised, so the
    duplicate check cannot be raced. SQLite has no row locks: there the write lock is taken up
    front (BEGIN IMMEDIATE), which serialises punch writers the same way."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not _sqlite_in_transaction(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    employee = session.scalar(select(Employee).where(Employee.id == employee_id).with_for_update())
    if employee is None:
        raise NotFound("employee_not_found", f"Employee {employee_id} does not exist.")
    return employee


def _sqlite_in_transaction(connection: Any) -> bool:
    return bool(connection.connection.dbapi_connection.in_transaction)


def find_duplicate(session: Session, *, employee_id: int, at: datetime,
                   window_seconds: int) -> Punch | None:
    """The first accepted punch of the employee less than the window away from `at`."""
    if window_seconds <= 0:
        return None
    window = timedelta(seconds=window_seconds)
    return session.scalar(
        select(Punch)
        .where(Punch.employee_id == employee_id, Punch.at > at - window, Punch.at < at + window)
        .order_by(Punch.at, Punch.id)
        .limit(1)
    )


def _stored_answer(session: Session, scope: str, actor: str, key: str,
                   print_: str) -> IdempotencyRecord | None:
    record = session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.actor == actor,
        IdempotencyRecord.key == key))
    if record is not None and record.fingerprint != print_:
        raise Conflict("idempotency_key_reused",
                       "This Idempotency-Key was already used for a different request.")
    return record


def _stored_key(key: str) -> str:
    """Keys up to 255 characters are accepted (the gateway's limit); long ones are stored as
    their digest so the unique index stays small."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest() if len(key) > 64 else key


def replay(session: Session, *, scope: str, actor: str, key: str) -> Outcome | None:
    """The answer stored for (scope, actor, key), if any. Unlike idempotent() it cannot check
    that the request is the same (the gateway asks before recognising the face, so that a
    retried clock-in costs no recognition): a kiosk that reuses a key for another face gets the
    first answer back, not idempotency_key_reused (409)."""
    record = session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.actor == actor,
        IdempotencyRecord.key == _stored_key(key)))
    return None if record is None else Outcome(200, record.response, replayed=True)


def idempotent(session: Session, *, scope: str, actor: str, key: str | None,
               payload: dict[str, Any], action: Callable[[], Outcome]) -> Outcome:
    """Run `action` once per (scope, actor, key): a retry gets the first answer and stores
    nothing new. The punch and the answer are written together, in a savepoint."""
    print_ = fingerprint(payload)
    if key is not None:
        key = _stored_key(key)
        record = _stored_answer(session, scope, actor, key, print_)
        if record is not None:
            return Outcome(200, record.response, replayed=True)
    try:
        with session.begin_nested():
            outcome = action()
            if key is not None:
                session.add(IdempotencyRecord(
                    scope=scope, actor=actor, key=key, fingerprint=print_,
                    status_code=outcome.status_code, response=outcome.body))
    except IntegrityError:
        # A concurrent retry with the same key stored its answer first: the savepoint took this
        # one's punch back; answer what the other answered, and the request goes on.
        if key is None:
            raise
        record = _stored_answer(session, scope, actor, key, print_)
        if record is None:
            raise
        return Outcome(200, record.response, replayed=True)
    return outcome


def add_punch(session: Session, *, employee_id: int, at: datetime, source: str, created_by: str,
              device_id: str | None = None, device_name: str | None = None,
              kind: str | None = None, status: str | None = None,
              correction_id: int | None = None, approved_by: str | None = None,
              liveness_checked: bool = False) -> Punch:
    punch = Punch(employee_id=employee_id, at=at, source=source, kind=kind, status=status,
                  device_id=device_id, device_name=device_name, correction_id=correction_id,
                  approved_by=approved_by, created_by=created_by,
                  liveness_checked=liveness_checked)
    session.add(punch)
    session.flush()
    return punch


def list_punches(*, session: Session, employee_filter: Any, limit: int, offset: int,
                 employee_id: list[int] | None = None, department_id: int | None = None,
                 start: datetime | None = None, end: datetime | None = None,
                 liveness_checked: bool | None = None) -> tuple[list[dict[str, Any]], int]:
    """Punches with the employee's number, name and department, oldest first."""
    query = select(Punch, Employee.employee_no, Employee.name, Department.name).join(
        Employee, Employee.id == Punch.employee_id).outerjoin(
        Department, Department.id == Employee.department_id).where(employee_filter)
    if employee_id is not None:
        query = query.where(Punch.employee_id.in_(employee_id))
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    if liveness_checked is not None:
        query = query.where(Punch.liveness_checked.is_(liveness_checked))
    if start is not None:
        query = query.where(Punch.at >= start)
    if end is not None:
        query = query.where(Punch.at < end)
    total = session.scalar(select(func.count()).select_from(
        query.with_only_columns(Punch.id).subquery())) or 0
    rows = session.execute(query.order_by(Punch.at, Punch.id).limit(limit).offset(offset)).all()
    items = [{**{c: getattr(punch, c) for c in _PUNCH_FIELDS}, "employee_no": number,
              "name": name, "department": department}
             for punch, number, name, department in rows]
    return items, total


_PUNCH_FIELDS = ("id", "employee_id", "at", "source", "kind", "status", "device_id", "device_name",
                 "correction_id", "approved_by", "created_by", "created_at", "liveness_checked")
