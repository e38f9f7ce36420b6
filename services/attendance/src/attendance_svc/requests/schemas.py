from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from attendance_svc.validation import Day, Id, check_day
from attendance_svc.validation import Moment as AtMoment

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
LeaveType = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                             pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _moment(value: str) -> str:
    """A date ("2026-03-02": the whole day) or a date-time, with or without an offset (without:
    the employee's local time)."""
    value = value.strip()
    if not _MOMENT.match(value):
        raise ValueError("expected a date (YYYY-MM-DD) or an ISO 8601 date-time")
    try:
        if len(value) == 10:
            check_day(dt.date.fromisoformat(value))
        else:
            check_day(dt.datetime.fromisoformat(value).date())
    except ValueError as exc:
        raise ValueError(f"not a valid date or date-time: {exc}") from exc
    return value


def _clock_or_moment(value: str) -> str:
    value = value.strip()
    if _HHMM.match(value):
        return value
    return _moment(value)


Moment = Annotated[str, AfterValidator(_moment)]
ClockOrMoment = Annotated[str, AfterValidator(_clock_or_moment)]
Status = Literal["pending", "approved", "rejected", "withdrawn"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionIn(_In):
    note: Note | None = None


class _DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    reason: str | None
    created_by: str
    created_at: dt.datetime
    decided_by: str | None
    decided_by_name: str | None = None
    employee_name: str | None = None
    decided_at: dt.datetime | None
    decision_note: str | None


class LeaveCreate(_In):
    employee_id: Id | None = Field(None, description="defaults to the caller's own employee")
    kind: Literal["leave", "business_trip"] = "leave"
    leave_type: LeaveType | None = None
    start: Moment
    end: Moment
    half: Literal["first", "second"] | None = Field(
        None, description="half of a one-day request: the first or second half of that day's "
                          "shift")
    reason: Reason | None = None

    @model_validator(mode="after")
    def _type(self) -> LeaveCreate:
        if self.kind == "leave" and self.leave_type is None:
            self.leave_type = "annual"
        if self.kind == "business_trip":
            self.leave_type = None
        return self


class LeaveUpdate(_In):
    leave_type: LeaveType | None = None
    start: Moment | None = None
    end: Moment | None = None
    half: Literal["first", "second"] | None = None
    reason: Reason | None = None


class LeaveRead(_DecisionOut):
    id: int
    employee_id: int
    kind: str
    leave_type: str | None
    start: str = Field(validation_alias="start_text")
    end: str = Field(validation_alias="end_text")
    start_at: dt.datetime
    end_at: dt.datetime
    half: str | None
    days: float = Field(description="shift instances covered (a half day is 0.5); 0 for a "
                                    "request in hours")
    hours: float


class LeavePage(BaseModel):
    items: list[LeaveRead]
    total: int


class OvertimeCreate(_In):
    employee_id: Id | None = None
    date: Day
    start: ClockOrMoment = Field(description="HH:MM on `date` (local), or a date-time")
    end: ClockOrMoment | None = Field(None, description="HH:MM (next day if before start), "
                                                        "or a date-time; else give hours")
    hours: Annotated[float, Field(gt=0, le=24)] | None = None
    reason: Reason | None = None

    @model_validator(mode="after")
    def _end_or_hours(self) -> OvertimeCreate:
        if (self.end is None) == (self.hours is None):
            raise ValueError("give exactly one of end and hours")
        return self


class OvertimeUpdate(_In):
    date: Day | None = None
    start: ClockOrMoment | None = None
    end: ClockOrMoment | None = None
    hours: Annotated[float, Field(gt=0, le=24)] | None = None
    reason: Reason | None = None


class OvertimeRead(_DecisionOut):
    id: int
    employee_id: int
    date: dt.date
    start: str = Field(validation_alias="start_text")
    end: str | None = Field(validation_alias="end_text")
    start_at: dt.datetime
    end_at: dt.datetime
    hours: float


class OvertimePage(BaseModel):
    items: list[OvertimeRead]
    total: int


class CorrectionCreate(_In):
    employee_id: Id | None = None
    at: AtMoment
    kind: Literal["in", "out"]
    reason: Reason | None = None


class CorrectionUpdate(_In):
    at: AtMoment | None = None
    kind: Literal["in", "out"] | None = None
    reason: Reason | None = None


class CorrectionRead(_DecisionOut):
    id: int
    employee_id: int
    at: dt.datetime
    kind: str
    punch_id: int | None


class CorrectionPage(BaseModel):
    items: list[CorrectionRead]
    total: int


class BalanceSet(_In):
    """The yearly allocation of a leave type: in days (half days allowed) or in hours."""

    employee_id: Id
    year: Annotated[int, Field(ge=1900, le=2200)]
    leave_type: LeaveType
    entitled_days: Annotated[float, Field(ge=0, le=366, multiple_of=0.5)] | None = None
    entitled_hours: Annotated[float, Field(ge=0, le=10_000)] | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> BalanceSet:
        if (self.entitled_days is None) == (self.entitled_hours is None):
            raise ValueError("give exactly one of entitled_days and entitled_hours")
        return self


class BalanceRead(BaseModel):
    employee_id: int
    year: int
    leave_type: str
    entitled_days: float | None
    used_days: float
    pending_days: float
    remaining_days: float | None
    entitled_hours: float | None
    used_hours: float
    pending_hours: float
    remaining_hours: float | None


class LeavePreview(BaseModel):
    days: float = Field(description="what the request would cost (a half day is 0.5)")
    hours: float
    balance: BalanceRead | None = Field(
        None, description="the leave type's balance in the request's year, before it")


class LeaveTypeIn(_In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    allow_hours: bool = False
    allow_half_days: bool = True
    allow_negative: bool = False


class LeaveTypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    allow_hours: bool
    allow_half_days: bool
    allow_negative: bool


class LeaveTypePage(BaseModel):
    items: list[LeaveTypeRead]
    total: int


class BalancePage(BaseModel):
    items: list[BalanceRead]
    total: int
