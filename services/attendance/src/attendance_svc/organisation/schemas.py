from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from attendance_svc.validation import Day, Id, check_email, check_timezone

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Email = Annotated[str, AfterValidator(check_email)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Notes = Annotated[str, StringConstraints(max_length=10_000)]
EmployeeStatus = Literal["active", "left"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DepartmentCreate(_In):
    code: Code
    name: Name
    manager_employee_id: Id | None = None
    description: Notes | None = None


class DepartmentUpdate(_In):
    code: Code | None = None
    name: Name | None = None
    manager_employee_id: Id | None = None
    description: Notes | None = None


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    manager_employee_id: int | None
    description: str | None
    created_at: datetime


class DepartmentPage(BaseModel):
    items: list[DepartmentRead]
    total: int


class EmployeeCreate(_In):
    employee_no: Code
    name: Name
    department_id: Id | None = None
    email: Email | None = None
    title: Short | None = None
    phone: Phone | None = None
    hired_on: Day | None = None
    status: EmployeeStatus = "active"
    timezone: TimeZone | None = None
    notes: Notes | None = None


class EmployeeUpdate(_In):
    employee_no: Code | None = None
    name: Name | None = None
    department_id: Id | None = None
    email: Email | None = None
    title: Short | None = None
    phone: Phone | None = None
    hired_on: Day | None = None
    status: EmployeeStatus | None = None
    timezone: TimeZone | None = None
    notes: Notes | None = None


class EmployeeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_no: str
    name: str
    department_id: int | None
    email: str | None
    title: str | None
    phone: str | None
    hired_on: date | None
    status: str
    timezone: str | None
    notes: str | None
    has_pin: bool = Field(description="whether a kiosk PIN is set (the PIN itself is never shown)")
    created_at: datetime
    updated_at: datetime


class PinSet(_In):
    pin: Annotated[str, StringConstraints(pattern=r"^[0-9]{4,8}$")] = Field(
        description="4 to 8 digits", json_schema_extra={"writeOnly": True})


class EmployeePage(BaseModel):
    items: list[EmployeeRead]
    total: int


class ImportRowError(BaseModel):
    row: int = Field(description="line number in the file, the header being line 1")
    employee_no: str | None
    errors: list[str]


class EmployeeImportReport(BaseModel):
    created: int
    updated: int
    failed: int
    errors: list[ImportRowError]
