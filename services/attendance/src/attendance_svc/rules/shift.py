"""Shift instances: a shift laid on a calendar date in a timezone, with the punch windows; and
day plans, which say which stretch of the timeline belongs to which attendance date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attendance_svc.rules.model import DayPlan, ShiftSpec


@dataclass(frozen=True)
class PeriodInstance:
    index: int
    start: datetime  # aware, UTC
    end: datetime
    # Punches in [window_start, window_end) belong to this period.
    window_start: datetime
    window_end: datetime
    # Wall-clock text for explanations, made once per instance rather than once per person.
    label: str = ""
    window_label: str = ""


@dataclass(frozen=True)
class ShiftInstance:
    date: date  # the attendance date: the day the shift STARTS on
    periods: tuple[PeriodInstance, ...]
    # [window_start, window_end): the instance's punch window, before any cut by the next one.
    window_start: datetime
    window_end: datetime
    flexible: bool = False

    def period_of(self, at: datetime) -> PeriodInstance | None:
        for period in self.periods:
            if period.window_start <= at < period.window_end:
                return period
        return None


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _local(day: date, wall: object, tz: ZoneInfo) -> datetime:
    # fold=0: a wall time repeated at a DST fall-back means its first occurrence, and one skipped
    # at spring-forward maps onto the offset in force before the change (zoneinfo's rule).
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)  # type: ignore[arg-type]


def _hm(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.hour:02d}:{local.minute:02d}"


def shift_instance(spec: ShiftSpec, day: date, tz: ZoneInfo) -> ShiftInstance:
    """Lay `spec` on `day`: each period starts after the previous one ended, so a period whose
    wall-clock start is earlier than the previous end (or whose end is before its start) moves on
    to the next calendar day; an end equal to the start is 24 hours later. Durations are real
    elapsed time, so they differ across DST changes.
    """
    bounds: list[tuple[datetime, datetime]] = []
    cursor = day
    previous_end: datetime | None = None
    for period in spec.periods:
        start = _local(cursor, period.start, tz)
        if previous_end is not None and start < previous_end:
            cursor = cursor + timedelta(days=1)
            start = _local(cursor, period.start, tz)
        end_day = cursor + timedelta(days=1) if period.crosses_midnight else cursor
        end = _local(end_day, period.end, tz)
        bounds.append((start, end))
        previous_end = end
        cursor = end_day
    checkout_until = timedelta(minutes=spec.checkout_until_minutes, microseconds=1)
    instances = []
    last = len(bounds) - 1
    for index, (start, end) in enumerate(bounds):
        if index == 0:
            window_start = start - timedelta(minutes=spec.early_checkin_minutes)
        else:
            # The gap between two periods is split at its midpoint: a punch belongs to the nearer.
            window_start = bounds[index - 1][1] + (start - bounds[index - 1][1]) / 2
        # +1 µs in checkout_until: a check-out exactly at the limit is still accepted.
        window_end = (end + checkout_until if index == last
                      else end + (bounds[index + 1][0] - end) / 2)
        instances.append(PeriodInstance(
            index, start, end, window_start, window_end,
            label=f"period {index + 1} {_hm(start, tz)}-{_hm(end, tz)}",
            window_label=f"{_hm(window_start, tz)}-{_hm(window_end, tz)}"))
    if spec.flexible:
        # Work anywhere in the local calendar day counts; the periods are only the core hours.
        return ShiftInstance(day, tuple(instances), local_midnight(day, tz),
                             local_midnight(day + timedelta(days=1), tz) + checkout_until,
                             flexible=True)
    return ShiftInstance(day, tuple(instances), instances[0].window_start,
                         instances[-1].window_end)


def is_worked(spec: ShiftSpec | None, day: date, *, holiday: bool,
              scheduled: bool | None = None) -> bool:
    """Whether a shift instance is worked on `day`: a roster says so (`scheduled`), else the
    shift's workdays; a holiday is a day off unless the shift works on holidays."""
    if spec is None:
        return False
    if holiday and not spec.work_on_holidays:
        return False
    if scheduled is not None:
        return scheduled
    return day.isoweekday() in spec.workdays


def plan_day(day: date, tz: ZoneInfo, instance: ShiftInstance | None,
             previous: DayPlan | None) -> DayPlan:
    """The day's place on the timeline. `previous`: the plan of the day before (None: unknown,
    taken as a rest day)."""
    midnight = local_midnight(day, tz)
    next_midnight = local_midnight(day + timedelta(days=1), tz)
    if instance is not None:
        own_start = instance.window_start
    else:
        own_start = midnight
        if previous is not None and previous.instance is not None:
            # A punch within checkout_until of the previous instance's end is that instance's.
            own_start = min(max(midnight, previous.instance.window_end), next_midnight)
    return DayPlan(day, midnight, next_midnight, instance, own_start)
