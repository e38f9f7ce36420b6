"""`python -m attendance_svc [serve]` migrates and serves; `mark-absent` runs the nightly job;
`recompute --from YYYY-MM-DD --to YYYY-MM-DD` judges every employee's days in a range again."""

from __future__ import annotations

import argparse
import logging
from datetime import date
from pathlib import Path

import uvicorn
from sqlalchemy import select

from attendance_svc.config import Settings
from attendance_svc.db import make_service_engine
from attendance_svc.main import create_app
from attendance_svc.organisation.models import Employee
from attendance_svc.results.parallel import recompute_in_processes
from attendance_svc.results.service import mark_absences
from faceclock_common.db import make_session_factory, run_migrations, session_scope
from faceclock_common.logging import configure_logging

MIGRATIONS = Path(__file__).parent / "migrations"
logger = logging.getLogger("attendance_svc")


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
        with session_scope(make_session_factory(engine)) as session:
            if args.command == "mark-absent":
                stored = mark_absences(session, lookback_days=settings.absence_lookback_days,
                                       default_timezone=settings.default_timezone)
            else:
                ids = list(session.scalars(select(Employee.id).order_by(Employee.id)))
        engine.dispose()
        if args.command == "recompute":
            stored = recompute_in_processes(settings.database_url, employee_ids=ids,
                                            start=args.start, end=args.end,
                                            default_timezone=settings.default_timezone,
                                            workers=args.workers)
        logger.info(f"{args.command} done", extra={"stored": stored})
        return
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                timeout_graceful_shutdown=20)


if __name__ == "__main__":
    main()
