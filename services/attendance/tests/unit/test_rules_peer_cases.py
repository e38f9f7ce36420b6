"""Scenarios of the peers' public test suites, translated into our rules (not their code):
Frappe HRMS `hrms/hr/doctype/shift_type/test_shift_type.py`,
`hrms/hr/doctype/employee_checkin/test_employee_checkin.py` and
`hrms/hr/doctype/attendance_request/test_attendance_request.py`, and Odoo
`addons/hr_attendance/tests/test_hr_attendance_overtime.py`. Each case names its source test.
Where our rules differ by design, the case says so (RULES.md: "where this file is silent, do
what they do")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from attendance_svc.rules import (
    Absence,
    DayResult,
    DaySchedule,
    PeriodSpec,
    ShiftSpec,
    evaluate_range,
)

UTC_ZONE = ZoneInfo("UTC")
DAY = date(2025, 6, 10)  # a Tuesday
SHIFT_TYPE = "hrms/hr/doctype/shift_type/test_shift_type.py"
CHECKIN = "hrms/hr/doctype/employee_checkin/test_employee_checkin.py"
# Frappe's setup_shift_type(): 08:00-12:00, check-in from 60 min before, check-out until 60 min
# after, no grace; no "absent if early/late" rule, so those margins are opened wide here.
FRAPPE = ShiftSpec(periods=(PeriodSpec(time(8), time(12)),), early_checkin_minutes=60,
                   checkout_until_minutes=60, absent_after_late_minutes=240,
                   absent_if_early_minutes=240, workdays=frozenset(range(1, 8)), name="_Test Shift")


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=UTC)


def judge(shift: ShiftSpec | None, punches: list[datetime], *, day: date = DAY,
          only_on: date | None = None, holiday: str | None = None,
          **kwargs: object) -> dict[date, DayResult]:
    """Judge `day` and the day after; `only_on`: the shift is assigned on that date only."""
    days = [day + timedelta(days=n) for n in range(-2, 3)]
    schedules = [DaySchedule(d, UTC_ZONE, shift if only_on in (None, d) else None,
                             holiday if d == day else None) for d in days]
    return {r.date: r for r in evaluate_range(schedules, punches, **kwargs)}  # type: ignore[arg-type]


def test_mark_attendance() -> None:
    """test_shift_type.py::test_mark_attendance: 08:00 and 12:00 -> Present."""
    assert judge(FRAPPE, [at(8), at(12)])[DAY].status == "present"


def test_mark_attendance_with_different_shift_start_time() -> None:
    """test_shift_type.py::test_mark_attendance_with_different_shift_start_time: the check-in
    margin changes to 120 between the punches; the day follows the current shift -> Present."""
    changed = replace(FRAPPE, early_checkin_minutes=120)
    assert judge(changed, [at(8), at(12)])[DAY].status == "present"


def test_entry_and_exit_grace() -> None:
    """test_shift_type.py::test_entry_and_exit_grace: grace 60/60, in 09:30 out 10:30. Frappe:
    Present flagged late entry and early exit; ours names both in the status (documented
    difference: Frappe has no late/early statuses)."""
    shift = replace(FRAPPE, late_grace_minutes=60, early_leave_grace_minutes=60)
    result = judge(shift, [at(9, 30), at(10, 30)])[DAY]
    assert result.status == "late_and_early_leave"
    assert (result.late_minutes, result.early_leave_minutes, result.worked_minutes) == (90, 90, 60)


@pytest.mark.parametrize(("source", "half_day", "absent_below", "out", "status"), [
    ("test_working_hours_threshold_for_half_day", 2.0, None, at(9, 30), "half_day"),
    ("test_working_hours_threshold_for_absent", None, 2.0, at(9, 30), "absent"),
    ("test_working_hours_threshold_for_absent_and_half_day_1", 2.0, 1.0, at(9, 30), "half_day"),
    ("test_working_hours_threshold_for_absent_and_half_day_2", 2.0, 1.0, at(8, 45), "absent"),
])
def test_working_hours_thresholds(source: str, half_day: float | None,
                                  absent_below: float | None, out: datetime,
                                  status: str) -> None:
    """test_shift_type.py::<source>: in 08:00, out as given, thresholds in hours."""
    shift = replace(FRAPPE, half_day_hours=half_day, absent_below_hours=absent_below)
    result = judge(shift, [at(8), out])[DAY]
    assert result.status == status, source
    assert result.worked_minutes == int((out - at(8)).total_seconds() // 60)


@pytest.mark.parametrize(("source", "work_on_holidays", "status"), [
    ("test_mark_auto_attendance_on_holiday_enabled", True, "present"),
    ("test_mark_auto_attendance_on_holiday_disabled", False, "holiday"),
])
def test_attendance_on_holidays(source: str, work_on_holidays: bool, status: str) -> None:
    """test_shift_type.py::<source>: 08:00 and 12:00 on a holiday. Frappe marks nothing when
    disabled; ours answers `holiday`."""
    shift = replace(FRAPPE, work_on_holidays=work_on_holidays)
    assert judge(shift, [at(8), at(12)], holiday="test")[DAY].status == status, source


def test_do_not_mark_absent_before_shift_actual_end_time() -> None:
    """test_shift_type.py::test_do_not_mark_absent_before_shift_actual_end_time: 15:00-23:30,
    check-out until 00:30: not absent before the window closes, absent after it."""
    evening = replace(FRAPPE, periods=(PeriodSpec(time(15), time(23, 30)),))
    next_day = DAY + timedelta(days=1)
    assert judge(evening, [], as_of=at(0, 20, next_day))[DAY].status == "pending"
    assert judge(evening, [], as_of=at(1, 0, next_day))[DAY].status == "absent"
    worked = judge(evening, [at(15), at(23, 30)], as_of=at(1, 0, next_day))[DAY]
    assert worked.status == "present"


def test_get_start_and_end_dates() -> None:
    """test_shift_type.py::test_get_start_and_end_dates: absent on the relieving date, nothing
    after it nor before the joining date (ours: not_employed)."""
    relieving = DAY
    days = judge(FRAPPE, [], left_on=relieving, hired_on=DAY - timedelta(days=30))
    assert days[relieving].status == "absent"
    assert days[relieving + timedelta(days=1)].status == "not_employed"
    joined = judge(FRAPPE, [], hired_on=DAY + timedelta(days=1))
    assert joined[DAY].status == "not_employed"


@pytest.mark.parametrize(("worked_time", "hours"), [("first_last", 6.5), ("pairs", 4.5)])
def test_calculate_working_hours(worked_time: str, hours: float) -> None:
    """test_employee_checkin.py::test_calculate_working_hours (alternating entries): five logs
    390, 300, 270, 90 and 0 min before the last; first-to-last 6.5 h, every valid pair 4.5 h.
    Judged on a day without a shift, where nothing clips the time."""
    last = at(18)
    logs = [last - timedelta(minutes=m) for m in (390, 300, 270, 90, 0)]
    rest_day = replace(FRAPPE, workdays=frozenset(), worked_time=worked_time)
    assert judge(rest_day, logs)[DAY].worked_minutes == hours * 60


def test_fetch_shift() -> None:
    """test_employee_checkin.py::test_fetch_shift: 07:00 (60 min before) and 13:00 (60 min
    after) belong to the 08:00-12:00 instance; 13:01 does not."""
    days = judge(FRAPPE, [at(7), at(8, 45), at(13), at(13, 1)], only_on=DAY)
    assert days[DAY].punches == (at(7), at(8, 45), at(13))


def test_fetch_night_shift_for_assignment_without_end_date() -> None:
    """test_employee_checkin.py::test_fetch_night_shift_for_assignment_without_end_date:
    23:00-01:00, in 23:00, out 01:30 the next day: both logs are the first day's shift."""
    midnight = replace(FRAPPE, periods=(PeriodSpec(time(23), time(1)),))
    next_day = DAY + timedelta(days=1)
    result = judge(midnight, [at(23), at(1, 30, next_day)])[DAY]
    assert result.punches == (at(23), at(1, 30, next_day)) and result.status == "present"


