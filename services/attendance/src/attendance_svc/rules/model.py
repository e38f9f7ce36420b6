"""Value types of the rules engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

# Day statuses in the order RULES.md checks them: holiday, leave, business_trip, absent,
# half_day, late, early_leave, late_and_early_leave, present; and "pending" for a day
# judged while it is under way. Periods: present, late, early_leave, late_and_early_leave,
# absent, leave, business_trip, pending.


@dataclass(frozen=True)
class PeriodSpec:
    """A work period in wall-clock time; an end at or before the start crosses midnight."""

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
    # ISO weekdays (1 = Monday) on which the shift is worked; the others are rest days.
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    name: str = ""

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("a shift needs at least one period")


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
    """An approved leave or business trip over [start, end)."""

    start: datetime
    end: datetime
    kind: str = "leave"  # leave | business_trip
    leave_type: str | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and self.end > start


# Inputs and results are created hundreds of thousands of times for a month of a large
# organisation: plain slotted dataclasses build about four times faster than frozen ones.
@dataclass(slots=True)
class DayInput:
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

    @property
    def explanation_text(self) -> str:
        return "; ".join(self.explanation)
