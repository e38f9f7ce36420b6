"""The Alembic migrations build exactly the schema the models describe, on SQLite and MariaDB."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from auth_svc.main import MIGRATIONS
from auth_svc.models import Base
from faceclock_common.db import make_engine, run_migrations


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    run_migrations(MIGRATIONS, database_url)
    run_migrations(MIGRATIONS, database_url)  # a second start is a no-op
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
