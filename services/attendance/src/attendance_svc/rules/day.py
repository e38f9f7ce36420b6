"""Per-period and per-day judgement (RULES.md "Per period", "Per day", "Overtime")."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attendance_svc.rules.model import Absence, DayInput, DayResult, PeriodResult, ShiftSpec
from attendance_svc.rules.shift import PeriodInstance, ShiftInstance, shift_instance


def _ceil_minutes(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


def _floor_minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _hm(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.hour:02d}:{local.minute:02d}"


def _covering(absences: Iterable[Absence], start: datetime, end: datetime) -> Absence | None:
    """The approved absence that covers a period: any overlap covers it (RULES.md, partial leave).
    A business trip wins over leave when both overlap, since the employee is working."""
    found = [a for a in absences if a.overlaps(start, end)]
    if not found:
        return None
    found.sort(key=lambda a: (a.kind != "business_trip", a.start))
    return found[0]


def _judge_period(spec: ShiftSpec, period: PeriodInstance, punches: list[datetime],
                  absences: tuple[Absence, ...], tz: ZoneInfo,
                  as_of: datetime | None = None) -> PeriodResult:
    label = period.label
    first = punches[0] if punches else None
    last = punches[-1] if len(punches) > 1 else None
    worked = 0
    if first is not None and last is not None:
        worked = _floor_minutes(min(last, period.end) - max(first, period.start))
    common = {"index": period.index, "start": period.start, "end": period.end,
              "first_in": first, "last_out": last, "worked_minutes": worked}
    cover = _covering(absences, period.start, period.end)
    if cover is not None:
        what = "business trip" if cover.kind == "business_trip" else (
            f"{cover.leave_type} leave" if cover.leave_type else "leave")
        return PeriodResult(
            status=cover.kind, leave_type=cover.leave_type,
            explanation=f"{label}: {cover.kind}: approved {what} "
                        f"{_hm(cover.start, tz)}-{_hm(cover.end, tz)} overlaps the period",
            **common,
        )
    if first is None and as_of is not None and as_of < period.window_end:
        return PeriodResult(status="pending", explanation=f"{label}: pending: no punch yet, the "
                            f"window is open until {_hm(period.window_end, tz)}", **common)
    if first is None:
        return PeriodResult(status="absent", explanation=f"{label}: absent: no punch in the window "
                            f"{period.window_label}",
                            **common)
    notes: list[str] = []
    late = early = 0
    absent = False
    if first > period.start + timedelta(minutes=spec.late_grace_minutes):
        late = _ceil_minutes(first - period.start)
        if first > period.start + timedelta(minutes=spec.absent_after_late_minutes):
            absent = True
            notes.append(f"absent: first in {_hm(first, tz)} is {late} min after the start "
                         f"{_hm(period.start, tz)}, more than {spec.absent_after_late_minutes} min")
        else:
            notes.append(f"late: first in {_hm(first, tz)}, start {_hm(period.start, tz)}, "
                         f"grace {spec.late_grace_minutes} min")
    missing_checkout = last is None
    if missing_checkout:
        notes.append(f"missing check-out: only one punch ({_hm(first, tz)}) in the window")
    elif last is not None and last < period.end - timedelta(minutes=spec.early_leave_grace_minutes):
        early = _ceil_minutes(period.end - last)
        if last < period.end - timedelta(minutes=spec.absent_if_early_minutes):
            absent = True
            notes.append(f"absent: last out {_hm(last, tz)} is {early} min before the end "
                         f"{_hm(period.end, tz)}, more than {spec.absent_if_early_minutes} min")
        else:
            notes.append(f"early leave: last out {_hm(last, tz)}, end {_hm(period.end, tz)}, "
                         f"grace {spec.early_leave_grace_minutes} min")
    if absent:
        status = "absent"
    elif late and early:
        status = "late_and_early_leave"
    elif late:
        status = "late"
    elif early:
        status = "early_leave"
    else:
        status = "present"
    if not notes:
        notes.append(f"present: in {_hm(first, tz)}, out {_hm(last or first, tz)}")
    return PeriodResult(status=status, late_minutes=late, early_leave_minutes=early,
                        missing_checkout=missing_checkout,
                        explanation=f"{label}: " + ", ".join(notes), **common)


def _intervals_minutes(intervals: list[tuple[datetime, datetime]]) -> int:
    total = timedelta()
    for start, end in intervals:
        if end > start:
            total += end - start
    return _floor_minutes(total)


def _subtract(spans: list[tuple[datetime, datetime]],
              holes: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    result = spans
    for hole_start, hole_end in holes:
        next_result = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                next_result.append((start, end))
                continue
            if start < hole_start:
                next_result.append((start, hole_start))
            if hole_end < end:
                next_result.append((hole_end, end))
        result = next_result
    return result


def _intersect(spans: list[tuple[datetime, datetime]],
               windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out = []
    for start, end in spans:
        for w_start, w_end in windows:
            lo, hi = max(start, w_start), min(end, w_end)
            if hi > lo:
                out.append((lo, hi))
    return out


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overtime(presence: list[tuple[datetime, datetime]], scheduled: list[tuple[datetime, datetime]],
              inp: DayInput) -> int:
    """Minutes actually present outside the scheduled periods and inside approved overtime."""
    approved = _merge([(o.start, o.end) for o in inp.overtime])
    if not approved or not presence:
        return 0
    outside = _subtract(_merge(presence), scheduled)
    return _intervals_minutes(_intersect(outside, approved))


def _day_without_shift(inp: DayInput) -> DayResult:
    """Holiday or rest day: punches there count as overtime only where approved."""
    tz = inp.tz
    day_start = shift_day_start(inp)
    punches = sorted(p for p in inp.punches if day_start <= p < day_start + timedelta(days=1))
    presence = [(punches[0], punches[-1])] if len(punches) > 1 else []
    worked = _intervals_minutes(presence)
    overtime = _overtime(presence, [], inp)
    reason = f"holiday: {inp.holiday_name}" if inp.holiday_name else "holiday: no shift scheduled"
    notes = [reason]
    if presence:
        notes.append(f"worked {_hm(punches[0], tz)}-{_hm(punches[-1], tz)} ({worked} min), "
                     f"{overtime} min inside approved overtime")
    return DayResult(date=inp.date, status="holiday", worked_minutes=worked,
                     overtime_minutes=overtime, explanation=tuple(notes))


def shift_day_start(inp: DayInput) -> datetime:
    return datetime.combine(inp.date, time(0), tzinfo=inp.tz).astimezone(UTC)


def evaluate_day(inp: DayInput, instance: ShiftInstance | None = None) -> DayResult:
    """Judge one employee's attendance date. `instance` may be passed when already computed."""
    spec = inp.shift
    if spec is None or inp.holiday_name or inp.date.isoweekday() not in spec.workdays:
        return _day_without_shift(inp)
    tz = inp.tz
    instance = instance or shift_instance(spec, inp.date, tz)
    by_period: list[list[datetime]] = [[] for _ in instance.periods]
    lo, hi = instance.window_start, instance.window_end
    for punch in sorted(inp.punches):
        if lo <= punch < hi:
            period = instance.period_of(punch)
            if period is not None:
                by_period[period.index].append(punch)
    periods = tuple(_judge_period(spec, p, by_period[p.index], inp.absences, tz, inp.as_of)
                    for p in instance.periods)
    scheduled = [(p.start, p.end) for p in instance.periods]
    presence = [(p.first_in, p.last_out) for p in periods
                if p.first_in is not None and p.last_out is not None]
    worked = sum(p.worked_minutes for p in periods)
    overtime = _overtime(presence, scheduled, inp)
    leave_by_type: dict[str, int] = {}
    leave_minutes = trip_minutes = 0
    for p in periods:
        if p.status == "leave":
            leave_minutes += p.scheduled_minutes
            key = p.leave_type or "leave"
            leave_by_type[key] = leave_by_type.get(key, 0) + p.scheduled_minutes
        elif p.status == "business_trip":
            trip_minutes += p.scheduled_minutes
    statuses = [p.status for p in periods]
    covered = [s in ("leave", "business_trip") for s in statuses]
    judged = [s for s in statuses if s not in ("leave", "business_trip", "pending")]
    notes: list[str] = []
    threshold = spec.half_day_hours * 60 if spec.half_day_hours is not None else None
    if "pending" in statuses:
        threshold = None  # the day is not over: too early to call it a half day by hours
    if all(covered):
        status = "business_trip" if "business_trip" in statuses else "leave"
    elif not judged:
        status = "pending"
    elif all(s == "absent" for s in judged) and not any(covered) and "pending" not in statuses:
        status = "absent"
    elif "absent" in judged:
        status = "half_day"
        notes.append(f"half day: {judged.count('absent')} of {len(statuses)} periods absent")
    elif (threshold is not None and worked > 0
          and worked + leave_minutes + trip_minutes < threshold):
        # "Worked less than half_day_hours but more than zero"; approved leave counts as worked
        # so that adding leave never turns a day into a half day.
        status = "half_day"
        notes.append(f"half day: worked {worked} min, less than {spec.half_day_hours} h")
    else:
        late = any(s in ("late", "late_and_early_leave") for s in judged)
        early = any(s in ("early_leave", "late_and_early_leave") for s in judged)
        status = ("late_and_early_leave" if late and early else "late" if late
                  else "early_leave" if early else "present")
    late_minutes = sum(p.late_minutes for p in periods if p.status != "absent")
    early_minutes = sum(p.early_leave_minutes for p in periods if p.status != "absent")
    missing = sum(1 for p in periods if p.missing_checkout and p.status not in
                  ("leave", "business_trip"))
    explanation = (f"{status}: shift {spec.name or 'unnamed'} on {inp.date.isoformat()}",
                   *notes, *(p.explanation for p in periods))
    if overtime:
        explanation = (*explanation, f"overtime: {overtime} min worked outside the periods "
                                     "inside approved overtime")
    return DayResult(
        date=inp.date, status=status, scheduled_minutes=sum(p.scheduled_minutes for p in periods),
        late_minutes=late_minutes, early_leave_minutes=early_minutes, worked_minutes=worked,
        overtime_minutes=overtime, leave_minutes=leave_minutes, business_trip_minutes=trip_minutes,
        missing_checkouts=missing, leave_by_type=leave_by_type, periods=periods,
        explanation=explanation,
    )
