"""The six bugs of issue #12, each as a table test through the pure rules (the same scenarios
go through the HTTP API in tests/integration/test_issue12_bugs.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from attendance_svc.rules import (
    Absence,
    DayResult,
    DaySchedule,
    Interval,
    PeriodSpec,
    ShiftSpec,
    evaluate_range,
)
from attendance_svc.rules.model import DEFAULT_SHIFT

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT_WEEKDAYS = ShiftSpec(periods=(PeriodSpec(time(22), time(6)),), name="Night")
LONG_DAY = ShiftSpec(periods=(PeriodSpec(time(7), time(3)),), name="Long day",
                     workdays=frozenset(range(1, 8)))


def at(day: date, hh: int, mm: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=tz).astimezone(UTC)


def judge(first: date, last: date, shift: ShiftSpec, punches: list[datetime], *,
          holidays: dict[date, str] | None = None, tz: ZoneInfo = BERLIN,
          **kwargs: object) -> dict[date, DayResult]:
    """Judge [first, last] as the service does: with the schedule of the days around it."""
    days = [first + timedelta(days=n) for n in range(-2, (last - first).days + 2)]
    schedules = [DaySchedule(d, tz, shift, (holidays or {}).get(d)) for d in days]
    results = evaluate_range(schedules, punches, **kwargs)  # type: ignore[arg-type]
    return {r.date: r for r in results}


def test_bug1_night_shift_next_to_a_rest_day_is_not_counted_again() -> None:
    friday, saturday = date(2025, 10, 10), date(2025, 10, 11)
    punches = [at(friday, 21, 55), at(saturday, 2), at(saturday, 2, 30), at(saturday, 6, 5)]
    days = judge(friday, saturday + timedelta(days=1), NIGHT_WEEKDAYS, punches)
    assert days[friday].status == "present" and days[friday].worked_minutes == 480
    assert days[saturday].status == "holiday"
    assert days[saturday].worked_minutes == 0 and days[saturday].punches == ()
    assert sum(d.overtime_minutes for d in days.values()) == 0


def test_bug2_overnight_work_starting_on_a_holiday_belongs_to_the_holiday() -> None:
    holiday, next_day = date(2025, 10, 1), date(2025, 10, 2)
    approved = Interval(at(holiday, 22), at(next_day, 6))
    punches = [at(holiday, 21, 58), at(next_day, 6, 2), at(next_day, 8), at(next_day, 18)]
    days = judge(holiday, next_day, DEFAULT_SHIFT, punches, holidays={holiday: "Unity day"},
                 overtime=(approved,))
    assert days[holiday].status == "holiday"
    assert days[holiday].worked_minutes == 484 and days[holiday].overtime_minutes == 480
    assert at(next_day, 6, 2) in days[holiday].punches
    assert days[next_day].status == "present"
    assert at(next_day, 6, 2) not in days[next_day].punches


@pytest.mark.parametrize("sunday", [date(2025, 10, 26), date(2025, 11, 2)],
                         ids=["DST fall-back (25 h)", "ordinary Sunday"])
def test_bug3_rest_day_on_the_dst_change_is_a_real_local_day(sunday: date) -> None:
    approved = Interval(at(sunday, 19), at(sunday, 23, 59))
    days = judge(sunday, sunday, DEFAULT_SHIFT, [at(sunday, 20), at(sunday, 23, 30)],
                 overtime=(approved,))
    assert days[sunday].status == "holiday"
    assert days[sunday].worked_minutes == 210 and days[sunday].overtime_minutes == 210


def test_bug4_a_punch_in_two_overlapping_windows_belongs_to_the_later_instance() -> None:
    monday, tuesday, wednesday = date(2025, 10, 6), date(2025, 10, 7), date(2025, 10, 8)
    punches = [at(monday, 6, 50), at(tuesday, 6, 50), at(wednesday, 3, 2)]
    days = judge(monday, tuesday, LONG_DAY, punches)
    assert days[monday].missing_checkouts == 1 and days[monday].worked_minutes == 0
    assert days[monday].punches == (at(monday, 6, 50),)
    assert days[tuesday].status == "present" and days[tuesday].worked_minutes == 1200
    assert days[tuesday].punches == (at(tuesday, 6, 50), at(wednesday, 3, 2))


def test_bug5_a_day_of_leave_is_the_night_that_starts_on_it() -> None:
    monday, tuesday = date(2025, 10, 6), date(2025, 10, 7)
    leave = Absence(at(tuesday, 0), at(tuesday + timedelta(days=1), 0), "leave", "annual",
                    first_day=tuesday, last_day=tuesday)
    punches = [at(monday, 21, 55), at(tuesday, 6, 5)]
    days = judge(monday, tuesday, NIGHT_WEEKDAYS, punches, absences=(leave,))
    assert days[monday].status == "present" and days[monday].leave_minutes == 0
    assert days[tuesday].status == "leave" and days[tuesday].leave_minutes == 480


def test_bug6_a_day_is_a_function_of_its_inputs_alone() -> None:
    """The same day judged alone, within a month, and next to an unrelated approval."""
    shanghai = ZoneInfo("Asia/Shanghai")
    day = date(2025, 10, 14)
    punches = [at(day, 7, 58, shanghai), at(day, 18, 2, shanghai)]
    alone = judge(day, day, DEFAULT_SHIFT, punches, tz=shanghai)[day]
    month = judge(date(2025, 10, 1), date(2025, 10, 31), DEFAULT_SHIFT, punches, tz=shanghai)
    assert alone == month[day] and alone.status == "present"
    other_day = Interval(at(day + timedelta(days=3), 18, tz=shanghai),
                         at(day + timedelta(days=3), 20, tz=shanghai))
    assert judge(day, day, DEFAULT_SHIFT, punches, tz=shanghai, overtime=(other_day,))[day] \
        == alone
    moved = judge(day, day, DEFAULT_SHIFT, punches, tz=ZoneInfo("Europe/Paris"))[day]
    # 07:58 in Shanghai is 01:58 in Paris, outside every window; 18:02 is 12:02: a lone check-in
    assert (moved.status, moved.missing_checkouts) == ("half_day", 1)


def test_every_period_policy_still_reachable() -> None:
    """The old four-punch behaviour is one setting away (migrations keep it reachable)."""
    shift = replace(DEFAULT_SHIFT, punch_policy="every_period")
    day = date(2025, 10, 14)
    result = judge(day, day, shift, [at(day, 8, 55), at(day, 18, 5)])[day]
    assert result.status == "half_day" and result.missing_checkouts == 2
