"""`python -m attendance_svc [serve]` migrates and serves; `mark-absent` runs the nightly job."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from attendance_svc.config import Settings
from attendance_svc.main import create_app
from attendance_svc.results.service import mark_absences
from faceclock_common.db import make_engine, make_session_factory, run_migrations, session_scope
from faceclock_common.logging import configure_logging

MIGRATIONS = Path(__file__).parent / "migrations"
logger = logging.getLogger("attendance_svc")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="attendance_svc")
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "migrate", "mark-absent"])
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("attendance", settings.log_level)
    run_migrations(MIGRATIONS, settings.database_url)
    if args.command == "migrate":
        return
    if args.command == "mark-absent":
        engine = make_engine(settings.database_url)
        with session_scope(make_session_factory(engine)) as session:
            stored = mark_absences(session, lookback_days=settings.absence_lookback_days,
                                   default_timezone=settings.default_timezone)
        engine.dispose()
        logger.info("mark-absent done", extra={"stored": stored})
        return
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                timeout_graceful_shutdown=20)


if __name__ == "__main__":
    main()
