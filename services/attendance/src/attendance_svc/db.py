"""ORM base and column types shared by the domain packages."""

from __future__ import annotations

from sqlalchemy import BigInteger, Engine, Integer, MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase

from faceclock_common.db import UtcDateTime as UtcDateTime
from faceclock_common.db import make_engine
from faceclock_common.db import utcnow as utcnow

# Named constraints so Alembic batch migrations on SQLite can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY, so big ids are plain integers there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)



def make_service_engine(url: str) -> Engine:
    """The service's engine. On MySQL, READ COMMITTED: result recomputation deletes and
    re-inserts ranges of (employee, date) rows, and REPEATABLE READ's gap locks make concurrent
    recomputations of neighbouring employees deadlock. Row locks (the punch writers' employee
    lock) work the same in both levels."""
    if make_url(url).get_backend_name() == "mysql":
        return make_engine(url, isolation_level="READ COMMITTED")
    return make_engine(url)
