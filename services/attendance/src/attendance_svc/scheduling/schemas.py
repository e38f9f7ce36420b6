from __future__ import annotations

import datetime as dt
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, cast
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
from attendance_svc.rules.model import DEFAULT_SHIFT
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



def check_periods(periods: list[PeriodIn]) -> None:
    """Laid out one after the other, the periods must fit within 24 hours; a period that ends
    when it starts is 24 hours long and must be the only one."""
    if len(periods) > 1 and any(p.start == p.end for p in periods):
        raise ValueError("a 24-hour period (end = start) must be the shift's only period")
    if not periods:
        return
    spec = ShiftSpec(periods=tuple(PeriodSpec(parse_hhmm(p.start), parse_hhmm(p.end))
                                   for p in periods))
    instance = shift_instance(spec, date(2026, 1, 5), ZoneInfo("UTC"))
    if instance.periods[-1].end - instance.periods[0].start > timedelta(hours=24):
        raise ValueError("the periods span more than 24 hours")


PunchPolicy = Literal["first_last", "every_period"]
WorkedTime = Literal["first_last", "pairs"]
Hours = Annotated[float, Field(gt=0, le=24)]


class _RuleFields(BaseModel):
    """The parameters of RULES.md v2 shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    punch_policy: PunchPolicy | None = None
    worked_time: WorkedTime | None = None
    absent_below_hours: Hours | None = None
    auto_checkout: bool | None = None
    overtime_min_minutes: Minutes | None = None
    overtime_rounding_minutes: Minutes | None = None
    overtime_without_approval: bool | None = None
    work_on_holidays: bool | None = None
    flexible: bool | None = None
    required_hours: Hours | None = None


def _check_flexible(periods: list[PeriodIn] | None, flexible: bool | None,
                    required_hours: float | None) -> None:
    if flexible and not required_hours:
        raise ValueError("a flexible shift needs required_hours")
    if not flexible and periods is not None and not periods:
        raise ValueError("periods: a shift that is not flexible needs at least one period")


class ShiftCreate(_RuleFields):
    name: Name
    # Empty only for a flexible shift without core hours.
    periods: Annotated[list[PeriodIn], Field(min_length=0, max_length=6)]
    early_checkin_minutes: Minutes = DEFAULT_SHIFT.early_checkin_minutes
    late_grace_minutes: Minutes = DEFAULT_SHIFT.late_grace_minutes
    absent_after_late_minutes: Minutes = DEFAULT_SHIFT.absent_after_late_minutes
    early_leave_grace_minutes: Minutes = DEFAULT_SHIFT.early_leave_grace_minutes
    absent_if_early_minutes: Minutes = DEFAULT_SHIFT.absent_if_early_minutes
    checkout_until_minutes: Minutes = DEFAULT_SHIFT.checkout_until_minutes
    half_day_hours: Annotated[float, Field(gt=0, le=24)] | None = DEFAULT_SHIFT.half_day_hours
    workdays: Annotated[list[Weekday], Field(min_length=0, max_length=7)] = sorted(
        DEFAULT_SHIFT.workdays)
    timezone: TimeZone | None = None
    is_default: bool = False

    # The rules engine's defaults (rules.model.ShiftSpec), one place for every shift default.
    punch_policy: PunchPolicy = cast(PunchPolicy, DEFAULT_SHIFT.punch_policy)
    worked_time: WorkedTime = cast(WorkedTime, DEFAULT_SHIFT.worked_time)
    auto_checkout: bool = DEFAULT_SHIFT.auto_checkout
    overtime_min_minutes: Minutes = DEFAULT_SHIFT.overtime_min_minutes
    overtime_rounding_minutes: Minutes = DEFAULT_SHIFT.overtime_rounding_minutes
    overtime_without_approval: bool = DEFAULT_SHIFT.overtime_without_approval
    work_on_holidays: bool = DEFAULT_SHIFT.work_on_holidays
    flexible: bool = DEFAULT_SHIFT.flexible

    @model_validator(mode="after")
    def _fits(self) -> ShiftCreate:
        check_periods(self.periods)
        _check_flexible(self.periods, self.flexible, self.required_hours)
        self.workdays = sorted(set(self.workdays))
        return self


class ShiftUpdate(_RuleFields):
    name: Name | None = None
    periods: Annotated[list[PeriodIn], Field(min_length=0, max_length=6)] | None = None
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
            if not self.periods and self.flexible is None:
                raise ValueError("periods: empty only with flexible: true")
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
    absent_below_hours: float | None
    punch_policy: str
    worked_time: str
    auto_checkout: bool
    overtime_min_minutes: int
    overtime_rounding_minutes: int
    overtime_without_approval: bool
    work_on_holidays: bool
    flexible: bool
    required_hours: float | None
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
    shift_id: Id | None = None
    roster_id: Id | None = Field(None, description="a roster instead of a shift")
    from_date: Day = Field(alias="from")
    to_date: Day | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _target(self) -> AssignmentCreate:
        if (self.employee_id is None) == (self.department_id is None):
            raise ValueError("give exactly one of employee_id and department_id")
        if (self.shift_id is None) == (self.roster_id is None):
            raise ValueError("give exactly one of shift_id and roster_id")
        if self.to_date is not None and self.to_date < self.from_date:
            raise ValueError("to is before from")
        return self


class BulkAssignmentCreate(BaseModel):
    """One shift or roster for many employees at once: all are assigned, or none."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    employee_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]
    shift_id: Id | None = None
    roster_id: Id | None = Field(None, description="a roster instead of a shift")
    from_date: Day = Field(alias="from")
    to_date: Day | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _target(self) -> BulkAssignmentCreate:
        if len(set(self.employee_ids)) != len(self.employee_ids):
            raise ValueError("an employee is listed twice")
        if (self.shift_id is None) == (self.roster_id is None):
            raise ValueError("give exactly one of shift_id and roster_id")
        if self.to_date is not None and self.to_date < self.from_date:
            raise ValueError("to is before from")
        return self


class AssignmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    shift_id: Id | None = None
    roster_id: Id | None = None
    from_date: Day | None = Field(default=None, alias="from")
    to_date: Day | None = Field(default=None, alias="to")


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True,
                              serialize_by_alias=True)

    id: int
    employee_id: int | None
    department_id: int | None
    shift_id: int | None
    roster_id: int | None
    from_date: date = Field(serialization_alias="from")
    to_date: date | None = Field(serialization_alias="to")
    created_at: datetime
    # Filled in lists, for reading (ids mean nothing to a person).
    employee_name: str | None = None
    department_name: str | None = None
    shift_name: str | None = None


class AssignmentPage(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    items: list[AssignmentRead]
    total: int


class HolidayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: Day
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    calendar_id: Id | None = Field(None, description="null: the organisation-wide calendar")


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
    calendar_id: int | None


class HolidayPage(BaseModel):
    items: list[HolidayRead]
    total: int



class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name


class CalendarRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class CalendarPage(BaseModel):
    items: list[CalendarRead]
    total: int


Pattern = Annotated[list[Id | None], Field(min_length=1, max_length=366, description=(
    "the shift of each day of the cycle (null: a rest day); 7 x N entries for an N-week "
    "pattern"))]


class RosterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    anchor_date: Day = Field(description="the date the cycle's first day falls on")
    pattern: Pattern


class RosterUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    anchor_date: Day | None = None
    pattern: Pattern | None = None


class RosterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    anchor_date: date
    pattern: list[int | None]
    updated_at: datetime


class RosterPage(BaseModel):
    items: list[RosterRead]
    total: int


class RosterPreviewIn(BaseModel):
    """A pattern laid on the calendar (saved or not: the roster editor previews as you type)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    anchor_date: Day
    pattern: Pattern
    from_date: Day = Field(alias="from")
    to_date: Day = Field(alias="to")

    @model_validator(mode="after")
    def _range(self) -> RosterPreviewIn:
        if self.to_date < self.from_date:
            raise ValueError("to is before from")
        if (self.to_date - self.from_date).days >= 366:
            raise ValueError("a preview covers at most 366 days")
        return self


class RosterDay(BaseModel):
    date: date
    position: int = Field(description="the day of the cycle, from 1")
    shift_id: int | None
    shift_name: str | None = Field(description="null: a rest day")


class RosterPreview(BaseModel):
    items: list[RosterDay]
    total: int