def test_fetch_night_shift_on_assignment_boundary() -> None:
    """test_employee_checkin.py::test_fetch_night_shift_on_assignment_boundary: 23:00-07:00
    assigned for one day: the 07:00 check-out the next morning is that day's."""
    night = replace(FRAPPE, periods=(PeriodSpec(time(23), time(7)),))
    next_day = DAY + timedelta(days=1)
    days = judge(night, [at(23), at(7, 0, next_day)], only_on=DAY)
    assert days[DAY].status == "present" and days[DAY].worked_minutes == 480
    assert days[next_day].punches == ()


def test_night_shift_not_fetched_outside_before_shift_margin() -> None:
    """test_employee_checkin.py::test_night_shift_not_fetched_outside_before_shift_margin:
    00:30-10:00 assigned for one day: 23:30 that evening (the next day's margin, not assigned)
    is not the shift's."""
    early = replace(FRAPPE, periods=(PeriodSpec(time(0, 30), time(10)),))
    days = judge(early, [at(23, 30)], only_on=DAY)
    assert at(23, 30) not in days[DAY].punches


# --- Odoo hr_attendance: addons/hr_attendance/tests/test_hr_attendance_overtime.py -----------
# Odoo's default working schedule: Monday to Friday 08:00-12:00 and 13:00-17:00, the company
# set to "no validation" (overtime counts without a request), employees in UTC unless named.
ODOO = ShiftSpec(periods=(PeriodSpec(time(8), time(12)), PeriodSpec(time(13), time(17))),
                 overtime_without_approval=True, name="Standard 40 hours/week")
