"""ORM base and column types shared by the auth models."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from faceclock_common.db import UtcDateTime as UtcDateTime
from faceclock_common.db import service_metadata
from faceclock_common.db import utcnow as utcnow


class Base(DeclarativeBase):
    metadata = service_metadata()

