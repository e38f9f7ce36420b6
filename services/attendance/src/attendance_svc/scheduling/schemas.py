from __future__ import annotations

import datetime as dt
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from attendance_svc.rules import PeriodSpec, ShiftSpec, shift_instance
from attendance_svc.scheduling.calendar import parse_hhmm
from attendance_svc.validation import Day, Id, check_timezone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("expected a time as HH:MM (00:00 to 23:59)")
    return value


HHMM = Annotated[str, AfterValidator(_hhmm)]
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Weekday = Annotated[int, Field(ge=1, le=7)]


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: HHMM
    end: HHMM

    @model_validator(mode="after")
    def _not_empty(self) -> PeriodIn:
        if self.start == self.end:
            raise ValueError("a period must not start and end at the same time")
        return self


def check_periods(periods: list[PeriodIn]) -> None:
    """Laid out one after the other, the periods must fit within 24 hours."""
    spec = ShiftSpec(periods=tuple(PeriodSpec(parse_hhmm(p.start), parse_hhmm(p.end))
                                   for p in periods))
    instance = shift_instance(spec, date(2026, 1, 5), ZoneInfo("UTC"))
    if instance.periods[-1].end - instance.periods[0].start > timedelta(hours=24):
        raise ValueError("the periods span more than 24 hours")


class ShiftCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    periods: Annotated[list[PeriodIn], Field(min_length=1, max_length=6)]
    early_checkin_minutes: Minutes = 60
    late_grace_minutes: Minutes = 0
    absent_after_late_minutes: Minutes = 120
    early_leave_grace_minutes: Minutes = 0
    absent_if_early_minutes: Minutes = 120
    checkout_until_minutes: Minutes = 240
    half_day_hours: Annotated[float, Field(gt=0, le=24)] | None = None
    workdays: Annotated[list[Weekday], Field(min_length=0, max_length=7)] = [1, 2, 3, 4, 5]
    timezone: TimeZone | None = None
    is_default: bool = False

    @model_validator(mode="after")
    def _fits(self) -> ShiftCreate:
        check_periods(self.periods)
        self.workdays = sorted(set(self.workdays))
        return self


class ShiftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    periods: Annotated[list[PeriodIn], Field(min_length=1, max_length=6)] | None = None
    early_checkin_minutes: Minutes | None = None
    late_grace_minutes: Minutes | None = None
    absent_after_late_minutes: Minutes | None = None
    early_leave_grace_minutes: Minutes | None = None
    absent_if_early_minutes: Minutes | None = None
    checkout_until_minutes: Minutes | None = None
    half_day_hours: Annotated[float, Field(gt=0, le=24)] | None = None
    workdays: Annotated[list[Weekday], Field(max_length=7)] | None = None
    timezone: TimeZone | None = None
    is_default: bool | None = None

    @model_validator(mode="after")
    def _fits(self) -> ShiftUpdate:
        if self.periods is not None:
            check_periods(self.periods)
        if self.workdays is not None:
            self.workdays = sorted(set(self.workdays))
        return self


class ShiftRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    periods: list[dict[str, Any]]
    early_checkin_minutes: int
    late_grace_minutes: int
    absent_after_late_minutes: int
    early_leave_grace_minutes: int
    absent_if_early_minutes: int
    checkout_until_minutes: int
    half_day_hours: float | None
    workdays: list[int]
    timezone: str | None
    is_default: bool
    updated_at: datetime


class ShiftPage(BaseModel):
    items: list[ShiftRead]
    total: int


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    employee_id: Id | None = None
    department_id: Id | None = None
    shift_id: Id
    from_date: Day = Field(alias="from")
    to_date: Day | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _target(self) -> AssignmentCreate:
        if (self.employee_id is None) == (self.department_id is None):
            raise ValueError("give exactly one of employee_id and department_id")
        if self.to_date is not None and self.to_date < self.from_date:
            raise ValueError("to is before from")
        return self


class AssignmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    shift_id: Id | None = None
    from_date: Day | None = Field(default=None, alias="from")
    to_date: Day | None = Field(default=None, alias="to")


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True,
                              serialize_by_alias=True)

    id: int
    employee_id: int | None
    department_id: int | None
    shift_id: int
    from_date: date = Field(serialization_alias="from")
    to_date: date | None = Field(serialization_alias="to")
    created_at: datetime


class AssignmentPage(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    items: list[AssignmentRead]
    total: int


class HolidayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: Day
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class HolidayUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: Day | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=200)] | None = None


class HolidayRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    date: dt.date
    name: str


class HolidayPage(BaseModel):
    items: list[HolidayRead]
    total: int

