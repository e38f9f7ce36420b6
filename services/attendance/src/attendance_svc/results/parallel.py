"""Recompute a large range in several processes: judging days is CPU-bound Python, so one
process per core is what makes a month of a large organisation fast (the GIL stops threads)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from attendance_svc.db import make_service_engine
from attendance_svc.results.service import recompute
from faceclock_common.db import make_session_factory, session_scope

_factory: sessionmaker[Session] | None = None
_ATTEMPTS = 3
_RETRYABLE = {1205, 1213}  # MySQL: lock wait timeout, deadlock


def _open(database_url: str) -> None:
    global _factory  # one engine per worker process, made when the process starts
    _factory = make_session_factory(make_service_engine(database_url))


def _work(ids: Sequence[int], start: date, end: date, default_timezone: str,
          now: datetime | None) -> int:
    assert _factory is not None  # set by the pool initializer
    for attempt in range(_ATTEMPTS):
        try:
            with session_scope(_factory) as session:
                return recompute(session, employee_ids=ids, start=start, end=end,
                                 default_timezone=default_timezone, now=now)
        except OperationalError as exc:
            # A deadlock or lock timeout rolled the chunk back whole: doing it again is safe.
            code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
            if code not in _RETRYABLE or attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def recompute_in_processes(database_url: str, *, employee_ids: Sequence[int], start: date,
                           end: date, default_timezone: str, workers: int,
                           now: datetime | None = None, chunk: int = 500) -> int:
    """Like `recompute` for all `employee_ids`, committed chunk by chunk, in `workers`
    processes (each chunk is its own transaction). Chunks of 500 rather than 1000: the
    processes finish within half a chunk of each other instead of one idling through a whole
    last chunk."""
    chunks = [list(employee_ids[i:i + chunk]) for i in range(0, len(employee_ids), chunk)]
    if workers <= 1:
        engine = make_service_engine(database_url)
        factory = make_session_factory(engine)
        stored = 0
        try:
            for ids in chunks:
                with session_scope(factory) as session:
                    stored += recompute(session, employee_ids=ids, start=start, end=end,
                                        default_timezone=default_timezone, now=now)
        finally:
            engine.dispose()
        return stored
    with ProcessPoolExecutor(workers, initializer=_open, initargs=(database_url,)) as pool:
        futures = [pool.submit(_work, c, start, end, default_timezone, now) for c in chunks]
        return sum(f.result() for f in futures)
