from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

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
    site_id: Id | None = None
    holiday_calendar_id: Id | None = Field(
        None, description="the department's holidays (unless the employee's site has a calendar)")
    description: Notes | None = None


class DepartmentUpdate(_In):
    code: Code | None = None
    name: Name | None = None
    manager_employee_id: Id | None = None
    site_id: Id | None = None
    holiday_calendar_id: Id | None = None
    description: Notes | None = None


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    manager_employee_id: int | None
    site_id: int | None
    holiday_calendar_id: int | None
    description: str | None
    created_at: datetime


class DepartmentPage(BaseModel):
    items: list[DepartmentRead]
    total: int


class EmployeeCreate(_In):
    employee_no: Code
    name: Name
    department_id: Id | None = None
    site_id: Id | None = None
    email: Email | None = None
    title: Short | None = None
    phone: Phone | None = None
    hired_on: Day | None = None
    left_on: Day | None = Field(None, description="the last day employed")
    status: EmployeeStatus = "active"
    timezone: TimeZone | None = None
    notes: Notes | None = None


class EmployeeUpdate(_In):
    employee_no: Code | None = None
    name: Name | None = None
    department_id: Id | None = None
    site_id: Id | None = None
    email: Email | None = None
    title: Short | None = None
    phone: Phone | None = None
    hired_on: Day | None = None
    left_on: Day | None = None
    status: EmployeeStatus | None = None
    timezone: TimeZone | None = None
    notes: Notes | None = None


class EmployeeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_no: str
    name: str
    department_id: int | None
    site_id: int | None
    email: str | None
    title: str | None
    phone: str | None
    hired_on: date | None
    left_on: date | None
    status: str
    timezone: str | None
    notes: str | None
    has_pin: bool = Field(description="whether a kiosk PIN is set (the PIN itself is never shown)")
    created_at: datetime
    updated_at: datetime


def guessable_pin(pin: str) -> bool:
    """The PINs tried first: one digit repeated (1111), a run up or down (1234, 9876), or a
    pair repeated (1212)."""
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(pin)}
    return len(set(pin)) == 1 or steps in ({1}, {9}) or pin == pin[:2] * (len(pin) // 2)


class PinSet(_In):
    pin: str = Field(
        description="4 to 8 digits, not one repeated, a run (1234, 4321) or a repeated pair (1212)",
        json_schema_extra={"writeOnly": True, "pattern": "^[0-9]{4,8}$"})

    @field_validator("pin")
    @classmethod
    def _strong_enough(cls, pin: str) -> str:
        # Own error types, so that the reader gets the rule in their language (faceclock_common
        # .i18n), not "not in the expected form".
        if not (4 <= len(pin) <= 8 and pin.isascii() and pin.isdigit()):
            raise PydanticCustomError("pin_format", "a PIN is 4 to 8 digits")
        if guessable_pin(pin):
            raise PydanticCustomError("weak_pin", "too easy to guess")
        return pin


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
