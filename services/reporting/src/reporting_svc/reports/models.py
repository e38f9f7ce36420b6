"""The reports table: the source of truth for every report's status, progress and file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reporting_svc.db import Base, UtcDateTime, utcnow

KINDS = ("roll_call", "daily", "monthly", "punches")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_owner_created", "owner_subject", "created_at"),
        Index("ix_reports_status_heartbeat", "status", "heartbeat_at"),
        UniqueConstraint("owner_subject", "active_slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_subject: Mapped[str] = mapped_column(String(100))
    # Where the report came from: a scheduled one carries a key so beat cannot create it twice.
    schedule_key: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)
    request_id: Mapped[str] = mapped_column(String(64), default="-")
    # Which of its owner's MAX_ACTIVE_PER_OWNER places a requested report holds while queued or
    # running (None once finished, and for scheduled reports): unique, so concurrent requests
    # cannot take more places than there are.
    active_slot: Mapped[int | None] = mapped_column(Integer, default=None)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # Each claim by a worker increments it; updates carry it so a stale worker cannot overwrite.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    rows: Mapped[int | None] = mapped_column(Integer, default=None)
    size_bytes: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    enqueued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    file_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
