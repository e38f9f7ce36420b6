"""The body of every service's Alembic env.py, written once."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import engine_from_config


def run_alembic_env(target_metadata: MetaData) -> None:
    """Run migrations offline (SQL to stdout) or online against sqlalchemy.url."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    is_sqlite = bool(url and url.startswith("sqlite"))
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                          render_as_batch=is_sqlite)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        # Batch mode lets ALTER TABLE migrations run on SQLite too.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=is_sqlite)
        with context.begin_transaction():
            context.run_migrations()
