"""Per-period and per-day judgement (RULES.md "Which punch belongs to which day", "Punch policy",
"Per period", "Per day", "Overtime")."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from attendance_svc.rules.model import (
    Absence,
    DayInput,
    DayPlan,
    DayResult,
    Interval,
    PeriodResult,
    ShiftSpec,
)
from attendance_svc.rules.shift import (
    PeriodInstance,
    ShiftInstance,
    is_worked,
    plan_day,
    shift_instance,
)

Span = tuple[datetime, datetime]

# Work that starts on a rest day or holiday and runs past midnight belongs to the day it started:
# the first punch after midnight closes it if it comes before the next day's shift window opens,
# and at most this long after midnight.
CARRY_OVER_LIMIT = timedelta(hours=12)
COVERED = ("leave", "business_trip")


class _PeriodCommon(TypedDict):
    """What every verdict of a period carries, whatever its status."""

    index: int
    start: datetime
    end: datetime
    first_in: datetime | None
    last_out: datetime | None
    worked_minutes: int
    auto_checkout: bool


class _LeaveShare(TypedDict, total=False):
    """A half-day leave's part of a worked period."""

    leave_type: str | None
    leave_minutes: int | None


def _ceil_minutes(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


def _floor_minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _hm(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local.hour:02d}:{local.minute:02d}"


# --- which punches belong to the day --------------------------------------------------------

def _between(punches: list[datetime], lo: datetime, hi: datetime) -> list[datetime]:
    return punches[bisect.bisect_left(punches, lo):bisect.bisect_left(punches, hi)]


def _calendar_end(plan: DayPlan, following: DayPlan | None) -> datetime:
    """Where a rest day's own punches end: midnight, or earlier where the next day's window
    opens before it."""
    if following is not None and following.instance is not None:
        return max(plan.own_start, min(plan.next_midnight, following.own_start))
    return plan.next_midnight


def carried_over(plan: DayPlan, following: DayPlan | None,
                 punches: list[datetime]) -> datetime | None:
    """On a rest day whose work is still open at midnight (an odd number of punches), the first
    punch after midnight closes it, if it comes before the next day's window and within 12 h.
    The count ignores what the day itself inherited, so both neighbours agree on the answer."""
    if plan.instance is not None:
        return None
    end = _calendar_end(plan, following)
    if end < plan.next_midnight or len(_between(punches, plan.own_start, end)) % 2 == 0:
        return None
    limit = plan.next_midnight + CARRY_OVER_LIMIT
    if following is not None and following.instance is not None:
        limit = min(limit, following.own_start)
    index = bisect.bisect_left(punches, plan.next_midnight)
    if index < len(punches) and punches[index] < limit:
        return punches[index]
    return None


def own_punches(plan: DayPlan, previous: DayPlan | None, following: DayPlan | None,
                punches: list[datetime]) -> tuple[list[datetime], datetime, datetime]:
    """The punches that belong to `plan`'s date (sorted `punches` of the days around it), and the
    stretch [lo, hi) they were taken from. Consecutive days' stretches never overlap: where two
    instances' windows overlap, the earlier one ends where the later one begins."""
    if plan.instance is not None:
        lo, hi = plan.own_start, plan.instance.window_end
        if following is not None and following.instance is not None and following.own_start < hi:
            hi = max(lo, following.own_start)
        return _between(punches, lo, hi), lo, hi
    lo, hi = plan.own_start, _calendar_end(plan, following)
    own = _between(punches, lo, hi)
    if previous is not None:
        inherited = carried_over(previous, plan, punches)
        if inherited is not None and own and own[0] == inherited:
            own = own[1:]
    closing = carried_over(plan, following, punches)
    if closing is not None:
        own = [*own, closing]
        hi = closing + timedelta(microseconds=1)
    return own, lo, hi


# --- presence and worked time ---------------------------------------------------------------

def _spans(punches: list[datetime], worked_time: str) -> tuple[list[Span], bool]:
    """Presence from punches, and whether a check-out is missing. `first_last`: first to last;
    `pairs`: in/out pairs, a trailing check-in without its check-out is missing."""
    if len(punches) < 2:
        return [], len(punches) == 1
    if worked_time == "pairs":
        return ([(punches[i], punches[i + 1]) for i in range(0, len(punches) - 1, 2)],
                len(punches) % 2 == 1)
    return [(punches[0], punches[-1])], False


def _minutes(spans: Iterable[Span]) -> int:
    total = timedelta()
    for start, end in spans:
        if end > start:
            total += end - start
    return _floor_minutes(total)


def _subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
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


def _intersect(spans: list[Span], windows: list[Span]) -> list[Span]:
    out = []
    for start, end in spans:
        for w_start, w_end in windows:
            lo, hi = max(start, w_start), min(end, w_end)
            if hi > lo:
                out.append((lo, hi))
    return out


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overtime(presence: list[Span], scheduled: list[Span], inp: DayInput,
              spec: ShiftSpec | None, cap: int | None = None) -> tuple[int, list[str]]:
    """Minutes present outside the scheduled periods and inside approved overtime (or anywhere,
    where the shift counts overtime without approval); intervals shorter than the shift's
    minimum drop out, and the total is rounded down to its rounding step."""
    notes: list[str] = []
    outside = _subtract(_merge(presence), scheduled)
    if spec is not None and spec.overtime_without_approval:
        counted = _merge(outside)
        rule = "counted without approval"
    else:
        approved = _merge([(o.start, o.end) for o in inp.overtime])
        if not approved:
            return 0, notes
        counted = _merge(_intersect(outside, approved))
        rule = "inside approved overtime"
    minimum = spec.overtime_min_minutes if spec is not None else 0
    kept = [s for s in counted if _minutes([s]) >= minimum] if minimum else counted
    total = _minutes(kept)
    if cap is not None:
        total = min(total, cap)
    if minimum and len(kept) < len(counted):
        notes.append(f"overtime: {_minutes(counted) - _minutes(kept)} min in intervals shorter "
                     f"than the minimum of {minimum} min not counted")
    step = spec.overtime_rounding_minutes if spec is not None else 0
    if step and total % step:
        notes.append(f"overtime: {total} min rounded down to a multiple of {step} min")
        total -= total % step
    if total:
        notes.append(f"overtime: {total} min worked outside the periods {rule}")
    return total, notes


# --- leave ----------------------------------------------------------------------------------

def _half_span(instance: ShiftInstance, half: str) -> Span:
    """The first or second half of the instance's scheduled time (breaks not counted)."""
    periods = instance.periods
    total = sum(((p.end - p.start) for p in periods), timedelta())
    remaining = total / 2
    middle = periods[-1].end
    for period in periods:
        length = period.end - period.start
        if remaining <= length:
            middle = period.start + remaining
            break
        remaining -= length
    return (periods[0].start, middle) if half == "first" else (middle, periods[-1].end)


def _cover(inp: DayInput, instance: ShiftInstance, period: PeriodInstance
           ) -> tuple[Absence | None, PeriodInstance, int | None]:
    """The approved absence covering a period, the part of the period still to be judged, and
    the covered minutes when only part of it is covered (a half day of leave).

    A request in days covers the instances dated on its days; one in hours covers the periods it
    overlaps (any overlap covers the period). A business trip wins over leave."""
    found: list[tuple[Absence, PeriodInstance, int | None]] = []
    for absence in inp.absences:
        if absence.first_day is not None:
            if not absence.covers_date(inp.date):
                continue
            if absence.half is None:
                found.append((absence, period, None))
                continue
            lo, hi = _half_span(instance, absence.half)
            start, end = max(lo, period.start), min(hi, period.end)
            if end <= start:
                continue
            if start <= period.start and end >= period.end:
                found.append((absence, period, None))
                continue
            rest = (replace(period, start=end) if start <= period.start
                    else replace(period, end=start))
            found.append((absence, rest, _floor_minutes(end - start)))
        elif absence.overlaps(period.start, period.end):
            found.append((absence, period, None))
    if not found:
        return None, period, None
    found.sort(key=lambda f: (f[0].kind != "business_trip", f[2] is not None, f[0].start))
    return found[0]


def _covered_result(cover: Absence, period: PeriodInstance, tz: ZoneInfo,
                    common: _PeriodCommon) -> PeriodResult:
    what = "business trip" if cover.kind == "business_trip" else (
        f"{cover.leave_type} leave" if cover.leave_type else "leave")
    when = (f"{cover.first_day.isoformat()}" if cover.first_day is not None
            and cover.first_day == cover.last_day else
            f"{cover.first_day.isoformat()}..{cover.last_day.isoformat()}"
            if cover.first_day is not None and cover.last_day is not None
            else f"{_hm(cover.start, tz)}-{_hm(cover.end, tz)}")
    return PeriodResult(status=cover.kind, leave_type=cover.leave_type,
                        explanation=f"{period.label}: {cover.kind}: approved {what} {when} "
                                    "covers the period", **common)


# --- judging periods ------------------------------------------------------------------------

def _late_notes(spec: ShiftSpec, start: datetime, first: datetime, tz: ZoneInfo,
                what: str = "first in", *, can_be_absent: bool = True
                ) -> tuple[int, bool, str | None]:
    if first <= start + timedelta(minutes=spec.late_grace_minutes):
        return 0, False, None
    late = _ceil_minutes(first - start)
    if can_be_absent and first > start + timedelta(minutes=spec.absent_after_late_minutes):
        return late, True, (f"absent: {what} {_hm(first, tz)} is {late} min after the start "
                            f"{_hm(start, tz)}, more than {spec.absent_after_late_minutes} min")
    label = "late_from_break: back in" if what == "back in" else "late: first in"
    return late, False, (f"{label} {_hm(first, tz)}, start {_hm(start, tz)}, "
                         f"grace {spec.late_grace_minutes} min")


def _early_notes(spec: ShiftSpec, end: datetime, last: datetime, tz: ZoneInfo, *,
                 can_be_absent: bool = True) -> tuple[int, bool, str | None]:
    if last >= end - timedelta(minutes=spec.early_leave_grace_minutes):
        return 0, False, None
    early = _ceil_minutes(end - last)
    if can_be_absent and last < end - timedelta(minutes=spec.absent_if_early_minutes):
        return early, True, (f"absent: last out {_hm(last, tz)} is {early} min before the end "
                             f"{_hm(end, tz)}, more than {spec.absent_if_early_minutes} min")
    return early, False, (f"early leave: last out {_hm(last, tz)}, end {_hm(end, tz)}, "
                          f"grace {spec.early_leave_grace_minutes} min")


def _status(absent: bool, late: int, early: int) -> str:
    if absent:
        return "absent"
    if late and early:
        return "late_and_early_leave"
    return "late" if late else "early_leave" if early else "present"


def _auto_close(spec: ShiftSpec, punches: list[datetime], end: datetime) -> datetime | None:
    """auto_checkout: a check-in left open is closed at the end of its period."""
    if spec.auto_checkout and punches and punches[-1] < end:
        return end
    return None


def _judge_every_period(spec: ShiftSpec, inp: DayInput, instance: ShiftInstance,
                        punches: list[datetime], hi: datetime) -> list[PeriodResult]:
    """`every_period`: each period needs its own check-in and check-out."""
    tz = inp.tz
    by_period: list[list[datetime]] = [[] for _ in instance.periods]
    for punch in punches:
        found = instance.period_of(punch)
        if found is not None:
            by_period[found.index].append(punch)
    results = []
    for original in instance.periods:
        cover, period, covered = _cover(inp, instance, original)
        own = by_period[original.index]
        spans, missing = _spans(own, spec.worked_time)
        closed = _auto_close(spec, own, period.end) if missing else None
        if closed is not None:
            spans, missing = [*spans, (own[-1], closed)], False
        worked = _minutes(_intersect(spans, [(period.start, period.end)]))
        first = own[0] if own else None
        last = closed or (own[-1] if len(own) > 1 else None)
        common: _PeriodCommon = {
            "index": original.index, "start": original.start, "end": original.end,
            "first_in": first, "last_out": last, "worked_minutes": worked,
            "auto_checkout": closed is not None}
        if cover is not None and covered is None:
            results.append(_covered_result(cover, original, tz, common))
            continue
        window_end = min(original.window_end, hi)
        results.append(_judge_one(spec, inp, period, first, last, missing, closed, common,
                                  window_end, cover, covered, tz))
    return results


def _judge_one(spec: ShiftSpec, inp: DayInput, period: PeriodInstance, first: datetime | None,
               last: datetime | None, missing: bool, closed: datetime | None,
               common: _PeriodCommon, window_end: datetime, cover: Absence | None,
               covered: int | None, tz: ZoneInfo) -> PeriodResult:
    label = period.label
    extra: _LeaveShare = {}
    prefix = ""
    if cover is not None and covered is not None:
        extra = {"leave_type": cover.leave_type, "leave_minutes": covered}
        prefix = (f"half day of {cover.leave_type or 'leave'} ({cover.half} half, "
                  f"{covered} min), ")
    if first is None and inp.as_of is not None and inp.as_of < window_end:
        return PeriodResult(status="pending", explanation=f"{label}: {prefix}pending: no punch "
                            f"yet, the window is open until {_hm(window_end, tz)}",
                            **common, **extra)
    if first is None:
        return PeriodResult(status="absent", explanation=f"{label}: {prefix}absent: no punch in "
                            f"the window {period.window_label}",
                            **common, **extra)
    notes: list[str] = []
    late, absent_late, note = _late_notes(spec, period.start, first, tz)
    if note:
        notes.append(note)
    early = 0
    absent_early = False
    if missing:
        notes.append(f"missing check-out: only one punch ({_hm(first, tz)}) in the window")
    elif last is not None:
        if closed is not None:
            notes.append(f"automatic check-out at {_hm(closed, tz)} (auto_checkout)")
        early, absent_early, note = _early_notes(spec, period.end, last, tz)
        if note:
            notes.append(note)
    status = _status(absent_late or absent_early, late, early)
    if not notes:
        notes.append(f"present: in {_hm(first, tz)}, out {_hm(last or first, tz)}")
    return PeriodResult(status=status, late_minutes=late, early_leave_minutes=early,
                        missing_checkout=missing,
                        explanation=f"{label}: {prefix}" + ", ".join(notes),
                        **common, **extra)


def _judge_first_last(spec: ShiftSpec, inp: DayInput, instance: ShiftInstance,
                      punches: list[datetime], hi: datetime) -> list[PeriodResult]:
    """`first_last`: lateness on the first punch against the first period it reaches, early leave
    on the last punch; the gaps between periods are unpaid breaks; a punched break whose return
    is after the next period's start + grace is `late_from_break`."""
    tz = inp.tz
    spans, missing = _spans(punches, spec.worked_time)
    last_period_end = instance.periods[-1].end
    closed = _auto_close(spec, punches, last_period_end) if missing else None
    if closed is not None:
        spans, missing = [*spans, (punches[-1], closed)], False
    first = punches[0] if punches else None
    last: datetime | None = closed or (punches[-1] if len(punches) > 1 else None)
    if missing and spec.worked_time == "pairs" and len(punches) > 1:
        last = None  # the trailing check-in has no check-out: the leaving time is unknown
    attended = [p.index for p in instance.periods
                if first is not None and p.end > first and (last is None or p.start < last)]
    results = []
    for original in instance.periods:
        cover, period, covered = _cover(inp, instance, original)
        worked = _minutes(_intersect(spans, [(period.start, period.end)]))
        index = original.index
        is_first = bool(attended) and index == attended[0]
        is_last = bool(attended) and index == attended[-1]
        common: _PeriodCommon = {
            "index": index, "start": original.start, "end": original.end,
            "first_in": first if is_first else None, "last_out": last if is_last else None,
            "worked_minutes": worked, "auto_checkout": closed is not None and is_last}
        if cover is not None and covered is None:
            results.append(_covered_result(cover, original, tz, common))
            continue
        window_end = min(original.window_end if index < len(instance.periods) - 1
                         else instance.window_end, hi)
        if index not in attended:
            if first is None:
                results.append(_judge_one(spec, inp, period, None, None, False, None, common,
                                          window_end, cover, covered, tz))
                continue
            why = (f"first in {_hm(first, tz)} after its end" if period.end <= first
                   else f"last out {_hm(last, tz)} before its start" if last is not None
                   else "no punch")
            results.append(PeriodResult(status="absent", explanation=f"{period.label}: absent: "
                                        f"{why} (punch policy first_last)",
                                        **common))
            continue
        assert first is not None  # an attended period implies a punch
        notes: list[str] = []
        late = early = 0
        absent = False
        if is_first:
            late, absent, note = _late_notes(spec, period.start, first, tz)
            if note:
                notes.append(note)
        else:
            back = _break_return(punches, instance, index) if len(punches) > 2 else None
            if back is not None:
                late, _, note = _late_notes(spec, period.start, back, tz, "back in",
                                            can_be_absent=False)
                if note:
                    notes.append(note)
        if is_last and missing:
            notes.append(f"missing check-out: no check-out after {_hm(punches[-1], tz)}"
                         if len(punches) > 1 else
                         f"missing check-out: only one punch ({_hm(punches[0], tz)}) in the window")
        elif is_last and last is not None:
            if closed is not None:
                notes.append(f"automatic check-out at {_hm(closed, tz)} (auto_checkout)")
            early, absent_early, note = _early_notes(spec, period.end, last, tz)
            absent = absent or absent_early
            if note:
                notes.append(note)
        if not notes:
            notes.append(f"present: in {_hm(first, tz)}, out {_hm(last, tz)}"
                         if last is not None else f"present: in {_hm(first, tz)}")
        extra: _LeaveShare = {}
        prefix = ""
        if cover is not None and covered is not None:
            extra = {"leave_type": cover.leave_type, "leave_minutes": covered}
            prefix = (f"half day of {cover.leave_type or 'leave'} ({cover.half} half, "
                      f"{covered} min), ")
        results.append(PeriodResult(
            status=_status(absent, late, early), late_minutes=late, early_leave_minutes=early,
            missing_checkout=missing and is_last,
            explanation=f"{period.label}: {prefix}" + ", ".join(notes),
            **common, **extra))
    return results


def _break_return(punches: list[datetime], instance: ShiftInstance,
                  index: int) -> datetime | None:
    """The latest check-in (an even position after the first) back from the break before period
    `index` that followed a check-out taken before the period started."""
    period = instance.periods[index]
    previous_end = instance.periods[index - 1].end
    back = None
    for position in range(2, len(punches), 2):
        punch = punches[position]
        if previous_end < punch < period.end and punches[position - 1] < period.start:
            back = punch
    return back


# --- the day --------------------------------------------------------------------------------

def _neighbours(inp: DayInput) -> tuple[DayPlan, DayPlan, DayPlan]:
    """(the day before, the day, the day after). Without them in the input, the neighbours are
    laid out with the same shift and no holidays."""
    spec = inp.shift
    tz = inp.tz

    def lay(day: date, holiday: bool, scheduled: bool | None,
            previous: DayPlan | None) -> DayPlan:
        worked = spec is not None and is_worked(spec, day, holiday=holiday, scheduled=scheduled)
        instance = shift_instance(spec, day, tz) if worked and spec is not None else None
        return plan_day(day, tz, instance, previous)

    one = timedelta(days=1)
    previous = inp.previous
    if previous is None:
        previous = lay(inp.date - one, False, None, lay(inp.date - 2 * one, False, None, None))
    plan = lay(inp.date, inp.holiday_name is not None, inp.scheduled, previous)
    following = inp.next if inp.next is not None else lay(inp.date + one, False, None, plan)
    return previous, plan, following


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """What applies to one employee on one date: the shift in force (None: none at all), a
    holiday of their calendar, and a roster's verdict (None: the shift's workdays decide)."""

    date: date
    tz: ZoneInfo
    shift: ShiftSpec | None
    holiday_name: str | None = None
    scheduled: bool | None = None


def lay_out(schedules: Sequence[DaySchedule]) -> list[DayPlan]:
    """Day plans for consecutive dates, each knowing the one before."""
    plans: list[DayPlan] = []
    previous: DayPlan | None = None
    for item in schedules:
        worked = item.shift is not None and is_worked(
            item.shift, item.date, holiday=item.holiday_name is not None,
            scheduled=item.scheduled)
        instance = shift_instance(item.shift, item.date, item.tz) if (
            worked and item.shift is not None) else None
        previous = plan_day(item.date, item.tz, instance, previous)
        plans.append(previous)
    return plans


def evaluate_range(schedules: Sequence[DaySchedule], punches: Sequence[datetime], *,
                   absences: tuple[Absence, ...] = (), overtime: tuple[Interval, ...] = (),
                   as_of: datetime | None = None, hired_on: date | None = None,
                   left_on: date | None = None) -> list[DayResult]:
    """Judge consecutive days of one employee. The first two and the last schedule are only the
    context the rules need (the neighbours of the first and last judged day)."""
    plans = lay_out(schedules)
    ordered = tuple(sorted(punches))
    results = []
    for index in range(2, len(schedules) - 1):
        item = schedules[index]
        results.append(evaluate_day(DayInput(
            date=item.date, tz=item.tz, shift=item.shift, punches=ordered,
            holiday_name=item.holiday_name, absences=absences, overtime=overtime, as_of=as_of,
            scheduled=item.scheduled, hired_on=hired_on, left_on=left_on,
            previous=plans[index - 1], next=plans[index + 1]), plans[index]))
    return results


def _not_employed(inp: DayInput) -> str | None:
    if inp.hired_on is not None and inp.date < inp.hired_on:
        return f"not_employed: hired on {inp.hired_on.isoformat()}"
    if inp.left_on is not None and inp.date > inp.left_on:
        return f"not_employed: left on {inp.left_on.isoformat()}"
    return None


def evaluate_day(inp: DayInput, plan: DayPlan | None = None) -> DayResult:
    """Judge one employee's attendance date. `plan` may be passed when already laid out (then
    `inp.previous` and `inp.next` must be given too)."""
    reason = _not_employed(inp)
    if reason is not None:
        return DayResult(date=inp.date, status="not_employed", explanation=(reason,))
    if plan is None or inp.previous is None or inp.next is None:
        previous, plan, following = _neighbours(inp)
    else:
        previous, following = inp.previous, inp.next
    punches = sorted(inp.punches)
    own, _, hi = own_punches(plan, previous, following, punches)
    if plan.instance is None:
        return _day_without_shift(inp, own)
    if plan.instance.flexible:
        return _flexible_day(inp, plan.instance, own, hi)
    return _shift_day(inp, plan.instance, own, hi)


def _day_without_shift(inp: DayInput, punches: list[datetime]) -> DayResult:
    """Holiday or rest day: punches there count as overtime only where approved (or where the
    shift counts overtime without approval)."""
    tz = inp.tz
    spec = inp.shift
    spans, _ = _spans(punches, spec.worked_time if spec is not None else "first_last")
    worked = _minutes(spans)
    overtime, overtime_notes = _overtime(spans, [], inp, spec)
    reason = f"holiday: {inp.holiday_name}" if inp.holiday_name else (
        "holiday: rest day of the roster" if inp.scheduled is False else
        "holiday: no shift scheduled")
    notes = [reason, *((inp.note,) if inp.note else ())]
    if spans:
        notes.append(f"worked {_hm(punches[0], tz)}-{_hm(punches[-1], tz)} ({worked} min), "
                     f"{overtime} min counted as overtime")
    notes.extend(overtime_notes)
    return DayResult(date=inp.date, status="holiday", worked_minutes=worked,
                     overtime_minutes=overtime, explanation=tuple(notes), punches=tuple(punches))


def _shift_day(inp: DayInput, instance: ShiftInstance, punches: list[datetime],
               hi: datetime) -> DayResult:
    spec = inp.shift
    assert spec is not None  # an instance comes from a shift
    if spec.punch_policy == "every_period":
        periods = tuple(_judge_every_period(spec, inp, instance, punches, hi))
    else:
        periods = tuple(_judge_first_last(spec, inp, instance, punches, hi))
    scheduled = [(p.start, p.end) for p in instance.periods]
    worked = sum(p.worked_minutes for p in periods)
    spans, _ = _spans(punches, spec.worked_time)
    if periods and any(p.auto_checkout for p in periods):
        closing = max(p.last_out for p in periods if p.auto_checkout and p.last_out)
        spans = [(punches[0], closing)] if spec.worked_time == "first_last" else [
            *spans, (punches[-1], closing)]
    if spec.punch_policy == "every_period":
        spans = [(p.first_in, p.last_out) for p in periods
                 if p.first_in is not None and p.last_out is not None]
    else:
        # Under first_last the breaks between periods are unpaid, and not overtime either.
        scheduled = [(instance.periods[0].start, instance.periods[-1].end)]
    overtime, overtime_notes = _overtime(spans, scheduled, inp, spec)
    return _day_status(inp, spec, periods, worked, overtime, overtime_notes, punches)


def _day_status(inp: DayInput, spec: ShiftSpec, periods: tuple[PeriodResult, ...], worked: int,
                overtime: int, overtime_notes: list[str], punches: list[datetime],
                scheduled_minutes: int | None = None, extra_notes: tuple[str, ...] = ()
                ) -> DayResult:
    leave_by_type: dict[str, int] = {}
    leave_minutes = trip_minutes = 0
    for p in periods:
        if p.status in COVERED or p.leave_minutes is not None:
            minutes = p.leave_minutes if p.leave_minutes is not None else p.scheduled_minutes
            if p.status == "business_trip":
                trip_minutes += minutes
            else:
                leave_minutes += minutes
                key = p.leave_type or "leave"
                leave_by_type[key] = leave_by_type.get(key, 0) + minutes
    statuses = [p.status for p in periods]
    covered = [s in COVERED for s in statuses]
    judged = [s for s in statuses if s not in (*COVERED, "pending")]
    notes: list[str] = list(extra_notes)
    pending = "pending" in statuses
    missing = sum(1 for p in periods if p.missing_checkout and p.status not in COVERED)
    counted = worked + leave_minutes + trip_minutes
    # Hours thresholds need a known leaving time: with a missing check-out the periods decide.
    by_hours = not pending and not missing and punches
    absent_below = spec.absent_below_hours
    half_below = spec.half_day_hours
    if periods and all(covered):
        status = "business_trip" if "business_trip" in statuses else "leave"
    elif not judged:
        status = "pending"
    elif all(s == "absent" for s in judged) and not any(covered) and not pending:
        status = "absent"
    elif by_hours and absent_below is not None and counted < absent_below * 60:
        status = "absent"
        notes.append(f"absent: worked {worked} min, less than absent_below_hours "
                     f"{absent_below} h")
    elif "absent" in judged:
        status = "half_day"
        notes.append(f"half day: {judged.count('absent')} of {len(statuses)} periods absent")
    elif by_hours and half_below is not None and worked > 0 and counted < half_below * 60:
        # "Worked less than half_day_hours but more than zero"; approved leave counts as worked
        # so that adding leave never turns a day into a half day.
        status = "half_day"
        notes.append(f"half day: worked {worked} min, less than half_day_hours {half_below} h")
    else:
        late = any(s in ("late", "late_and_early_leave") for s in judged)
        early = any(s in ("early_leave", "late_and_early_leave") for s in judged)
        status = ("late_and_early_leave" if late and early else "late" if late
                  else "early_leave" if early else "present")
    late_minutes = sum(p.late_minutes for p in periods if p.status != "absent")
    early_minutes = sum(p.early_leave_minutes for p in periods if p.status != "absent")
    policy = spec.punch_policy + (", worked by pairs" if spec.worked_time == "pairs" else "")
    holiday = (f"holiday {inp.holiday_name} worked (work_on_holidays)",) if inp.holiday_name else ()
    schedule = (inp.note,) if inp.note else ()
    explanation = (f"{status}: shift {spec.name or 'unnamed'} on {inp.date.isoformat()} "
                   f"(punch policy {policy})", *schedule, *holiday, *notes,
                   *(p.explanation for p in periods), *overtime_notes)
    return DayResult(
        date=inp.date, status=status,
        scheduled_minutes=(scheduled_minutes if scheduled_minutes is not None
                           else sum(p.scheduled_minutes for p in periods)),
        late_minutes=late_minutes, early_leave_minutes=early_minutes, worked_minutes=worked,
        overtime_minutes=overtime, leave_minutes=leave_minutes, business_trip_minutes=trip_minutes,
        missing_checkouts=missing, leave_by_type=leave_by_type, periods=periods,
        explanation=explanation, punches=tuple(punches),
    )


def _flexible_day(inp: DayInput, instance: ShiftInstance, punches: list[datetime],
                  hi: datetime) -> DayResult:
    """A flexible shift: `required_hours` anywhere in the day; lateness against the core start,
    early leave against the core end; absence and half day by hours worked."""
    spec = inp.shift
    assert spec is not None and spec.required_hours is not None
    tz = inp.tz
    required = int(spec.required_hours * 60)
    spans, missing = _spans(punches, spec.worked_time)
    worked = _minutes(spans)
    covering = [a for a in inp.absences if a.covers_date(inp.date) or a.overlaps(
        instance.window_start, instance.window_end)]
    notes: list[str] = [f"flexible: {worked} min worked of {spec.required_hours} h required"]
    if covering and not punches:
        cover = sorted(covering, key=lambda a: a.kind != "business_trip")[0]
        result = PeriodResult(index=0, start=instance.window_start,
                              end=instance.window_start + timedelta(minutes=required),
                              status=cover.kind, leave_type=cover.leave_type,
                              explanation=f"flexible day: {cover.kind} covers the day")
        return _day_status(inp, spec, (result,), 0, 0, [], punches, required, tuple(notes))
    first = punches[0] if punches else None
    last = punches[-1] if len(punches) > 1 and not missing else None
    late = early = 0
    if first is not None and spec.periods:
        core = instance.periods
        late, _, note = _late_notes(spec, core[0].start, first, tz, can_be_absent=False)
        if note:
            notes.append(note + " (core hours)")
        if last is not None:
            early, _, note = _early_notes(spec, core[-1].end, last, tz, can_be_absent=False)
            if note:
                notes.append(note + " (core hours)")
    if last is not None and worked < required and required - worked > early:
        early = required - worked
        notes.append(f"early leave: {early} min short of the required hours")
    if first is None:
        status = ("pending" if inp.as_of is not None and inp.as_of < min(instance.window_end, hi)
                  else "absent")
    elif missing:
        status = "late" if late else "present"
        notes.append(f"missing check-out: only one punch ({_hm(first, tz)})")
    else:
        status = _status(False, late, early)
    period = PeriodResult(index=0, start=instance.window_start,
                          end=instance.window_start + timedelta(minutes=required), status=status,
                          late_minutes=late, early_leave_minutes=early, worked_minutes=worked,
                          missing_checkout=missing, first_in=first, last_out=last,
                          explanation="; ".join(notes))
    overtime_spans = spans
    cap = max(0, worked - required)
    overtime, overtime_notes = _overtime(overtime_spans, [], inp, spec, cap=cap)
    return _day_status(inp, spec, (period,), worked, overtime, overtime_notes, punches, required)
