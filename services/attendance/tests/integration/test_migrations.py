from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from faceclock_common.db import run_migrations

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "attendance_svc" / "migrations"


def test_migrations_match_the_models(database_url: str) -> None:
    """`alembic check`: applying the migrations gives exactly the tables the models describe."""
    run_migrations(MIGRATIONS, database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.check(config)  # raises when an upgrade operation would be generated