MONDAY = date(2021, 1, 4)
SATURDAY = date(2021, 1, 2)


def odoo(punches: list[datetime], day: date = MONDAY, shift: ShiftSpec = ODOO,
         tz: ZoneInfo = UTC_ZONE) -> DayResult:
    days = [day + timedelta(days=n) for n in range(-2, 2)]
    schedules = [DaySchedule(d, tz, shift) for d in days]
    return {r.date: r for r in evaluate_range(schedules, punches)}[day]


def test_simple_overtime() -> None:
    """test_hr_attendance_overtime.py::test_simple_overtime: 08:00-12:00 and 13:00-18:00 -> 1 h;
    an open check-in makes none."""
    assert odoo([at(8, day=MONDAY)]).overtime_minutes == 0
    punched = odoo([at(8, day=MONDAY), at(12, day=MONDAY), at(13, day=MONDAY), at(18, day=MONDAY)],
                   shift=replace(ODOO, worked_time="pairs"))
    assert punched.overtime_minutes == 60 and punched.worked_minutes == 480


def test_overtime_weekend() -> None:
    """test_hr_attendance_overtime.py::test_overtime_weekend: Saturday 08:00-11:00 -> 3 h."""
    result = odoo([at(8, day=SATURDAY), at(11, day=SATURDAY)], day=SATURDAY)
    assert result.status == "holiday" and result.overtime_minutes == 180


def test_overtime_multiple() -> None:
    """test_hr_attendance_overtime.py::test_overtime_multiple: Saturday 08:00-19:00 (11 h) and
    Monday 07:00-17:00 (1 h before the start) -> 12 h."""
    saturday = odoo([at(8, day=SATURDAY), at(19, day=SATURDAY)], day=SATURDAY)
    monday = odoo([at(7, day=MONDAY), at(17, day=MONDAY)])
    assert saturday.overtime_minutes + monday.overtime_minutes == 12 * 60


def test_overtime_change_employee() -> None:
    """test_hr_attendance_overtime.py::test_overtime_change_employee: 07:00-18:00 -> 2 h."""
    assert odoo([at(7, day=MONDAY), at(18, day=MONDAY)]).overtime_minutes == 120


def test_overtime_far_timezones() -> None:
    """test_hr_attendance_overtime.py::test_overtime_far_timezones: a Tokyo employee 10:00-21:00
    local. Odoo counts a day's total (11 h - 1 h lunch - 8 h expected = 2 h); ours counts the
    intervals outside the schedule (RULES.md "Overtime": intervals, not totals): 17:00-21:00 is
    4 h, and the 2 h late start is reported as lateness, not netted off."""
    tokyo = ZoneInfo("Asia/Tokyo")
    result = odoo([datetime(2021, 1, 4, 1, tzinfo=UTC), datetime(2021, 1, 4, 12, tzinfo=UTC)],
                  tz=tokyo)
    assert result.date == MONDAY and result.overtime_minutes == 240
    assert result.late_minutes == 120


