from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from attendance_svc.audit import record
from attendance_svc.clocking.models import ManualClockInAttempt
from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.organisation.pins import hash_pin
from attendance_svc.organisation.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    EmployeeCreate,
    EmployeeImportReport,
    EmployeeUpdate,
    ImportRowError,
)
from faceclock_common.errors import ApiError


def _not_found(what: str) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"No such {what.replace('_', ' ')}.")


# --- departments -------------------------------------------------------------------------------

def get_department(*, session: Session, department_id: int, scope: AccessScope) -> Department:
    department = session.get(Department, department_id)
    if department is None or not (scope.everything or scope.department_id == department.id):
        raise _not_found("department")
    return department


def list_departments(*, session: Session, scope: AccessScope, limit: int,
                     offset: int) -> tuple[list[Department], int]:
    query = select(Department)
    if not scope.everything:
        query = query.where(Department.id == (scope.department_id or -1))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Department.id).limit(limit).offset(offset)).all()
    return list(rows), total


def _department_code_taken(session: Session, code: str, exclude: int | None = None) -> bool:
    query = select(Department.id).where(Department.code == code)
    if exclude is not None:
        query = query.where(Department.id != exclude)
    return session.scalar(query) is not None


def create_department(*, session: Session, data: DepartmentCreate, actor: str) -> Department:
    if _department_code_taken(session, data.code):
        raise ApiError(409, "duplicate_department_code", f"Department code {data.code!r} exists.")
    department = Department(**data.model_dump())
    session.add(department)
    session.flush()
    record(session, actor=actor, action="create", entity="department", entity_id=department.id,
           **data.model_dump())
    _commit_unique(session, "duplicate_department_code", "That department code exists.")
    return department


def update_department(*, session: Session, department: Department,
                      data: DepartmentUpdate, actor: str) -> Department:
    changes = data.model_dump(exclude_unset=True)
    for field in ("code", "name"):
        if field in changes and changes[field] is None:
            raise ApiError(422, "validation_error", f"{field}: may not be null")
    if "code" in changes and _department_code_taken(session, changes["code"], department.id):
        raise ApiError(409, "duplicate_department_code", "That department code exists.")
    for key, value in changes.items():
        setattr(department, key, value)
    record(session, actor=actor, action="update", entity="department", entity_id=department.id,
           changes=changes)
    _commit_unique(session, "duplicate_department_code", "That department code exists.")
    return department


def delete_department(*, session: Session, department: Department, actor: str) -> None:
    record(session, actor=actor, action="delete", entity="department", entity_id=department.id,
           code=department.code, name=department.name)
    session.delete(department)
    session.commit()


# --- employees ---------------------------------------------------------------------------------

def _commit_unique(session: Session, code: str, message: str) -> None:
    """Commit; a unique-key race that slipped past the pre-check still answers 409."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ApiError(409, code, message) from exc


def _check_department(session: Session, department_id: int | None) -> None:
    if department_id is not None and session.get(Department, department_id) is None:
        raise ApiError(422, "unknown_department", f"Department {department_id} does not exist.")


def get_employee(*, session: Session, employee_id: int, scope: AccessScope) -> Employee:
    """The employee if the caller may see them; 404 otherwise (never reveal existence)."""
    employee = session.get(Employee, employee_id)
    if employee is None or not scope.sees(employee):
        raise _not_found("employee")
    return employee


def list_employees(*, session: Session, scope: AccessScope, limit: int, offset: int,
                   department_id: int | None = None, q: str | None = None,
                   status: str | None = None) -> tuple[list[Employee], int]:
    query = select(Employee).where(scope.employee_filter())
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    if status is not None:
        query = query.where(Employee.status == status)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Employee.name).like(pattern),
                                func.lower(Employee.employee_no).like(pattern),
                                func.lower(Employee.email).like(pattern),
                                func.lower(Employee.title).like(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Employee.id).limit(limit).offset(offset)).all()
    return list(rows), total


def _employee_no_taken(session: Session, employee_no: str, exclude: int | None = None) -> bool:
    query = select(Employee.id).where(Employee.employee_no == employee_no)
    if exclude is not None:
        query = query.where(Employee.id != exclude)
    return session.scalar(query) is not None


def _duplicate_no(employee_no: str) -> ApiError:
    return ApiError(409, "duplicate_employee_no", f"Employee number {employee_no!r} exists.")


def create_employee(*, session: Session, data: EmployeeCreate, actor: str) -> Employee:
    _check_department(session, data.department_id)
    if _employee_no_taken(session, data.employee_no):
        raise _duplicate_no(data.employee_no)
    employee = Employee(**data.model_dump())
    session.add(employee)
    session.flush()
    record(session, actor=actor, action="create", entity="employee", entity_id=employee.id,
           employee_id=employee.id, employee_no=employee.employee_no)
    _commit_unique(session, "duplicate_employee_no", "That employee number exists.")
    return employee


def update_employee(*, session: Session, employee: Employee, data: EmployeeUpdate,
                    actor: str) -> Employee:
    changes = data.model_dump(exclude_unset=True)
    for field in ("employee_no", "name", "status"):
        if field in changes and changes[field] is None:
            raise ApiError(422, "validation_error", f"{field}: may not be null")
    if "department_id" in changes:
        _check_department(session, changes["department_id"])
    if "employee_no" in changes and _employee_no_taken(session, changes["employee_no"], employee.id):
        raise _duplicate_no(changes["employee_no"])
    for key, value in changes.items():
        setattr(employee, key, value)
    record(session, actor=actor, action="update", entity="employee", entity_id=employee.id,
           employee_id=employee.id, changes=changes)
    _commit_unique(session, "duplicate_employee_no", "That employee number exists.")
    return employee


def delete_employee(*, session: Session, employee: Employee, actor: str) -> None:
    """Erases the person and, by cascade, their punches, requests and results (GDPR erasure).
    To keep the records of someone who left, set status to "left" instead. The audit entry
    keeps only the employee number, not the person's data."""
    record(session, actor=actor, action="delete", entity="employee", entity_id=employee.id,
           employee_no=employee.employee_no)
    session.delete(employee)
    session.commit()


