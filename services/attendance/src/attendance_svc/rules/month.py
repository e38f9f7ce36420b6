"""Per employee and month: the counts of RULES.md "Month"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

PRESENT = frozenset({"present", "late", "early_leave", "late_and_early_leave"})
LATE = frozenset({"late", "late_and_early_leave"})
EARLY = frozenset({"early_leave", "late_and_early_leave"})


@dataclass(frozen=True)
class DayFigures:
    """The stored part of a day result that the month needs."""

    status: str
    worked_minutes: int = 0
    overtime_minutes: int = 0
    leave_minutes: int = 0
    business_trip_minutes: int = 0
    scheduled_minutes: int = 0
    missing_checkouts: int = 0
    leave_by_type: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthSummary:
    days_present: float
    days_absent: float
    half_days: int
    late_count: int
    early_leave_count: int
    leave_days: int
    leave_hours: float
    leave_hours_by_type: dict[str, float]
    business_trip_days: float
    holidays: int
    overtime_hours: float
    worked_hours: float
    missing_checkouts: int
    days_counted: int


@dataclass
class MonthTotals:
    """The running sums behind a MonthSummary: added to day by day (days judged on the fly) or
    filled from one aggregate query over the stored days (results.reports)."""

    present: float = 0.0
    absent: float = 0.0
    trip: float = 0.0
    half: int = 0
    late: int = 0
    early: int = 0
    leave_days: int = 0
    holidays: int = 0
    missing: int = 0
    counted: int = 0
    worked: int = 0
    overtime: int = 0
    leave: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def add(self, day: DayFigures) -> None:
        """A half day counts half present and half absent; a business trip day is the share of
        the scheduled time the trip covered."""
        status = day.status
        if status == "not_employed":
            return  # before the hire date or after the leaving date: neither present nor absent
        self.counted += 1
        if status in PRESENT:
            self.present += 1
        elif status == "absent":
            self.absent += 1
        elif status == "half_day":
            self.half += 1
            self.present += 0.5
            self.absent += 0.5
        elif status == "leave":
            self.leave_days += 1
        elif status == "holiday":
            self.holidays += 1
        if status in LATE:
            self.late += 1
        if status in EARLY:
            self.early += 1
        if day.business_trip_minutes and day.scheduled_minutes:
            self.trip += min(1.0, day.business_trip_minutes / day.scheduled_minutes)
        self.worked += day.worked_minutes
        self.overtime += day.overtime_minutes
        self.leave += day.leave_minutes
        self.missing += day.missing_checkouts
        self.add_leave_types(day.leave_by_type)

    def add_leave_types(self, by_type: dict[str, int]) -> None:
        for kind, minutes in by_type.items():
            self.by_type[kind] = self.by_type.get(kind, 0) + int(minutes)

    def summary(self) -> MonthSummary:
        return MonthSummary(
            days_present=self.present, days_absent=self.absent, half_days=self.half,
            late_count=self.late, early_leave_count=self.early, leave_days=self.leave_days,
            leave_hours=round(self.leave / 60, 2),
            leave_hours_by_type={k: round(v / 60, 2) for k, v in sorted(self.by_type.items())},
            business_trip_days=round(self.trip, 2), holidays=self.holidays,
            overtime_hours=round(self.overtime / 60, 2), worked_hours=round(self.worked / 60, 2),
            missing_checkouts=self.missing, days_counted=self.counted,
        )


def summarise_month(days: Iterable[DayFigures]) -> MonthSummary:
    totals = MonthTotals()
    for day in days:
        totals.add(day)
    return totals.summary()
