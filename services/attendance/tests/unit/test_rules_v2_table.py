"""Table tests for the rules RULES.md v2 added (issue #12): punch policy, worked time by pairs,
hours thresholds, automatic check-out, overtime minimum/rounding/without approval, flexible and
24-hour shifts, working on holidays, employment dates, half days of leave, roster rest days."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from attendance_svc.rules import (
    Absence,
    DayInput,
    DayResult,
    Interval,
    PeriodSpec,
    ShiftSpec,
    evaluate_day,
)
from attendance_svc.rules.model import DEFAULT_SHIFT
from attendance_svc.rules.month import DayFigures, summarise_month

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 3, 3)  # a Tuesday
OFFICE = DEFAULT_SHIFT  # 08:00-12:00 and 14:00-18:00, first_last by default
NINE_TO_FIVE = ShiftSpec(periods=(PeriodSpec(time(9), time(17)),), name="Nine to five")


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=PARIS).astimezone(UTC)


def run(*punches: datetime, shift: ShiftSpec | None = OFFICE, day: date = DAY,
        **kwargs: object) -> DayResult:
    return evaluate_day(DayInput(date=day, tz=PARIS, shift=shift, punches=tuple(punches),
                                 **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(("punches", "status", "late", "early", "worked", "missing"), [
    pytest.param((at(7, 55), at(18, 5)), "present", 0, 0, 480, 0, id="two punches a day"),
    pytest.param((at(8, 55), at(18, 5)), "late", 55, 0, 425, 0, id="the issue's 08:55-18:05"),
    pytest.param((at(7, 55), at(12, 1), at(13, 58), at(18, 5)), "present", 0, 0, 480, 0,
                 id="a punched break is optional"),
    pytest.param((at(7, 55), at(17, 30)), "early_leave", 0, 30, 450, 0, id="early leave"),
    pytest.param((at(13, 50), at(18, 5)), "half_day", 0, 0, 240, 0,
                 id="came after the morning: morning absent"),
    pytest.param((at(7, 55), at(11, 0)), "half_day", 0, 60, 180, 0,
                 id="left before the afternoon: afternoon absent"),
    pytest.param((at(7, 58),), "present", 0, 0, 0, 1, id="lone check-in: check-out missing"),
    pytest.param((), "absent", 0, 0, 0, 0, id="no punch"),
])
def test_first_last_policy(punches: tuple[datetime, ...], status: str, late: int, early: int,
                           worked: int, missing: int) -> None:
    result = run(*punches)
    assert (result.status, result.late_minutes, result.early_leave_minutes,
            result.worked_minutes, result.missing_checkouts) == (status, late, early, worked,
                                                                 missing)
    assert "punch policy first_last" in result.explanation[0]


def test_late_from_break() -> None:
    result = run(at(7, 55), at(12, 1), at(14, 20), at(18, 5))
    assert result.status == "late" and result.late_minutes == 20
    assert "late_from_break: back in 14:20, start 14:00" in result.explanation_text
    on_time = run(at(7, 55), at(12, 1), at(13, 59), at(18, 5))
    assert on_time.status == "present"


@pytest.mark.parametrize(("worked_time", "worked", "missing"), [
    ("first_last", 480, 0), ("pairs", 450, 0)])
def test_worked_time_by_pairs(worked_time: str, worked: int, missing: int) -> None:
    shift = replace(OFFICE, worked_time=worked_time)
    result = run(at(7, 55), at(10), at(10, 30), at(18, 5), shift=shift)
    assert (result.worked_minutes, result.missing_checkouts) == (worked, missing)


def test_pairs_trailing_check_in_is_a_missing_check_out() -> None:
    shift = replace(OFFICE, worked_time="pairs")
    result = run(at(7, 55), at(12), at(14), shift=shift)
    assert result.worked_minutes == 240 and result.missing_checkouts == 1
    assert result.status == "present"  # the leaving time is unknown: not early, not absent


@pytest.mark.parametrize(("out", "status", "reason"), [
    (at(11), "absent", "less than absent_below_hours 3.0 h"),
    (at(13, 30), "half_day", "less than half_day_hours 6.0 h"),
    (at(16, 30), "early_leave", "early leave"),
])
def test_worked_hours_thresholds(out: datetime, status: str, reason: str) -> None:
    shift = replace(NINE_TO_FIVE, absent_below_hours=3.0, half_day_hours=6.0,
                    absent_if_early_minutes=480)
    result = run(at(9), out, shift=shift)
    assert result.status == status and reason in result.explanation_text


def test_thresholds_wait_for_a_missing_check_out() -> None:
    shift = replace(NINE_TO_FIVE, absent_below_hours=3.0)
    assert run(at(9), shift=shift).status == "present"


def test_auto_checkout_closes_a_lone_check_in_at_the_end() -> None:
    shift = replace(OFFICE, auto_checkout=True)
    result = run(at(7, 58), shift=shift)
    assert (result.status, result.worked_minutes, result.missing_checkouts) == ("present", 480, 0)
    assert "automatic check-out at 18:00 (auto_checkout)" in result.explanation_text
    assert result.periods[-1].auto_checkout
    every = run(at(7, 58), at(13, 58), shift=replace(shift, punch_policy="every_period"))
    assert every.worked_minutes == 480 and every.missing_checkouts == 0


@pytest.mark.parametrize(("out", "minimum", "rounding", "overtime"), [
    (at(18, 45), 0, 0, 45),
    (at(18, 20), 30, 0, 0),
    (at(18, 45), 30, 0, 45),
    (at(18, 45), 0, 30, 30),
    (at(19, 29), 30, 15, 75),
])
def test_overtime_minimum_and_rounding_without_approval(out: datetime, minimum: int,
                                                        rounding: int, overtime: int) -> None:
    shift = replace(OFFICE, overtime_without_approval=True, overtime_min_minutes=minimum,
                    overtime_rounding_minutes=rounding)
    result = run(at(8), out, shift=shift)
    assert result.overtime_minutes == overtime
    if overtime:
        assert "counted without approval" in result.explanation_text


def test_overtime_needs_approval_unless_the_shift_says_otherwise() -> None:
    assert run(at(8), at(18, 45)).overtime_minutes == 0
    approved = Interval(at(18), at(19))
    assert run(at(8), at(18, 45), overtime=(approved,)).overtime_minutes == 45
    short = replace(OFFICE, overtime_min_minutes=60)
    result = run(at(8), at(18, 45), shift=short, overtime=(approved,))
    assert result.overtime_minutes == 0
    assert "shorter than the minimum of 60 min" in result.explanation_text


FLEX = ShiftSpec(periods=(PeriodSpec(time(10), time(15)),), flexible=True, required_hours=8,
                 name="Flexible")


@pytest.mark.parametrize(("punches", "status", "late", "early", "worked"), [
    ((at(9, 30), at(17, 30)), "present", 0, 0, 480),
    ((at(7), at(15, 5)), "present", 0, 0, 485),
    ((at(10, 20), at(18, 20)), "late", 20, 0, 480),
    ((at(9), at(15)), "early_leave", 0, 120, 360),
    ((at(9), at(14, 30)), "early_leave", 0, 150, 330),
    ((), "absent", 0, 0, 0),
])
def test_flexible_shift(punches: tuple[datetime, ...], status: str, late: int, early: int,
                        worked: int) -> None:
    result = run(*punches, shift=FLEX)
    assert (result.status, result.late_minutes, result.early_leave_minutes,
            result.worked_minutes) == (status, late, early, worked)
    assert result.scheduled_minutes == 480


def test_flexible_half_day_by_hours_and_without_core_hours() -> None:
    half = replace(FLEX, half_day_hours=5.0, periods=())
    result = run(at(12), at(16), shift=half)
    assert result.status == "half_day" and result.worked_minutes == 240
    assert run(at(6), at(14), shift=half).status == "present"


def test_twenty_four_hour_shift() -> None:
    shift = ShiftSpec(periods=(PeriodSpec(time(8), time(8)),), name="24 h",
                      workdays=frozenset({2, 5}))
    result = run(at(7, 50), at(8, 5, day=DAY + timedelta(days=1)), shift=shift)
    assert (result.status, result.worked_minutes, result.scheduled_minutes) == (
        "present", 1440, 1440)
    assert result.periods[0].end == at(8, day=DAY + timedelta(days=1))


def test_work_on_holidays() -> None:
    holiday = run(at(7, 55), at(18, 5), holiday_name="Labour day")
    assert holiday.status == "holiday"
    shift = replace(OFFICE, work_on_holidays=True)
    worked = run(at(7, 55), at(18, 5), shift=shift, holiday_name="Labour day")
    assert worked.status == "present" and worked.worked_minutes == 480
    assert "holiday Labour day worked (work_on_holidays)" in worked.explanation_text
    assert run(shift=shift, holiday_name="Labour day").status == "absent"


@pytest.mark.parametrize(("hired", "left", "status"), [
    (DAY + timedelta(days=1), None, "not_employed"),
    (None, DAY - timedelta(days=1), "not_employed"),
    (DAY, DAY, "absent"),
])
def test_employment_dates(hired: date | None, left: date | None, status: str) -> None:
    result = run(hired_on=hired, left_on=left)
    assert result.status == status
    if status == "not_employed":
        assert result.explanation_text.startswith("not_employed: ")


def test_not_employed_days_count_for_nothing_in_the_month() -> None:
    month = summarise_month([DayFigures("not_employed"), DayFigures("absent"),
                             DayFigures("present", worked_minutes=480)])
    assert (month.days_absent, month.days_present, month.days_counted) == (1, 1, 2)


def test_half_day_of_leave_on_a_two_period_shift() -> None:
    first_half = Absence(at(0), at(0, day=DAY + timedelta(days=1)), "leave", "annual",
                         first_day=DAY, last_day=DAY, half="first")
    result = run(at(13, 55), at(18, 5), absences=(first_half,))
    assert result.status == "present" and result.leave_minutes == 240
    assert result.periods[0].status == "leave"
    assert run(absences=(first_half,)).status == "half_day"


def test_half_day_of_leave_inside_one_period() -> None:
    second_half = Absence(at(0), at(0, day=DAY + timedelta(days=1)), "leave", "annual",
                          first_day=DAY, last_day=DAY, half="second")
    result = run(at(8, 58), at(13, 2), shift=NINE_TO_FIVE, absences=(second_half,))
    assert result.status == "present" and result.leave_minutes == 240
    assert "half day of annual (second half, 240 min)" in result.explanation_text
    first_half = replace(second_half, half="first")
    late = run(at(13, 20), at(17), shift=NINE_TO_FIVE, absences=(first_half,))
    assert late.status == "late" and late.late_minutes == 20


def test_roster_rest_day_and_roster_work_day() -> None:
    saturday = date(2026, 3, 7)
    rest = run(at(8, day=saturday), scheduled=False, day=saturday)
    assert rest.status == "holiday" and "rest day of the roster" in rest.explanation_text
    weekday_rest = run(scheduled=False)
    assert weekday_rest.status == "holiday"
    worked = run(at(7, 55, day=saturday), at(18, day=saturday), scheduled=True, day=saturday)
    assert worked.status == "present"
