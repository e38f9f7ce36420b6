"""Value types of the rules engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from datetime import date as _date  # DayInput's field `date` shadows the type inside classes
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from attendance_svc.rules.shift import ShiftInstance

# Day statuses in the order RULES.md checks them: not_employed, holiday, leave, business_trip,
# absent, half_day, late, early_leave, late_and_early_leave, present; and "pending" for a day
# judged while it is under way. Periods: present, late, early_leave, late_and_early_leave,
# absent, leave, business_trip, pending.

PUNCH_POLICIES = ("first_last", "every_period")
WORKED_TIMES = ("first_last", "pairs")


@dataclass(frozen=True)
class PeriodSpec:
    """A work period in wall-clock time; an end before the start crosses midnight, an end equal
    to the start makes a 24-hour period."""

    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class ShiftSpec:
    periods: tuple[PeriodSpec, ...]
    early_checkin_minutes: int = 60
    late_grace_minutes: int = 0
    absent_after_late_minutes: int = 120
    early_leave_grace_minutes: int = 0
    absent_if_early_minutes: int = 120
    checkout_until_minutes: int = 240
    half_day_hours: float | None = None
    absent_below_hours: float | None = None
    # ISO weekdays (1 = Monday) on which the shift is worked; the others are rest days.
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    name: str = ""
    punch_policy: str = "first_last"
    worked_time: str = "first_last"
    # A lone check-in is closed at the end of its period (flagged as automatic).
    auto_checkout: bool = False
    overtime_min_minutes: int = 0
    overtime_rounding_minutes: int = 0
    overtime_without_approval: bool = False
    # Holidays are judged as ordinary working days for this shift.
    work_on_holidays: bool = False
    # Flexible: `periods` are the optional core hours; the day needs `required_hours` of work
    # anywhere in the local calendar day.
    flexible: bool = False
    required_hours: float | None = None

    def __post_init__(self) -> None:
        if not self.periods and not self.flexible:
            raise ValueError("a shift needs at least one period")
        if self.flexible and not self.required_hours:
            raise ValueError("a flexible shift needs required_hours")
        if self.punch_policy not in PUNCH_POLICIES:
            raise ValueError(f"punch_policy must be one of {PUNCH_POLICIES}")
        if self.worked_time not in WORKED_TIMES:
            raise ValueError(f"worked_time must be one of {WORKED_TIMES}")


DEFAULT_SHIFT = ShiftSpec(
    periods=(PeriodSpec(time(8), time(12)), PeriodSpec(time(14), time(18))), name="Office day"
)


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("interval bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("interval ends before it starts")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and self.end > start


@dataclass(frozen=True)
class Absence:
    """An approved leave or business trip over [start, end).

    A request made in days also carries its attendance dates: it then covers the shift
    instances DATED on those days (a night worker's day of leave is the night starting on it),
    whatever their clock times; `half` ("first" or "second") covers half of a one-day request's
    instance."""

    start: datetime
    end: datetime
    kind: str = "leave"  # leave | business_trip
    leave_type: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    half: str | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and self.end > start

    def covers_date(self, day: date) -> bool:
        return (self.first_day is not None and self.last_day is not None
                and self.first_day <= day <= self.last_day)


# Inputs and results are created hundreds of thousands of times for a month of a large
# organisation: plain slotted dataclasses build about four times faster than frozen ones.
@dataclass(slots=True)
class DayInput:
    """One employee's attendance date. `punches` may hold the punches of the days around it:
    the rules pick the ones that belong to this day (RULES.md "Which punch belongs to which
    day"), which needs the schedule of the neighbouring days: `previous` and `next` (see
    `rules.plan`). Left out, the neighbours are laid out with the same shift (no holidays)."""

    date: date
    tz: ZoneInfo
    shift: ShiftSpec | None
    punches: tuple[datetime, ...] = ()
    holiday_name: str | None = None
    absences: tuple[Absence, ...] = ()
    overtime: tuple[Interval, ...] = ()
    # When given, a period whose window is still open at this moment and has no punch yet is
    # "pending" rather than absent (a day judged while it is under way).
    as_of: datetime | None = None
    # A roster's verdict: True worked, False rest day; None: the shift's workdays decide.
    scheduled: bool | None = None
    hired_on: _date | None = None
    left_on: _date | None = None
    previous: DayPlan | None = None
    next: DayPlan | None = None
    # How the schedule was found (a roster's day), for the explanation.
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What the timeline looks like on one date for one employee: the shift instance worked that
    day (None on a rest day or holiday) and where the day's own punches begin: an instance's
    window start; on a rest day local midnight, or later where the previous day's instance still
    accepts check-outs."""

    date: _date
    midnight: datetime
    next_midnight: datetime
    instance: ShiftInstance | None
    own_start: datetime


@dataclass(slots=True)
class PeriodResult:
    index: int
    start: datetime
    end: datetime
    status: str
    late_minutes: int = 0
    early_leave_minutes: int = 0
    worked_minutes: int = 0
    missing_checkout: bool = False
    first_in: datetime | None = None
    last_out: datetime | None = None
    leave_type: str | None = None
    explanation: str = ""
    auto_checkout: bool = False
    leave_minutes: int | None = None  # None: the whole period (a half-day leave covers less)

    @property
    def scheduled_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(slots=True)
class DayResult:
    date: date
    status: str
    scheduled_minutes: int = 0
    late_minutes: int = 0
    early_leave_minutes: int = 0
    worked_minutes: int = 0
    overtime_minutes: int = 0
    leave_minutes: int = 0
    business_trip_minutes: int = 0
    missing_checkouts: int = 0
    leave_by_type: dict[str, int] = field(default_factory=dict)
    periods: tuple[PeriodResult, ...] = ()
    explanation: tuple[str, ...] = ()
    # The punches this day used: each punch belongs to exactly one day.
    punches: tuple[datetime, ...] = ()

    @property
    def explanation_text(self) -> str:
        return "; ".join(self.explanation)
