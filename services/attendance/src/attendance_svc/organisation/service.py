from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from attendance_svc.audit.service import record
from attendance_svc.clocking import lockout
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
from attendance_svc.organisation.spreadsheet import COLUMNS, field_problem, problem, read_rows
from attendance_svc.results.models import DayResult
from attendance_svc.results.service import recompute_people, recompute_stored
from attendance_svc.sites.service import check_holiday_calendar, check_site
from faceclock_common.db import conflict_on_duplicate
from faceclock_common.errors import Conflict, DomainError, Invalid, NotFound, Unreadable
from faceclock_common.throttle import Store


def _not_found(what: str) -> DomainError:
    return NotFound(f"{what}_not_found", f"No such {what.replace('_', ' ')}.")


# --- departments -------------------------------------------------------------------------------

def get_department(*, session: Session, department_id: int, scope: AccessScope) -> Department:
    department = session.get(Department, department_id)
    if department is None or not (scope.everything or scope.manages(department.id)):
        raise _not_found("department")
    return department


def list_departments(*, session: Session, scope: AccessScope, limit: int, offset: int,
                     site_id: int | None = None) -> tuple[list[Department], int]:
    query = select(Department)
    if not scope.everything:
        query = query.where(Department.id.in_(sorted(scope.department_ids)))
    if site_id is not None:
        query = query.where(Department.site_id == site_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Department.id).limit(limit).offset(offset)).all()
    return list(rows), total


def _department_code_taken(session: Session, code: str, exclude: int | None = None) -> bool:
    query = select(Department.id).where(Department.code == code)
    if exclude is not None:
        query = query.where(Department.id != exclude)
    return session.scalar(query) is not None


def create_department(*, session: Session, data: DepartmentCreate, actor: str) -> Department:
    check_site(session, data.site_id)
    check_holiday_calendar(session, data.holiday_calendar_id)
    if _department_code_taken(session, data.code):
        raise Conflict("duplicate_department_code", f"Department code {data.code!r} exists.")
    department = Department(**data.model_dump())
    with conflict_on_duplicate(session, "duplicate_department_code",
                               "That department code exists."):
        session.add(department)
    record(session, actor=actor, action="create", entity="department", entity_id=department.id,
           **data.model_dump())
    return department


def update_department(*, session: Session, department: Department,
                      data: DepartmentUpdate, actor: str, default_timezone: str) -> Department:
    changes = data.model_dump(exclude_unset=True)
    if "holiday_calendar_id" in changes:
        check_holiday_calendar(session, changes["holiday_calendar_id"])
    for field in ("code", "name"):
        if field in changes and changes[field] is None:
            raise Invalid("validation_error", f"{field}: may not be null")
    if "site_id" in changes:
        check_site(session, changes["site_id"])
    if "code" in changes and _department_code_taken(session, changes["code"], department.id):
        raise Conflict("duplicate_department_code", "That department code exists.")
    with conflict_on_duplicate(session, "duplicate_department_code",
                               "That department code exists."):
        for key, value in changes.items():
            setattr(department, key, value)
    record(session, actor=actor, action="update", entity="department", entity_id=department.id,
           changes=changes)
    if changes.keys() & {"site_id", "holiday_calendar_id"}:
        recompute_people(session, people=Employee.department_id == department.id,
                         default_timezone=default_timezone)
    return department


def delete_department(*, session: Session, department: Department, actor: str) -> None:
    record(session, actor=actor, action="delete", entity="department", entity_id=department.id,
           code=department.code, name=department.name)
    session.delete(department)


# --- employees ---------------------------------------------------------------------------------

def _check_department(session: Session, department_id: int | None) -> None:
    if department_id is not None and session.get(Department, department_id) is None:
        raise Invalid("unknown_department", f"Department {department_id} does not exist.")


def get_employee(*, session: Session, employee_id: int, scope: AccessScope) -> Employee:
    """The employee if the caller may see them; 404 otherwise (never reveal existence)."""
    employee = session.scalar(select(Employee).where(Employee.id == employee_id,
                                                     scope.employee_filter()))
    if employee is None:
        raise _not_found("employee")
    return employee


def list_employees(*, session: Session, scope: AccessScope, limit: int, offset: int,
                   department_id: int | None = None,
                   q: str | None = None, status: str | None = None,
                   ids: list[int] | None = None) -> tuple[list[Employee], int]:
    query = select(Employee).where(scope.employee_filter())
    if ids is not None:
        # Those of them the reader may see; the others are simply not in the answer.
        query = query.where(Employee.id.in_(ids))
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


def _duplicate_no(employee_no: str) -> DomainError:
    return Conflict("duplicate_employee_no", f"Employee number {employee_no!r} exists.")


def create_employee(*, session: Session, data: EmployeeCreate, actor: str) -> Employee:
    _check_department(session, data.department_id)
    check_site(session, data.site_id)
    if _employee_no_taken(session, data.employee_no):
        raise _duplicate_no(data.employee_no)
    employee = Employee(**data.model_dump())
    with conflict_on_duplicate(session, "duplicate_employee_no", "That employee number exists."):
        session.add(employee)
    record(session, actor=actor, action="create", entity="employee", entity_id=employee.id,
           employee_id=employee.id, employee_no=employee.employee_no)
    return employee


# Employee fields the rules read: changing one judges the stored days again.
RULE_FIELDS = frozenset({"timezone", "department_id", "site_id", "hired_on", "left_on",
                         "status"})


