"""The declarative base and a UTC-aware timestamp type (SQLite keeps no offset)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from faceclock_common.db import UtcDateTime as UtcDateTime
from faceclock_common.db import utcnow as utcnow


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    })
