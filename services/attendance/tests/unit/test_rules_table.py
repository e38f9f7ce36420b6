"""Table tests: every rule of RULES.md and its edge cases, on the pure rules engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from attendance_svc.rules import (
    Absence,
    DayInput,
    Interval,
    PeriodSpec,
    ShiftSpec,
    assess_clock_in,
    evaluate_day,
    shift_instance,
)
from attendance_svc.rules.model import DEFAULT_SHIFT
from attendance_svc.rules.month import DayFigures, summarise_month

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)
# The thesis's four punches a day: these tests pin the every_period policy down.
OFFICE = replace(DEFAULT_SHIFT, late_grace_minutes=5, early_leave_grace_minutes=5,
                 punch_policy="every_period")
NIGHT = ShiftSpec(periods=(PeriodSpec(time(22), time(6)),), name="Night",
                  workdays=frozenset(range(1, 8)))


def at(hh: int, mm: int = 0, day: date = MONDAY, tz: ZoneInfo = PARIS, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=tz).astimezone(UTC)


def run(*punches: datetime, shift: ShiftSpec | None = OFFICE, day: date = MONDAY,
        **kwargs: object):  # type: ignore[no-untyped-def]
    return evaluate_day(DayInput(date=day, tz=PARIS, shift=shift, punches=tuple(punches),
                                 **kwargs))  # type: ignore[arg-type]


FULL = (at(7, 55), at(12, 2), at(13, 58), at(18, 1))


@pytest.mark.parametrize(("punches", "status", "late", "early", "worked"), [
    pytest.param(FULL, "present", 0, 0, 480, id="on time"),
    pytest.param((at(8, 5), at(12), at(14), at(18)), "present", 0, 0, 475, id="late within grace"),
    pytest.param((at(8, 17), at(12), at(14), at(18)), "late", 17, 0, 463, id="late"),
    pytest.param((at(8), at(12), at(14), at(17, 30)), "early_leave", 0, 30, 450, id="early leave"),
    pytest.param((at(8), at(12), at(14), at(17, 56)), "present", 0, 0, 476,
                 id="early within grace"),
    pytest.param((at(8, 20), at(12), at(14), at(17, 30)), "late_and_early_leave", 20, 30, 430,
                 id="late and early"),
    pytest.param((at(10, 1), at(12), at(14), at(18)), "half_day", 0, 0, 359,
                 id="later than absent_after_late: period absent"),
    pytest.param((at(8), at(9, 59), at(14), at(18)), "half_day", 0, 0, 359,
                 id="earlier than absent_if_early: period absent"),
    pytest.param((), "absent", 0, 0, 0, id="no punch"),
    pytest.param((at(8), at(12)), "half_day", 0, 0, 240, id="afternoon absent"),
])
def test_period_rules(punches: tuple[datetime, ...], status: str, late: int, early: int,
                      worked: int) -> None:
    result = run(*punches)
    assert (result.status, result.late_minutes, result.early_leave_minutes,
            result.worked_minutes) == (status, late, early, worked)


def test_explanation_names_rule_and_numbers() -> None:
    result = run(at(8, 17), at(12), at(14), at(17, 30))
    text = result.explanation_text
    assert "late: first in 08:17, start 08:00, grace 5 min" in text
    assert "early leave: last out 17:30, end 18:00, grace 5 min" in text
    assert run().periods[0].explanation.startswith("period 1 08:00-12:00: absent: no punch")
    absent = run(at(10, 30), at(12), at(14), at(18)).periods[0].explanation
    assert "more than 120 min" in absent


def test_single_punch_is_a_check_in_with_missing_checkout() -> None:
    result = run(at(8), at(14), at(18))
    assert result.periods[0].missing_checkout and result.missing_checkouts == 1
    assert result.periods[0].worked_minutes == 0  # not silently the whole period
    assert result.status == "present" and result.worked_minutes == 240
    assert "missing check-out" in result.explanation_text


def test_single_late_punch_is_late_and_missing_checkout() -> None:
    result = run(at(8, 30), at(14), at(18))
    assert result.status == "late" and result.late_minutes == 30 and result.missing_checkouts == 1


def test_half_day_hours_threshold() -> None:
    shift = replace(OFFICE, half_day_hours=6.0, absent_if_early_minutes=240)
    short = run(at(8), at(12), at(14), at(15), shift=shift)
    assert short.status == "half_day" and short.worked_minutes == 300
    assert "less than half_day_hours 6.0 h" in short.explanation_text
    enough = run(at(8), at(12), at(14), at(16, 30), shift=shift)
    assert enough.status == "early_leave"


@pytest.mark.parametrize(("punch", "period"), [
    (at(12, 59), 0), (at(13, 0), 1), (at(12, 30), 0), (at(13, 30), 1),
    (at(7, 0), 0), (at(21, 59), 1),
])
def test_gap_split_at_midpoint_and_window_edges(punch: datetime, period: int) -> None:
    instance = shift_instance(OFFICE, MONDAY, PARIS)
    found = instance.period_of(punch)
    assert found is not None and found.index == period


@pytest.mark.parametrize("punch", [at(6, 59), at(22, 0, ss=1), at(23, 0)])
def test_outside_the_windows_belongs_to_no_period(punch: datetime) -> None:
    assert shift_instance(OFFICE, MONDAY, PARIS).period_of(punch) is None


def test_early_checkin_and_checkout_until_windows() -> None:
    early = run(at(7, 1), at(12), at(14), at(18))
    assert early.periods[0].first_in == at(7, 1) and early.status == "present"
    too_early = run(at(6, 59), at(12), at(14), at(18))
    assert too_early.periods[0].missing_checkout and too_early.periods[0].first_in == at(12)
    late_out = run(at(8), at(12), at(14), at(21, 59))
    assert late_out.periods[1].last_out == at(21, 59) and late_out.worked_minutes == 480
    too_late = run(at(8), at(12), at(14), at(22, 1))
    assert too_late.periods[1].missing_checkout


def test_worked_time_is_clipped_to_the_period() -> None:
    result = run(at(7, 10), at(12, 40), at(13, 20), at(19, 30))
    assert result.worked_minutes == 480 and result.overtime_minutes == 0


def test_night_shift_is_dated_by_its_start() -> None:
    punches = (at(21, 55), at(6, 2, day=MONDAY + timedelta(days=1)))
    monday = run(*punches, shift=NIGHT)
    assert monday.status == "present" and monday.worked_minutes == 480
    assert monday.periods[0].start == at(22) and monday.periods[0].end == at(6, day=date(2026, 3, 3))
    tuesday = run(*punches, shift=NIGHT, day=date(2026, 3, 3))
    assert tuesday.status == "absent"  # the 06:02 check-out is Monday's, not Tuesday's


def test_night_shift_late_and_early_across_midnight() -> None:
    result = run(at(22, 40), at(5, 0, day=date(2026, 3, 3)), shift=NIGHT)
    assert result.status == "late_and_early_leave"
    assert (result.late_minutes, result.early_leave_minutes) == (40, 60)


def test_split_night_shift_second_period_after_midnight() -> None:
    shift = ShiftSpec(periods=(PeriodSpec(time(20), time(0)), PeriodSpec(time(1), time(5))),
                      workdays=frozenset(range(1, 8)))
    instance = shift_instance(shift, MONDAY, PARIS)
    tuesday = date(2026, 3, 3)
    assert instance.periods[0].end == at(0, day=tuesday)
    assert instance.periods[1].start == at(1, day=tuesday)
    assert instance.periods[1].end == at(5, day=tuesday)


@pytest.mark.parametrize(("day", "minutes"), [
    (date(2026, 3, 28), 420),   # Europe/Paris springs forward that night: 7 real hours
    (date(2026, 10, 24), 540),  # and falls back: 9 real hours
    (date(2026, 6, 13), 480),
])
def test_night_shift_across_dst_change(day: date, minutes: int) -> None:
    result = run(at(22, day=day), at(6, day=day + timedelta(days=1)), shift=NIGHT, day=day)
    assert result.status == "present"
    assert result.worked_minutes == minutes == result.scheduled_minutes


def test_day_shift_in_local_time_on_both_sides_of_dst() -> None:
    for day in (date(2026, 3, 27), date(2026, 3, 30)):  # Friday before, Monday after
        result = run(at(8, 10, day=day), at(12, day=day), at(14, day=day), at(18, day=day),
                     day=day)
        assert result.status == "late" and result.late_minutes == 10


def test_leave_covering_one_of_two_periods() -> None:
    leave = Absence(at(8), at(12), "leave", "annual")
    result = run(at(13, 55), at(18, 3), absences=(leave,))
    assert result.periods[0].status == "leave" and result.periods[1].status == "present"
    assert result.status == "present"
    assert result.leave_minutes == 240 and result.leave_by_type == {"annual": 240}
    judged = run(at(14, 20), at(18), absences=(leave,))
    assert judged.status == "late" and judged.late_minutes == 20
    assert "approved annual leave 08:00-12:00" in judged.explanation_text


def test_leave_and_trip_covering_the_whole_day() -> None:
    day_leave = Absence(at(0), at(0, day=MONDAY + timedelta(days=1)), "leave", "sick")
    assert run(absences=(day_leave,)).status == "leave"
    trip = Absence(at(0), at(23, 59), "business_trip")
    result = run(absences=(trip,))
    assert result.status == "business_trip" and result.business_trip_minutes == 480


def test_absent_half_day_when_leave_covers_one_period_and_nothing_else() -> None:
    leave = Absence(at(14), at(18), "leave", "personal")
    result = run(absences=(leave,))
    assert result.status == "half_day" and result.periods[0].status == "absent"


def test_holiday_and_rest_day() -> None:
    holiday = run(*FULL, holiday_name="Labour day")
    assert holiday.status == "holiday" and holiday.overtime_minutes == 0
    assert "holiday: Labour day" in holiday.explanation_text
    saturday = date(2026, 3, 7)
    rest = run(at(9, day=saturday), at(12, day=saturday), day=saturday)
    assert rest.status == "holiday" and rest.worked_minutes == 180 and rest.overtime_minutes == 0
    assert run(*FULL, shift=None).status == "holiday"


def test_work_on_a_holiday_is_overtime_only_when_approved() -> None:
    approved = Interval(at(9), at(11))
    result = run(at(8), at(12), holiday_name="Bank holiday", overtime=(approved,))
    assert result.status == "holiday" and result.overtime_minutes == 120


def test_overtime_from_intervals_not_totals() -> None:
    evening = Interval(at(18), at(19))
    result = run(at(8), at(12), at(14), at(20), overtime=(evening,))
    assert result.overtime_minutes == 60  # present until 20:00, approved until 19:00
    assert run(at(8), at(12), at(14), at(20)).overtime_minutes == 0  # not approved
    morning = Interval(at(7), at(8))
    early = run(at(7, 10), at(12), at(14), at(18), overtime=(morning,))
    assert early.overtime_minutes == 50
    # Approved overtime covering the scheduled time itself adds nothing.
    inside = run(*FULL, overtime=(Interval(at(9), at(11)),))
    assert inside.overtime_minutes == 0
    # Approved but not worked: nothing.
    assert run(at(8), at(12), at(14), at(18), overtime=(Interval(at(19), at(21)),)
               ).overtime_minutes == 0


def test_duplicate_close_punches_do_not_change_the_day() -> None:
    assert run(*FULL, at(7, 55, ss=20)).status == "present"


@pytest.mark.parametrize(("moment", "earlier", "expected"), [
    (at(7, 58), (), ("in", "on_time")),
    (at(8, 6), (), ("in", "late")),
    (at(17, 0), (at(14),), ("out", "early_leave")),
    (at(18, 2), (at(14),), ("out", "on_time")),
    (at(23, 0), (), ("in", "recorded")),
    (at(23, 30), (at(23, 0),), ("out", "recorded")),
])
def test_clock_in_assessment(moment: datetime, earlier: tuple[datetime, ...],
                             expected: tuple[str, str]) -> None:
    instance = shift_instance(OFFICE, MONDAY, PARIS)
    verdict = assess_clock_in(moment, earlier, [instance], PARIS, late_grace_minutes=5,
                              early_leave_grace_minutes=5)
    assert (verdict.kind, verdict.status) == expected


def test_the_shift_decides_in_or_out_not_alternation() -> None:
    """Issue 15: a second sighting in the first half of a period repeats the check-in (the
    kiosk answers "already clocked in"); the second half is a check-out; a first punch in the
    second half without any check-in in the shift is a late check-in, not a check-out."""
    instance = shift_instance(OFFICE, MONDAY, PARIS)

    def verdict(moment: datetime, *earlier: datetime) -> tuple[str, str, datetime | None]:
        found = assess_clock_in(moment, earlier, [instance], PARIS, late_grace_minutes=5,
                                early_leave_grace_minutes=5)
        return found.kind, found.status, found.repeat_of

    assert verdict(at(8, 3), at(8, 2)) == ("in", "repeat", at(8, 2))
    assert verdict(at(9, 30), at(8, 2)) == ("in", "repeat", at(8, 2))
    assert verdict(at(11, 55), at(8, 2))[:2] == ("out", "on_time")
    assert verdict(at(11, 0))[:2] == ("in", "late")
    # Checked in and out in the morning, back before the midpoint: in again.
    assert verdict(at(9, 0), at(8, 0), at(8, 30))[:2] == ("in", "late")
    # In the morning and never out at noon: 17:00 in the afternoon is the check-out.
    assert verdict(at(17, 0), at(8, 0))[:2] == ("out", "early_leave")


def test_month_counts() -> None:
    days = [
        DayFigures("present", worked_minutes=480, scheduled_minutes=480),
        DayFigures("late", worked_minutes=460, scheduled_minutes=480),
        DayFigures("late_and_early_leave", worked_minutes=400, scheduled_minutes=480,
                   missing_checkouts=1),
        DayFigures("absent", scheduled_minutes=480),
        DayFigures("half_day", worked_minutes=240, leave_minutes=240, scheduled_minutes=480,
                   leave_by_type={"annual": 240}),
        DayFigures("leave", leave_minutes=480, scheduled_minutes=480, leave_by_type={"sick": 480}),
        DayFigures("business_trip", business_trip_minutes=480, scheduled_minutes=480),
        DayFigures("holiday", worked_minutes=120, overtime_minutes=120),
    ]
    month = summarise_month(days)
    assert month.days_present == 3.5 and month.days_absent == 1.5
    assert (month.late_count, month.early_leave_count, month.missing_checkouts) == (2, 1, 1)
    assert month.leave_hours == 12 and month.leave_hours_by_type == {"annual": 4, "sick": 8}
    assert month.business_trip_days == 1 and month.overtime_hours == 2
    assert month.worked_hours == round((480 + 460 + 400 + 240 + 120) / 60, 2)
    assert month.holidays == 1 and month.days_counted == 8


def test_shift_needs_a_period_and_intervals_need_zones() -> None:
    with pytest.raises(ValueError, match="at least one period"):
        ShiftSpec(periods=())
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_clock_in_after_midnight_checks_out_of_last_nights_shift() -> None:
    tuesday = date(2026, 3, 3)
    monday_night = shift_instance(NIGHT, MONDAY, PARIS)
    tuesday_night = shift_instance(NIGHT, tuesday, PARIS)
    out = assess_clock_in(at(5, 30, day=tuesday), [at(21, 58)], [monday_night, tuesday_night],
                          PARIS)
    assert (out.kind, out.status) == ("out", "early_leave")
    evening = assess_clock_in(at(22, 3, day=tuesday), [at(21, 58), at(5, 30, day=tuesday)],
                              [monday_night, tuesday_night], PARIS)
    assert (evening.kind, evening.status) == ("in", "late")


def test_leave_next_to_lone_punches_is_not_a_half_day() -> None:
    """Found by the property test: a day of two lone punches (0 min worked, two missing
    check-outs) must not become a half day when a leave covers the first period."""
    shift = replace(OFFICE, half_day_hours=5.0, absent_after_late_minutes=30,
                    absent_if_early_minutes=30)
    utc = ZoneInfo("UTC")
    day = date(2026, 1, 1)
    punches = (datetime(2026, 1, 1, 7, tzinfo=UTC), datetime(2026, 1, 1, 13, tzinfo=UTC))
    leave = Absence(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 8, 1, tzinfo=UTC),
                    "leave", "annual")
    before = evaluate_day(DayInput(day, utc, shift, punches))
    after = evaluate_day(DayInput(day, utc, shift, punches, absences=(leave,)))
    assert before.status == "present" and before.missing_checkouts == 2
    assert after.status == "present" and after.leave_minutes == 240


def test_a_day_under_way_is_pending_not_absent() -> None:
    morning = run(at(8, 2), as_of=at(10))
    assert morning.periods[1].status == "pending" and morning.status == "present"
    assert "window is open until" in morning.periods[1].explanation
    nothing_yet = run(as_of=at(7, 30))
    assert nothing_yet.status == "pending"
    afternoon = run(as_of=at(15))
    assert afternoon.periods[0].status == "absent" and afternoon.status == "half_day"
    over = run(as_of=at(23))
    assert over.status == "absent"
