from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, UtcDateTime, utcnow


class LivenessChallenge(Base):
    """A challenge handed to one caller. Kept in the database, not in a gateway's memory, so a
    nonce used through one gateway worker or replica is used for all of them; `used_at` is set
    by one conditional UPDATE, so of two concurrent uses exactly one wins."""

    __tablename__ = "liveness_challenges"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor: Mapped[str] = mapped_column(String(128))
    steps: Mapped[str] = mapped_column(String(64))  # comma-separated, in the order asked
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