def test_overtime_unclosed() -> None:
    """test_hr_attendance_overtime.py::test_overtime_unclosed: an open attendance has no
    overtime; closed at 20:00 it has 3 h."""
    assert odoo([at(8, day=MONDAY)]).overtime_minutes == 0
    assert odoo([at(8, day=MONDAY), at(20, day=MONDAY)]).overtime_minutes == 180


@pytest.mark.parametrize(("minimum", "overtime"), [(10, 0), (4, 10)])
def test_overtime_company_threshold(minimum: int, overtime: int) -> None:
    """test_hr_attendance_overtime.py::test_overtime_company_threshold: 07:55-12:00 and
    13:00-17:05, tolerance 10 min -> none, 4 min -> 10 min. Ours applies the minimum to each
    interval (5 min each), Odoo to the day's total: the same answers here."""
    shift = replace(ODOO, worked_time="pairs", overtime_min_minutes=minimum)
    punches = [at(7, 55, MONDAY), at(12, day=MONDAY), at(13, day=MONDAY), at(17, 5, MONDAY)]
    assert odoo(punches, shift=shift).overtime_minutes == overtime


def test_overtime_lunch() -> None:
    """test_hr_attendance_overtime.py::test_overtime_lunch: 08:00-17:00 in one attendance: the
    lunch hour is a break, not overtime."""
    result = odoo([at(8, day=MONDAY), at(17, day=MONDAY)])
    assert result.overtime_minutes == 0 and result.worked_minutes == 480


# --- Frappe HRMS: hrms/hr/doctype/attendance_request/test_attendance_request.py --------------
# An "On Duty" attendance request over yesterday and today is our approved business trip.
YESTERDAY = DAY - timedelta(days=1)


def on_duty(first: date = YESTERDAY, last: date = DAY) -> Absence:
    return Absence(at(0, day=first), at(0, day=last + timedelta(days=1)), "business_trip",
                   first_day=first, last_day=last)


def judge_two_days(shift: ShiftSpec, *absences: Absence, holiday: str | None = None
                   ) -> dict[date, DayResult]:
    days = [DAY + timedelta(days=n) for n in range(-3, 2)]
    schedules = [DaySchedule(d, UTC_ZONE, shift, holiday if d == DAY else None) for d in days]
    return {r.date: r for r in evaluate_range(schedules, [], absences=absences)}


def test_on_duty_attendance_request() -> None:
    """test_attendance_request.py::test_on_duty_attendance_request: both days are attended
    (Frappe: Present; ours: business_trip, counted as business-trip days)."""
    days = judge_two_days(FRAPPE, on_duty())
    assert [days[d].status for d in (YESTERDAY, DAY)] == ["business_trip", "business_trip"]
    assert days[DAY].business_trip_minutes == 240


def test_skip_attendance_on_holiday() -> None:
    """test_attendance_request.py::test_skip_attendance_on_holiday: today is a holiday, so only
    yesterday is on duty."""
    days = judge_two_days(FRAPPE, on_duty(), holiday="test")
    assert (days[YESTERDAY].status, days[DAY].status) == ("business_trip", "holiday")


def test_include_holidays_check() -> None:
    """test_attendance_request.py::test_include_holidays_check: with holidays included (ours:
    a shift that works on holidays) today is on duty too."""
    days = judge_two_days(replace(FRAPPE, work_on_holidays=True), on_duty(), holiday="test")
    assert (days[YESTERDAY].status, days[DAY].status) == ("business_trip", "business_trip")


def test_skip_attendance_on_leave() -> None:
    """test_attendance_request.py::test_skip_attendance_on_leave: Frappe keeps today's leave and
    skips the on-duty day; RULES.md differs by design: a business trip wins over leave where both
    cover a period (the employee is working)."""
    leave = Absence(at(0), at(0, day=DAY + timedelta(days=1)), "leave", "annual",
                    first_day=DAY, last_day=DAY)
    days = judge_two_days(FRAPPE, on_duty(), leave)
    assert (days[YESTERDAY].status, days[DAY].status) == ("business_trip", "business_trip")
    assert days[DAY].leave_minutes == 0
