"""Database engine and session helpers: SQLite for the embedded run, MySQL/MariaDB in production."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Integer,
    MetaData,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator, TypeEngine

from faceclock_common.errors import Conflict

# Constraint names every service's tables get (Alembic's batch migrations on SQLite find a
# constraint again by its name).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY, so big ids are plain integers there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def service_metadata() -> MetaData:
    """The metadata of one service's declarative base (each service has its own database):
    `class Base(DeclarativeBase): metadata = service_metadata()`."""
    return MetaData(naming_convention=NAMING)


def json_text(value: Any) -> str:
    """A JSON column's text: compact, as the standard encoder with `separators=(",", ":")` would
    write it for the same values (non-ASCII left as UTF-8), several times faster."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned per backend: WAL and a busy timeout for SQLite, pre-ping for MySQL;
    JSON columns written and read with orjson."""
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten with zeros, not left in free pages: erasure (faces,
            # employees) must not leave the data readable in the file.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(connection: Connection, _name: str | None) -> None:
            # pysqlite begins a transaction only before a write, so reads run outside one (and a
            # writer takes the lock when it writes, never on a stale snapshot). A SAVEPOINT
            # outside a transaction would itself become the transaction, and its RELEASE would
            # commit: begin first. IMMEDIATE, since a savepoint is taken to write.
            dbapi_connection = connection.connection.dbapi_connection
            if dbapi_connection is not None and not dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work outside a request (a nightly job, a worker, a start-up task): commit on
    success, roll back on any error. Requests get theirs from the edge
    (faceclock_common.fastapi.db); the code inside neither commits nor rolls back."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def conflict_on_duplicate(session: Session, code: str, message: str) -> Iterator[None]:
    """The writes made inside are flushed in a savepoint: a unique-key race that slipped past
    the pre-check answers 409 (the edge then rolls the request back) instead of failing the
    request's commit. Make the changes inside the block: entering it flushes what is pending."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise Conflict(code, message) from exc


def run_migrations(script_location: str | Path, url: str) -> None:
    """Bring a service's schema up to date with its own Alembic scripts (applied at start).

    Replicas start together and each migrates at start, so the upgrade runs under a lock that
    spans processes: otherwise two replicas both see an empty schema and the second one's
    CREATE TABLE fails."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # ConfigParser interpolation would eat the % of URL-encoded passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = create_engine(url, poolclass=NullPool)
    try:
        with exclusive_lock(engine, "migrate", timeout_seconds=300):
            command.upgrade(config, "head")
    finally:
        engine.dispose()


@contextmanager
def exclusive_lock(engine: Engine, name: str, *, timeout_seconds: float) -> Iterator[None]:
    """Held by one process at a time among all that share the database (replicas included):
    a file lock beside a SQLite database, a named server lock (GET_LOCK) on MySQL/MariaDB.
    Work done under it may use other connections; the lock does not block their reads or writes."""
    database = engine.url.database
    if engine.dialect.name == "sqlite":
        if not database or database == ":memory:":
            yield  # a private database: no other process can reach it
            return
        path = Path(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(f"{path.name}.{name}-lock"), "a") as lock_file:
            _flock_within(lock_file.fileno(), timeout_seconds, name)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    # Lock names are at most 64 characters and server-wide: qualify them with the database.
    lock_name = f"{database}:{name}"[:64]
    with engine.connect() as connection:
        acquired = connection.execute(text("SELECT GET_LOCK(:name, :timeout)"),
                                      {"name": lock_name, "timeout": timeout_seconds}).scalar()
        if acquired != 1:
            raise TimeoutError(f"the lock {lock_name!r} was held by another process for "
                               f"{timeout_seconds} s")
        try:
            yield
        finally:
            connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock_name})


def _flock_within(fd: int, timeout_seconds: float, name: str) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"the lock {name!r} was held by another process for "
                                   f"{timeout_seconds} s") from None
            time.sleep(0.02)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC (MySQL has no zone type),
    with microseconds on MySQL/MariaDB too (token expiries and punch order are finer than 1 s)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
