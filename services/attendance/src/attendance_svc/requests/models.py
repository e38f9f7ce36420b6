from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from attendance_svc.db import Base, BigId, UtcDateTime, utcnow
from attendance_svc.organisation.models import Employee


class _Decision:
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    # Who decided, as a person reads it (their employee name, else their user name).
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def employee(cls) -> Mapped[Employee]:
        return relationship(Employee, lazy="joined", viewonly=True)

    @property
    def employee_name(self) -> str:
        return self.employee.name


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
    # A one-day request may take half of that day's shift instance: "first" or "second".
    half: Mapped[str | None] = mapped_column(String(8))
    # The shift instances the request covers, in days (a half day is 0.5).
    days: Mapped[float] = mapped_column(Float, default=0.0)


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


class LeaveType(Base):
    """What a kind of leave allows: requests in hours, half days, going below the allocation."""

    __tablename__ = "leave_types"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    allow_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_half_days: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)


class LeaveBalance(Base):
    """The yearly allocation of one leave type to an employee: in days (the usual unit) or, as
    before rules v2, in hours."""

    __tablename__ = "leave_balances"
    __table_args__ = (UniqueConstraint("employee_id", "year", "leave_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    leave_type: Mapped[str] = mapped_column(String(32))
    entitled_hours: Mapped[float | None] = mapped_column(Float)
    entitled_days: Mapped[float | None] = mapped_column(Float)
