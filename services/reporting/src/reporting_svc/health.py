"""What the reporting web process needs to be ready: its database, its broker, its files."""

from __future__ import annotations

from sqlalchemy import text

from faceclock_common.flask import ReadinessCheck
from reporting_svc import deps


def _database() -> None:
    with deps.runtime().engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _broker() -> None:
    with deps.celery_app().connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)


def _files_dir() -> None:
    deps.runtime().settings.files_dir.mkdir(parents=True, exist_ok=True)


READINESS_CHECKS: dict[str, ReadinessCheck] = {
    "database": _database, "broker": _broker, "files_dir": _files_dir}
