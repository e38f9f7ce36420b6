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
    status: str  # on_time | late | early_leave | recorded | repeat (see repeat_of)
    period_index: int | None = None
    # Set when `at` only repeats a check-in already made in this period (someone lingering in
    # front of the kiosk): the moment of that check-in, which stands; no new punch is due.
    repeat_of: datetime | None = None


def assess_clock_in(at: datetime, earlier: Sequence[datetime], instances: Sequence[ShiftInstance],
                    tz: ZoneInfo, *, late_grace_minutes: int = 0,
                    early_leave_grace_minutes: int = 0) -> ClockAssessment:
    """`earlier`: the employee's punches before `at` (any order); `instances`: the shift instances
    that may contain `at` (yesterday's night shift and today's), empty when no shift applies.

    Inside a period's window the shift decides, not alternation: in its first half a punch is a
    check-in (or, when the person already checked in during this period, a repeat of that
    check-in); in its second half it is a check-out, unless the person has not checked in at
    all in this shift, which makes it a late check-in. Outside every window (or without a shift)
    the status is "recorded", alternating in/out within the local calendar day.
    """
    for instance in instances:
        period = instance.period_of(at)
        if period is None:
            continue
        in_period = sorted(p for p in earlier if period.window_start <= p < at)
        checked_in = sum(1 for p in earlier if instance.window_start <= p < at) % 2 == 1
        midpoint = period.start + (period.end - period.start) / 2
        if at < midpoint and in_period and checked_in:
            return ClockAssessment("in", "repeat", period.index, repeat_of=in_period[-1])
        if at < midpoint or not (in_period or checked_in):
            late = at > period.start + timedelta(minutes=late_grace_minutes)
            return ClockAssessment("in", "late" if late else "on_time", period.index)
        early = at < period.end - timedelta(minutes=early_leave_grace_minutes)
        return ClockAssessment("out", "early_leave" if early else "on_time", period.index)
    local_day = at.astimezone(tz).date()
    day_start = datetime.combine(local_day, time(0), tzinfo=tz).astimezone(UTC)
    before = sum(1 for p in earlier if day_start <= p < at)
    return ClockAssessment("in" if before % 2 == 0 else "out", "recorded")
