"""Property tests (Hypothesis) over random months of one employee: rosters of shifts and rest
days, holidays, night, long and 24-hour shifts, every punch policy (issue #12, "must show")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_svc.rules import DaySchedule, Interval, PeriodSpec, ShiftSpec, evaluate_range

ZONES = [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")]
SHIFTS = [
    ShiftSpec(periods=(PeriodSpec(time(8), time(12)), PeriodSpec(time(14), time(18))),
              name="office"),
    ShiftSpec(periods=(PeriodSpec(time(22), time(6)),), name="night"),
    ShiftSpec(periods=(PeriodSpec(time(7), time(3)),), name="long day"),
    ShiftSpec(periods=(PeriodSpec(time(8), time(8)),), name="24 hours"),
    ShiftSpec(periods=(PeriodSpec(time(20), time(0)), PeriodSpec(time(1), time(5))),
              name="split night"),
    ShiftSpec(periods=(PeriodSpec(time(10), time(15)),), flexible=True, required_hours=8,
              name="flexible"),
]


@st.composite
def months(draw: st.DrawFn, auto_checkout: bool = True) -> tuple[list[DaySchedule], list[datetime],
                                                               tuple[Interval, ...]]:
    tz = draw(st.sampled_from(ZONES))
    first = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 1)))
    length = draw(st.integers(3, 20))
    specs = [replace(s, workdays=frozenset(draw(st.sets(st.integers(1, 7)))),
                     punch_policy=draw(st.sampled_from(["first_last", "every_period"])),
                     worked_time=draw(st.sampled_from(["first_last", "pairs"])),
                     auto_checkout=auto_checkout and draw(st.booleans()),
                     overtime_without_approval=draw(st.booleans()),
                     checkout_until_minutes=draw(st.integers(0, 600)),
                     early_checkin_minutes=draw(st.integers(0, 240)))
             for s in draw(st.lists(st.sampled_from(SHIFTS), min_size=1, max_size=3))]
    schedules = []
    for n in range(length + 3):
        day = first + timedelta(days=n)
        schedules.append(DaySchedule(
            day, tz, draw(st.sampled_from([*specs, None])),
            draw(st.sampled_from([None, None, None, "Holiday"])),
            draw(st.sampled_from([None, None, True, False]))))
    base = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    span = (length + 3) * 24 * 60
    punches = sorted({base + timedelta(minutes=m)
                      for m in draw(st.lists(st.integers(0, span), max_size=60))})
    overtime = tuple(Interval(base + timedelta(minutes=s), base + timedelta(minutes=s + d))
                     for s, d in draw(st.lists(st.tuples(st.integers(0, span),
                                                         st.integers(1, 600)), max_size=3)))
    return schedules, punches, overtime


@settings(max_examples=150, deadline=None)
@given(months())
def test_no_punch_counts_on_two_days(month: tuple[list[DaySchedule], list[datetime],
                                                  tuple[Interval, ...]]) -> None:
    schedules, punches, overtime = month
    results = evaluate_range(schedules, punches, overtime=overtime)
    seen: dict[datetime, date] = {}
    for result in results:
        for punch in result.punches:
            assert punch not in seen, (punch, seen.get(punch), result.date)
            seen[punch] = result.date


@settings(max_examples=100, deadline=None)
@given(months(), st.data())
def test_a_day_is_the_same_alone_or_within_the_month(
        month: tuple[list[DaySchedule], list[datetime], tuple[Interval, ...]],
        data: st.DataObject) -> None:
    schedules, punches, overtime = month
    in_month = evaluate_range(schedules, punches, overtime=overtime)
    index = data.draw(st.integers(2, len(schedules) - 2))
    alone = evaluate_range(schedules[index - 2:index + 2], punches, overtime=overtime)
    assert alone == [in_month[index - 2]]


@settings(max_examples=150, deadline=None)
@given(months(auto_checkout=False))
def test_worked_minutes_never_exceed_first_to_last_punch(
        month: tuple[list[DaySchedule], list[datetime], tuple[Interval, ...]]) -> None:
    schedules, punches, overtime = month
    for result in evaluate_range(schedules, punches, overtime=overtime):
        if len(result.punches) < 2:
            assert result.worked_minutes == 0
            continue
        span = (max(result.punches) - min(result.punches)).total_seconds() / 60
        assert result.worked_minutes <= span
        assert result.overtime_minutes <= span
