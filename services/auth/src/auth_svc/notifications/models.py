"""In-app notifications: one row per recipient account, read or not."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from auth_svc.db import Base, UtcDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # request_filed, request_approved, request_rejected, checkout_digest
    event: Mapped[str] = mapped_column(String(32))
    # The request (or the digest) as the sender described it, language-neutral: the reader's
    # UI words it.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class DigestSent(Base):
    """One row per digest kind and day already sent: a second run of the nightly job (or a
    retry after a lost answer) sends nothing twice."""

    __tablename__ = "digests_sent"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
