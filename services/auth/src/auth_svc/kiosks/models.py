"""Kiosk devices: long-lived device credentials that can only be exchanged for a kiosk token."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from auth_svc.db import Base, UtcDateTime, utcnow

# A kiosk page beats every minute and a beat is written at most once a minute: one missed
# beat or two is a slow network, three minutes of silence is a kiosk that is off.
OFFLINE_AFTER = timedelta(minutes=3)
SEEN_EVERY = timedelta(minutes=1)


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of a 256-bit random secret: a slow hash buys nothing at that entropy.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # When the device last said it is up (its heartbeat, written at most once a minute).
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Settings an admin sets per device and the kiosk page applies when it loads: whether
    # badge and PIN may be used here, whether it beeps, and its language (None: the browser's).
    pin_allowed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sound: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # A short pairing code (SHA-256) an admin hands out instead of the long secret: typed on
    # the tablet once, before it expires, it gives the device a fresh secret.
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                          unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    @property
    def online(self) -> bool:
        return (self.revoked_at is None and self.last_seen_at is not None
                and utcnow() - self.last_seen_at < OFFLINE_AFTER)
