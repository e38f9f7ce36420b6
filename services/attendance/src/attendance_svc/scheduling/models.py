from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, UtcDateTime, utcnow


class Shift(Base):
    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    periods: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # ISO weekdays (1 = Monday) the shift is worked; the others are rest days.
    workdays: Mapped[list[int]] = mapped_column(JSON)
    timezone: Mapped[str | None] = mapped_column(String(64))
    early_checkin_minutes: Mapped[int] = mapped_column(Integer, default=60)
    late_grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    absent_after_late_minutes: Mapped[int] = mapped_column(Integer, default=120)
    early_leave_grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    absent_if_early_minutes: Mapped[int] = mapped_column(Integer, default=120)
    checkout_until_minutes: Mapped[int] = mapped_column(Integer, default=240)
    half_day_hours: Mapped[float | None] = mapped_column(Float)
    absent_below_hours: Mapped[float | None] = mapped_column(Float)
    # first_last (two punches a day, breaks unpaid) or every_period (a check-in and a check-out
    # per period, the thesis's rule); worked time first_last or by in/out pairs.
    punch_policy: Mapped[str] = mapped_column(String(16), default="first_last")
    worked_time: Mapped[str] = mapped_column(String(16), default="first_last")
    auto_checkout: Mapped[bool] = mapped_column(Boolean, default=False)
    overtime_min_minutes: Mapped[int] = mapped_column(Integer, default=0)
    overtime_rounding_minutes: Mapped[int] = mapped_column(Integer, default=0)
    overtime_without_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    work_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    flexible: Mapped[bool] = mapped_column(Boolean, default=False)
    required_hours: Mapped[float | None] = mapped_column(Float)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ShiftAssignment(Base):
    __tablename__ = "shift_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    # Exactly one of a shift and a roster.
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    roster_id: Mapped[int | None] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"),
                                                  index=True)
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Roster(Base):
    """A repeating pattern of shifts and rest days: `pattern[n]` is the shift (None: a rest day)
    on the n-th day of the cycle, counted from `anchor_date`."""

    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    anchor_date: Mapped[dt.date] = mapped_column(Date)
    pattern: Mapped[list[int | None]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class HolidayCalendar(Base):
    """A named set of holidays, attached to sites and departments; holidays without a calendar
    form the organisation-wide default calendar."""

    __tablename__ = "holiday_calendars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (Index("ix_holidays_calendar_date", "calendar_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    # None: the organisation-wide default calendar.
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("holiday_calendars.id", ondelete="CASCADE"))
