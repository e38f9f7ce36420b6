"""Replicas start together and each migrates the shared database at start: exactly one of them
creates the schema, the others wait and find it current."""

from __future__ import annotations

import multiprocessing

import sqlalchemy as sa

from faceclock_common.db import run_migrations
from recognition_svc.main import MIGRATIONS

REPLICAS = 4


def test_replicas_starting_together_migrate_one_database_without_error(database_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(REPLICAS) as pool:
        # Every replica at once; any replica's failure (e.g. "table faces already exists") raises.
        pool.starmap(run_migrations, [(MIGRATIONS, database_url)] * REPLICAS)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert len(versions) == 1
    assert "faces" in tables
