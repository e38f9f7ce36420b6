from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, BigId, UtcDateTime, utcnow


class DayResult(Base):
    """The derived attendance of one employee on one attendance date (recomputable any time)."""

    __tablename__ = "day_results"
    __table_args__ = (
        UniqueConstraint("employee_id", "date"),
        Index("ix_day_results_date", "date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    shift_id: Mapped[int | None] = mapped_column(Integer)
    scheduled_minutes: Mapped[int] = mapped_column(Integer, default=0)
    late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    early_leave_minutes: Mapped[int] = mapped_column(Integer, default=0)
    worked_minutes: Mapped[int] = mapped_column(Integer, default=0)
    overtime_minutes: Mapped[int] = mapped_column(Integer, default=0)
    leave_minutes: Mapped[int] = mapped_column(Integer, default=0)
    business_trip_minutes: Mapped[int] = mapped_column(Integer, default=0)
    missing_checkouts: Mapped[int] = mapped_column(Integer, default=0)
    leave_by_type: Mapped[dict[str, Any]] = mapped_column(JSON)
    periods: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
