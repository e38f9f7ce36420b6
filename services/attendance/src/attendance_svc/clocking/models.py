from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from attendance_svc.db import Base, UtcDateTime
from faceclock_common.throttle import counter_table


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


# The badge + PIN lockout's counters when there is no Redis (clocking/lockout.py).
throttle_counters = counter_table(Base.metadata)
