from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, BigId, UtcDateTime, utcnow


class _Decision:
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class LeaveRequest(_Decision, Base):
    __tablename__ = "leave_requests"
    __table_args__ = (Index("ix_leave_requests_employee_start", "employee_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    leave_type: Mapped[str | None] = mapped_column(String(32))
    start_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # What the requester wrote (a date or a date-time), echoed back as given.
    start_text: Mapped[str] = mapped_column(String(40))
    end_text: Mapped[str] = mapped_column(String(40))
    hours: Mapped[float] = mapped_column(Float, default=0.0)


class OvertimeRequest(_Decision, Base):
    __tablename__ = "overtime_requests"
    __table_args__ = (Index("ix_overtime_requests_employee_start", "employee_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    start_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    start_text: Mapped[str] = mapped_column(String(40))
    end_text: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[float] = mapped_column(Float)


class CorrectionRequest(_Decision, Base):
    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(8))
    punch_id: Mapped[int | None] = mapped_column(BigId)


class LeaveBalance(Base):
    """Hours of one leave type an employee may take in one calendar year."""

    __tablename__ = "leave_balances"
    __table_args__ = (UniqueConstraint("employee_id", "year", "leave_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    leave_type: Mapped[str] = mapped_column(String(32))
    entitled_hours: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(BigId)
    employee_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)

