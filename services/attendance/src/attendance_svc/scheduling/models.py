from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String
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
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Holiday(Base):
    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))
