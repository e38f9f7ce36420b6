"""Property tests (Hypothesis): invariants of the rules engine over random days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_svc.rules import Absence, DayInput, Interval, PeriodSpec, ShiftSpec, evaluate_day

ZONES = [ZoneInfo(z) for z in ("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata")]
# Lower is better; holiday, leave and trips are "not worse than present".
SEVERITY = {"holiday": 0, "leave": 0, "business_trip": 0, "present": 0, "late": 1,
            "early_leave": 1, "late_and_early_leave": 2, "half_day": 3, "absent": 4}


@st.composite
def shifts(draw: st.DrawFn) -> ShiftSpec:
    if draw(st.booleans()):
        periods: tuple[PeriodSpec, ...] = (PeriodSpec(time(8), time(12)),
                                           PeriodSpec(time(14), time(18)))
    elif draw(st.booleans()):
        periods = (PeriodSpec(time(22), time(6)),)
    else:
        start = draw(st.integers(5, 12))
        periods = (PeriodSpec(time(start), time(start + 3)),
                   PeriodSpec(time(start + 4), time(start + 8)))
    return ShiftSpec(
        periods=periods, workdays=frozenset(range(1, 8)),
        late_grace_minutes=draw(st.integers(0, 15)),
        early_leave_grace_minutes=draw(st.integers(0, 15)),
        absent_after_late_minutes=draw(st.integers(30, 180)),
        absent_if_early_minutes=draw(st.integers(30, 180)),
        half_day_hours=draw(st.none() | st.floats(1, 7)),
    )


@st.composite
def days(draw: st.DrawFn) -> DayInput:
    tz = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
    base = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    offsets = draw(st.lists(st.integers(0, 36 * 60), max_size=8))
    punches = tuple(base + timedelta(minutes=m) for m in offsets)
    overtime = tuple(Interval(base + timedelta(minutes=s), base + timedelta(minutes=s + d))
                     for s, d in draw(st.lists(st.tuples(st.integers(0, 30 * 60),
                                                         st.integers(0, 300)), max_size=2)))
    return DayInput(date=day, tz=tz, shift=draw(shifts()), punches=punches, overtime=overtime)


@st.composite
def leaves(draw: st.DrawFn, day: DayInput) -> Absence:
    base = datetime.combine(day.date, time(0), tzinfo=day.tz).astimezone(UTC)
    start = base + timedelta(minutes=draw(st.integers(0, 30 * 60)))
    end = start + timedelta(minutes=draw(st.integers(1, 24 * 60)))
    kind = draw(st.sampled_from(["leave", "business_trip"]))
    return Absence(start, end, kind, "annual" if kind == "leave" else None)


@settings(max_examples=150, deadline=None)
@given(days(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_punch_order(day: DayInput, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(day.punches)
    rnd.shuffle(shuffled)
    reordered = DayInput(date=day.date, tz=day.tz, shift=day.shift, punches=tuple(shuffled),
                         overtime=day.overtime)
    assert evaluate_day(day) == evaluate_day(reordered)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_adding_approved_leave_never_makes_a_day_worse(data: st.DataObject) -> None:
    day = data.draw(days())
    leave = data.draw(leaves(day))
    before = evaluate_day(day)
    after = evaluate_day(DayInput(date=day.date, tz=day.tz, shift=day.shift, punches=day.punches,
                                  overtime=day.overtime, absences=(leave,)))
    assert SEVERITY[after.status] <= SEVERITY[before.status], (before.status, after.status)
    assert after.late_minutes <= before.late_minutes
    assert after.early_leave_minutes <= before.early_leave_minutes
    assert after.missing_checkouts <= before.missing_checkouts
    assert sum(p.status == "absent" for p in after.periods) <= sum(
        p.status == "absent" for p in before.periods)


@settings(max_examples=150, deadline=None)
@given(days())
def test_worked_time_and_statuses_stay_in_bounds(day: DayInput) -> None:
    result = evaluate_day(day)
    assert 0 <= result.worked_minutes <= result.scheduled_minutes or result.status == "holiday"
    assert result.overtime_minutes >= 0
    assert result.status in SEVERITY
    assert result.explanation and result.explanation[0].startswith(result.status)
    for period in result.periods:
        assert 0 <= period.worked_minutes <= period.scheduled_minutes
    if not result.punches:
        assert result.worked_minutes == 0


@settings(max_examples=100, deadline=None)
@given(days(), st.sampled_from(ZONES))
def test_the_zone_a_punch_is_written_in_does_not_matter(day: DayInput, other: ZoneInfo) -> None:
    """The same instants written with another UTC offset give the same day."""
    moved = DayInput(date=day.date, tz=day.tz, shift=day.shift,
                     punches=tuple(p.astimezone(other) for p in day.punches),
                     overtime=day.overtime)
    before, after = evaluate_day(day), evaluate_day(moved)
    assert (before.status, before.worked_minutes, before.late_minutes, before.overtime_minutes) \
        == (after.status, after.worked_minutes, after.late_minutes, after.overtime_minutes)
