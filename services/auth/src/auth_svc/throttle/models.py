"""Failed-attempt counters of the database store (Redis holds them otherwise): the table is
faceclock_common.throttle's, mapped here so housekeeping can purge stale rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from auth_svc.db import Base
from faceclock_common.throttle import counter_table


class ThrottleCounter(Base):
    __table__ = counter_table(Base.metadata)

    key: Mapped[str]
    failures: Mapped[int]
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
