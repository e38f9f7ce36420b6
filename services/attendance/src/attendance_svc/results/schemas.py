from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class DailyRead(BaseModel):
    employee_id: int
    employee_no: str
    name: str
    department_id: int | None
    department: str | None
    date: dt.date
    status: str = Field(description="holiday | leave | business_trip | absent | half_day | late | "
                                    "early_leave | late_and_early_leave | present | pending "
                                    "(day under way) | not_employed (before the hire date)")
    final: bool = Field(description="the day is over; false while punches may still come")
    shift_id: int | None
    scheduled_minutes: int
    late_minutes: int
    early_leave_minutes: int
    worked_minutes: int
    overtime_minutes: int
    leave_minutes: int
    leave_by_type: dict[str, int]
    business_trip_minutes: int
    missing_checkouts: int
    explanation: str
    periods: list[dict[str, Any]]
    timezone: str = Field(description="the IANA zone of the explanation's wall-clock times; "
                                      "show the periods' instants in it")


class DailyPage(BaseModel):
    items: list[DailyRead]
    total: int


class MonthlyRead(BaseModel):
    employee_id: int
    employee_no: str
    name: str
    department_id: int | None
    department: str | None
    month: str
    days_present: float = Field(description="present, late or early-leave days; a half day "
                                            "counts 0.5")
    days_absent: float
    half_days: int
    late_count: int
    early_leave_count: int
    leave_days: int
    leave_hours: float
    leave_hours_by_type: dict[str, float]
    business_trip_days: float
    holidays: int
    overtime_hours: float
    worked_hours: float
    missing_checkouts: int
    days_counted: int = Field(description="finished days of the month judged so far")


class MonthlyPage(BaseModel):
    items: list[MonthlyRead]
    total: int
