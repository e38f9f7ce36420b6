"""The attendance rules of RULES.md as pure functions: no database, no web framework.

Inputs and outputs are frozen dataclasses holding timezone-aware datetimes; the service layer
loads rows, builds these inputs, and stores what comes out.
"""

from attendance_svc.rules.clock import ClockAssessment, assess_clock_in
from attendance_svc.rules.day import (
    DaySchedule,
    evaluate_day,
    evaluate_range,
    lay_out,
    own_punches,
)
from attendance_svc.rules.model import (
    Absence,
    DayInput,
    DayPlan,
    DayResult,
    Interval,
    PeriodResult,
    PeriodSpec,
    ShiftSpec,
)
from attendance_svc.rules.month import DayFigures, MonthSummary, summarise_month
from attendance_svc.rules.shift import (
    PeriodInstance,
    ShiftInstance,
    is_worked,
    plan_day,
    shift_instance,
)

__all__ = [
    "Absence",
    "ClockAssessment",
    "DayFigures",
    "DayInput",
    "DayPlan",
    "DayResult",
    "DaySchedule",
    "Interval",
    "MonthSummary",
    "PeriodInstance",
    "PeriodResult",
    "PeriodSpec",
    "ShiftInstance",
    "ShiftSpec",
    "assess_clock_in",
    "evaluate_day",
    "evaluate_range",
    "is_worked",
    "lay_out",
    "own_punches",
    "plan_day",
    "shift_instance",
    "summarise_month",
]
