"""What a live clock-in means at the moment it happens: in or out, on time, late or early."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attendance_svc.rules.shift import ShiftInstance


@dataclass(frozen=True)
class ClockAssessment:
    kind: str  # in | out
    status: str  # on_time | late | early_leave | recorded
    period_index: int | None = None


def assess_clock_in(at: datetime, earlier: Sequence[datetime], instances: Sequence[ShiftInstance],
                    tz: ZoneInfo, *, late_grace_minutes: int = 0,
                    early_leave_grace_minutes: int = 0) -> ClockAssessment:
    """`earlier`: the employee's punches before `at` (any order); `instances`: the shift instances
    that may contain `at` (yesterday's night shift and today's), empty when no shift applies.

    The first punch in a period's window is a check-in, the next a check-out, and so on.
    Outside every window (or without a shift) the status is "recorded", alternating in/out
    within the local calendar day.
    """
    for instance in instances:
        period = instance.period_of(at)
        if period is None:
            continue
        before = sum(1 for p in earlier if period.window_start <= p < at)
        if before % 2 == 0:
            late = at > period.start + timedelta(minutes=late_grace_minutes)
            return ClockAssessment("in", "late" if late else "on_time", period.index)
        early = at < period.end - timedelta(minutes=early_leave_grace_minutes)
        return ClockAssessment("out", "early_leave" if early else "on_time", period.index)
    local_day = at.astimezone(tz).date()
    day_start = datetime.combine(local_day, time(0), tzinfo=tz).astimezone(UTC)
    before = sum(1 for p in earlier if day_start <= p < at)
    return ClockAssessment("in" if before % 2 == 0 else "out", "recorded")
