"""Per employee and month: the counts of RULES.md "Month"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

PRESENT = frozenset({"present", "late", "early_leave", "late_and_early_leave"})


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


def summarise_month(days: Iterable[DayFigures]) -> MonthSummary:
    """A half day counts half present and half absent; a business trip day is the share of the
    scheduled time the trip covered."""
    present = absent = trip = 0.0
    half = late = early = leave_days = holidays = missing = counted = 0
    worked = overtime = leave = 0
    by_type: dict[str, int] = {}
    for day in days:
        counted += 1
        status = day.status
        if status in PRESENT:
            present += 1
        elif status == "absent":
            absent += 1
        elif status == "half_day":
            half += 1
            present += 0.5
            absent += 0.5
        elif status == "leave":
            leave_days += 1
        elif status == "holiday":
            holidays += 1
        if status in ("late", "late_and_early_leave"):
            late += 1
        if status in ("early_leave", "late_and_early_leave"):
            early += 1
        if day.business_trip_minutes and day.scheduled_minutes:
            trip += min(1.0, day.business_trip_minutes / day.scheduled_minutes)
        worked += day.worked_minutes
        overtime += day.overtime_minutes
        leave += day.leave_minutes
        missing += day.missing_checkouts
        for kind, minutes in day.leave_by_type.items():
            by_type[kind] = by_type.get(kind, 0) + int(minutes)
    return MonthSummary(
        days_present=present, days_absent=absent, half_days=half, late_count=late,
        early_leave_count=early, leave_days=leave_days, leave_hours=round(leave / 60, 2),
        leave_hours_by_type={k: round(v / 60, 2) for k, v in sorted(by_type.items())},
        business_trip_days=round(trip, 2), holidays=holidays,
        overtime_hours=round(overtime / 60, 2), worked_hours=round(worked / 60, 2),
        missing_checkouts=missing, days_counted=counted,
    )
