"""`python -m attendance_svc [serve]` migrates and serves in ATTENDANCE_WORKERS processes (default:
one per core); `mark-absent` runs the nightly job (absences, then the digest of missing check-outs);
`recompute --from YYYY-MM-DD --to YYYY-MM-DD` judges every employee's days in a range again."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import threading
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import select

from attendance_svc.config import Settings
from attendance_svc.db import make_service_engine
from attendance_svc.main import create_app
from attendance_svc.notify import Notifier
from attendance_svc.organisation.models import Employee
from attendance_svc.results.nightly import nightly_once, run_nightly
from attendance_svc.results.parallel import recompute_in_processes
from faceclock_common.db import make_session_factory, run_migrations, session_scope
from faceclock_common.fastapi.server import serve, stop_with_parent
from faceclock_common.logging import configure_logging

MIGRATIONS = Path(__file__).parent / "migrations"
logger = logging.getLogger("attendance_svc")


def app() -> FastAPI:
    """The app of one server process (uvicorn calls this in each worker)."""
    settings = Settings()
    configure_logging("attendance", settings.log_level)
    if settings.worker_processes > 1:
        stop_with_parent()
    return create_app(settings)


def _nightly_in_this_process(settings: Settings) -> None:
    """With several workers the nightly job runs once, here in the parent, not in each worker
    (they would mark the same absences at the same time)."""
    engine = make_service_engine(settings.database_url)
    job = run_nightly(make_session_factory(engine), Notifier(settings), at=settings.nightly_job_at,
                      zone_name=settings.default_timezone,
                      lookback_days=settings.absence_lookback_days)
    threading.Thread(target=asyncio.run, args=(job,), name="nightly", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="attendance_svc")
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "migrate", "mark-absent", "recompute"])
    parser.add_argument("--from", dest="start", type=date.fromisoformat,
                        help="recompute: first day")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, help="recompute: last day")
    parser.add_argument("--workers", type=int, default=1,
                        help="recompute: processes to use (one per core)")
    args = parser.parse_args(argv)
    if args.command == "recompute" and (args.start is None or args.end is None):
        parser.error("recompute needs --from and --to")
    settings = Settings()
    configure_logging("attendance", settings.log_level)
    run_migrations(MIGRATIONS, settings.database_url)
    if args.command == "migrate":
        return
    if args.command in ("mark-absent", "recompute"):
        engine = make_service_engine(settings.database_url)
        factory = make_session_factory(engine)
        if args.command == "mark-absent":
            stored = nightly_once(factory, Notifier(settings),
                                  lookback_days=settings.absence_lookback_days,
                                  zone_name=settings.default_timezone)
        else:
            with session_scope(factory) as session:
                ids = list(session.scalars(select(Employee.id).order_by(Employee.id)))
        engine.dispose()
        if args.command == "recompute":
            stored = recompute_in_processes(settings.database_url, employee_ids=ids,
                                            start=args.start, end=args.end,
                                            default_timezone=settings.default_timezone,
                                            workers=args.workers)
        logger.info(f"{args.command} done", extra={"stored": stored})
        return
    workers = settings.worker_processes
    if workers > 1 and settings.nightly_job:
        _nightly_in_this_process(settings)
        os.environ["ATTENDANCE_NIGHTLY_JOB"] = "false"  # the workers read their settings anew
    serve("attendance_svc.__main__:app", host=settings.host, port=settings.port, workers=workers)


if __name__ == "__main__":
    main()
