"""ORM base and column types shared by the domain packages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session

from faceclock_common.db import BigId as BigId
from faceclock_common.db import UtcDateTime as UtcDateTime
from faceclock_common.db import make_engine, service_metadata
from faceclock_common.db import utcnow as utcnow
from faceclock_common.errors import Conflict


class Base(DeclarativeBase):
    metadata = service_metadata()


def make_service_engine(url: str) -> Engine:
    """The service's engine. On MySQL, READ COMMITTED: result recomputation deletes and
    re-inserts ranges of (employee, date) rows, and REPEATABLE READ's gap locks make concurrent
    recomputations of neighbouring employees deadlock. Row locks (the punch writers' employee
    lock) work the same in both levels.

    A SQLite file is pooled with as many connections as requests usually run at once: past
    SQLAlchemy's default of 5 every request opened and closed a connection of its own."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "mysql":
        return make_engine(url, isolation_level="READ COMMITTED")
    if parsed.database and parsed.database != ":memory:":
        return make_engine(url, pool_size=10, max_overflow=30)
    return make_engine(url)


def refuse_taken_name(session: Session, model: Any, name: str, *, exclude: int | None = None,
                      code: str, noun: str) -> None:
    """409 where another row of `model` (a table with `id` and a unique `name`) has this name."""
    query = select(model.id).where(model.name == name)
    if exclude is not None:
        query = query.where(model.id != exclude)
    if session.scalar(query) is not None:
        raise Conflict(code, f"A {noun} named {name!r} exists.")
