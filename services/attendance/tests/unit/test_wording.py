"""Explanations for Chinese readers (issue 15): every sentence the rules engine writes is
rewritten, none of its English reaches a zh-CN page; English readers get the text unchanged."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from attendance_svc.results.wording import explanation_for
from attendance_svc.rules import Absence, DayInput, Interval, evaluate_day
from attendance_svc.rules.model import DEFAULT_SHIFT

DAY = date(2026, 3, 2)  # a Monday
TZ = UTC
ENGLISH = re.compile(r"\b(period|late|absent|present|punch|window|grace|shift|min|leave|holiday|"
                     r"worked|overtime|pending|half|day|first|last|in|out|start|end|approved|"
                     r"check|only|more|than|before|after|less|on|of|no)\b")


def at(hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY, time(hh, mm), tzinfo=TZ)


SHIFT = DEFAULT_SHIFT.__class__(**{**DEFAULT_SHIFT.__dict__, "name": "办公室",
                                   "half_day_hours": 5.0})
CASES = {
    "on time": dict(punches=(at(7, 55), at(12, 2), at(13, 58), at(18, 1))),
    "late and early": dict(punches=(at(8, 20), at(12), at(14), at(17, 30))),
    "absent by lateness": dict(punches=(at(10, 30), at(12), at(14), at(18))),
    "absent by leaving": dict(punches=(at(8), at(9, 30), at(14), at(18))),
    "missing check-out": dict(punches=(at(8), at(14), at(18))),
    "no punch": dict(punches=()),
    "leave": dict(punches=(at(14), at(18)), absences=(
        Absence(at(8), at(12), "leave", "annual"),)),
    "trip": dict(punches=(), absences=(Absence(at(0), at(23, 59), "business_trip", None),)),
    "holiday work": dict(punches=(at(9), at(11)), holiday_name="元旦",
                         overtime=(Interval(at(9), at(10)),)),
    "rest day": dict(punches=(), shift=None),
    "pending": dict(punches=(), as_of=at(8, 30)),
    "pairs": dict(punches=(at(8), at(12, 10), at(14, 20), at(17)),
                  shift=replace(SHIFT, punch_policy="every_period", worked_time="pairs")),
    "auto check-out": dict(punches=(at(8), at(12), at(14)), shift=replace(SHIFT, auto_checkout=True)),
    "absent below hours": dict(punches=(at(8), at(9), at(14), at(15)),
                               shift=replace(SHIFT, absent_below_hours=4.0,
                                             absent_if_early_minutes=600)),
    "overtime rounding": dict(punches=(at(8), at(12), at(14), at(19, 50)),
                              shift=replace(SHIFT, overtime_without_approval=True,
                                            overtime_rounding_minutes=30,
                                            overtime_min_minutes=15)),
    "flexible": dict(punches=(at(9), at(15)),
                     shift=replace(SHIFT, flexible=True, required_hours=8.0)),
    "holiday worked": dict(punches=(at(8), at(12), at(14), at(18)), holiday_name="国庆",
                           shift=replace(SHIFT, work_on_holidays=True)),
}


@pytest.mark.parametrize("case", CASES)
def test_no_english_of_the_engine_reaches_a_chinese_reader(case: str) -> None:
    fields = {"shift": SHIFT, **CASES[case]}
    result = evaluate_day(DayInput(date=DAY, tz=TZ, **fields))  # type: ignore[arg-type]
    text = result.explanation_text
    chinese = explanation_for(text, "zh-CN")
    assert not ENGLISH.search(chinese), (text, chinese)
    assert re.findall(r"\d\d:\d\d", chinese) == re.findall(r"\d\d:\d\d", text)
    assert explanation_for(text, "en") == text