def update_employee(*, session: Session, employee: Employee, data: EmployeeUpdate,
                    actor: str, default_timezone: str) -> Employee:
    changes = data.model_dump(exclude_unset=True)
    for field in ("employee_no", "name", "status"):
        if field in changes and changes[field] is None:
            raise Invalid("validation_error", f"{field}: may not be null")
    if "department_id" in changes:
        _check_department(session, changes["department_id"])
    if "site_id" in changes:
        check_site(session, changes["site_id"])
    if "employee_no" in changes and _employee_no_taken(session, changes["employee_no"], employee.id):
        raise _duplicate_no(changes["employee_no"])
    with conflict_on_duplicate(session, "duplicate_employee_no", "That employee number exists."):
        for key, value in changes.items():
            setattr(employee, key, value)
    record(session, actor=actor, action="update", entity="employee", entity_id=employee.id,
           employee_id=employee.id, changes=changes)
    if changes.keys() & RULE_FIELDS:
        # A day result is a function of its current inputs: a new zone moves every window.
        recompute_stored(session, where=DayResult.employee_id == employee.id,
                         default_timezone=default_timezone)
    return employee


def delete_employee(*, session: Session, employee: Employee, actor: str) -> None:
    """Erases the person and, by cascade, their punches, requests and results (GDPR erasure).
    To keep the records of someone who left, set status to "left" instead. The audit entry
    keeps only the employee number, not the person's data."""
    record(session, actor=actor, action="delete", entity="employee", entity_id=employee.id,
           employee_no=employee.employee_no)
    session.delete(employee)


def set_pin(*, session: Session, employee: Employee, pin: str | None, actor: str,
            pin_lockout: Store) -> None:
    """Set (or with None clear) the kiosk PIN. Earlier failed tries of the number are forgotten:
    a new PIN ends a lockout."""
    lockout.forget_tries(pin_lockout, employee.employee_no)
    employee.pin_hash = hash_pin(pin) if pin is not None else None
    record(session, actor=actor, action="set_pin" if pin is not None else "clear_pin",
           entity="employee", entity_id=employee.id, employee_id=employee.id)


# --- import (CSV in UTF-8 or GBK, or .xlsx) -------------------------------------------------------

def import_employees(*, session: Session, content: bytes, actor: str,
                     update_existing: bool = False, default_timezone: str,
                     language: str = "en") -> EmployeeImportReport:
    """Create (or update) employees from a CSV or .xlsx with a header row (English or Chinese
    headers). Good rows are stored, bad rows reported with their line number; `department` is
    a department code."""
    header, lines = read_rows(content)
    if "employee_no" not in header or "name" not in header:
        raise Unreadable("bad_csv", "The header must name at least employee_no and name.")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise Unreadable("bad_csv", f"Unknown columns: {', '.join(unknown)}.")
    departments = {code: id_ for id_, code in session.execute(select(Department.id,
                                                                     Department.code))}
    existing = {no: id_ for id_, no in session.execute(select(Employee.id, Employee.employee_no))}
    seen: set[str] = set()
    updated = 0
    new_rows: list[Employee] = []
    rejudge: list[int] = []
    errors: list[ImportRowError] = []
    for line, row in lines:
        if row is None:
            errors.append(ImportRowError(row=line, employee_no=None,
                                         errors=[problem("extra_cells", language)]))
            continue
        problems: list[str] = []
        fields: dict[str, Any] = {k: v for k, v in row.items()
                                  if k in COLUMNS and v != "" and k != "department"}
        code = row.get("department", "")
        if code:
            if code in departments:
                fields["department_id"] = departments[code]
            else:
                problems.append(problem("unknown_department", language, code=code))
        number = row.get("employee_no", "")
        if number in seen:
            problems.append(problem("twice", language))
        elif number in existing and not update_existing:
            problems.append(problem("exists", language))
        try:
            if number in existing and update_existing:
                changes = EmployeeUpdate.model_validate(fields)
            else:
                new = EmployeeCreate.model_validate(fields)
        except ValidationError as exc:
            problems.extend(field_problem(dict(e), language) for e in exc.errors())
        if problems:
            errors.append(ImportRowError(row=line, employee_no=number or None, errors=problems))
            continue
        seen.add(number)
        if number in existing:
            employee = session.get(Employee, existing[number])
            assert employee is not None  # listed a moment ago in this transaction
            fields = changes.model_dump(exclude_unset=True)
            if any(getattr(employee, k) != v for k, v in fields.items() if k in RULE_FIELDS):
                rejudge.append(employee.id)
            for key, value in fields.items():
                setattr(employee, key, value)
            updated += 1
        else:
            new_rows.append(Employee(**new.model_dump()))
    with conflict_on_duplicate(session, "duplicate_employee_no",
                               "An employee number was taken meanwhile."):
        session.add_all(new_rows)
    created = len(new_rows)
    record(session, actor=actor, action="import", entity="employee", entity_id=None,
           created=created, updated=updated, failed=len(errors))
    if rejudge:  # a new zone, department or date moves their stored days (as with PATCH)
        recompute_stored(session, where=DayResult.employee_id.in_(rejudge),
                         default_timezone=default_timezone)
    return EmployeeImportReport(created=created, updated=updated, failed=len(errors),
                                errors=errors)
