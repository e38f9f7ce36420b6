from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, BigId, UtcDateTime, utcnow


class Punch(Base):
    """One row of the append-only punch log: rows are inserted, never updated or deleted
    (except when the whole employee is erased)."""

    __tablename__ = "punches"
    __table_args__ = (Index("ix_punches_employee_at", "employee_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # live (face clock-in, server time), device / import (synced with their own time), correction
    source: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(32))
    device_id: Mapped[str | None] = mapped_column(String(128))
    # The kiosk's name when it took the punch (people read names, not device ids).
    device_name: Mapped[str | None] = mapped_column(String(100))
    correction_id: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A face clock-in whose burst passed a liveness challenge (SECURITY.md: every punch says).
    liveness_checked: Mapped[bool] = mapped_column(Boolean, default=False)


class IdempotencyRecord(Base):
    """The first answer given for an Idempotency-Key, per actor and operation."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "actor", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
