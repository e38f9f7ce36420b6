"""Sites: the places an organisation works at, each with its own time zone, people and kiosks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, UtcDateTime, utcnow


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(Text)
    # The holidays of the people working here (before their department's).
    holiday_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("holiday_calendars.id", ondelete="SET NULL"))
    # How the site's kiosks tell who is in front of them, unless a kiosk says otherwise:
    # "verify" (a claimed identity checked 1:1) or "identify" (1:N over the site's people).
    identification_mode: Mapped[str] = mapped_column(String(16), default="verify")
    # Whose face clock-ins here must pass a liveness check: "off", "kiosks" or "everywhere".
    liveness: Mapped[str] = mapped_column(String(16), default="off")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class SiteKiosk(Base):
    """A kiosk device (its id in auth) bound to one site. A kiosk is at one place at a time, so
    the kiosk id is the key; binding it elsewhere moves it."""

    __tablename__ = "site_kiosks"

    kiosk_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    # None: the site's mode.
    identification_mode: Mapped[str | None] = mapped_column(String(16))
    # Identify only among this department's people (None: everyone at the site).
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    bound_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    def effective_mode(self, site: Site) -> str:
        return self.identification_mode or site.identification_mode
