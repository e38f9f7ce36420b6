from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, BigId, UtcDateTime


class RollCall(Base):
    """A snapshot: who was seen in a group photo and who of the expected people was not."""

    __tablename__ = "roll_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    department_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    unknown_faces: Mapped[int] = mapped_column(Integer, default=0)
    present: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    absent: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ManualClockInAttempt(Base):
    """One badge + PIN try not (yet) known to be good, keyed by the number typed (known or not,
    so unknown numbers lock out the same way). In the database, not in memory, so every replica
    counts the same tries; a good PIN removes the rows of its number."""

    __tablename__ = "manual_clock_in_attempts"
    __table_args__ = (Index("ix_manual_clock_in_attempts_no_at", "employee_no", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employee_no: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