def set_pin(*, session: Session, employee: Employee, pin: str | None, actor: str) -> None:
    """Set (or with None clear) the kiosk PIN. Earlier failed tries of the number are forgotten:
    a new PIN ends a lockout."""
    employee.pin_hash = hash_pin(pin) if pin is not None else None
    session.execute(delete(ManualClockInAttempt).where(
        ManualClockInAttempt.employee_no == employee.employee_no))
    record(session, actor=actor, action="set_pin" if pin is not None else "clear_pin",
           entity="employee", entity_id=employee.id, employee_id=employee.id)
    session.commit()


# --- CSV import --------------------------------------------------------------------------------

IMPORT_COLUMNS = ("employee_no", "name", "department", "email", "title", "phone", "hired_on",
                  "status", "timezone", "notes")


def import_employees(*, session: Session, content: bytes, actor: str,
                     update_existing: bool = False) -> EmployeeImportReport:
    """Create (or update) employees from a CSV with a header row. Good rows are stored, bad rows
    reported with their line number; `department` is a department code."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_csv", "The file is not UTF-8 text.") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "employee_no" not in header or "name" not in header:
        raise ApiError(400, "bad_csv", "The header must name at least employee_no and name.")
    unknown = sorted(set(header) - set(IMPORT_COLUMNS))
    if unknown:
        raise ApiError(400, "bad_csv", f"Unknown columns: {', '.join(unknown)}.")
    departments = {code: id_ for id_, code in session.execute(select(Department.id,
                                                                     Department.code))}
    existing = {no: id_ for id_, no in session.execute(select(Employee.id, Employee.employee_no))}
    seen: set[str] = set()
    created = updated = 0
    errors: list[ImportRowError] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            errors.append(ImportRowError(row=line, employee_no=row.get("employee_no") or None,
                                         errors=["more cells than header columns"]))
            continue
        problems: list[str] = []
        fields: dict[str, Any] = {k: v for k, v in row.items()
                                  if k in IMPORT_COLUMNS and v != "" and k != "department"}
        code = row.get("department", "")
        if code:
            if code in departments:
                fields["department_id"] = departments[code]
            else:
                problems.append(f"department: unknown department code {code!r}")
        number = row.get("employee_no", "")
        if number in seen:
            problems.append("employee_no: appears twice in the file")
        elif number in existing and not update_existing:
            problems.append("employee_no: already exists")
        try:
            if number in existing and update_existing:
                changes = EmployeeUpdate.model_validate(fields)
            else:
                new = EmployeeCreate.model_validate(fields)
        except ValidationError as exc:
            problems.extend(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                            for e in exc.errors())
        if problems:
            errors.append(ImportRowError(row=line, employee_no=number or None, errors=problems))
            continue
        seen.add(number)
        if number in existing:
            employee = session.get(Employee, existing[number])
            assert employee is not None  # listed a moment ago in this transaction
            for key, value in changes.model_dump(exclude_unset=True).items():
                setattr(employee, key, value)
            updated += 1
        else:
            session.add(Employee(**new.model_dump()))
            created += 1
    record(session, actor=actor, action="import", entity="employee", entity_id=None,
           created=created, updated=updated, failed=len(errors))
    _commit_unique(session, "duplicate_employee_no", "An employee number was taken meanwhile.")
    return EmployeeImportReport(created=created, updated=updated, failed=len(errors),
                                errors=errors)
