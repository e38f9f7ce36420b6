from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
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


def _upgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, revision)


def test_ids_are_never_reused_after_delete(api) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 item 3, on SQLite and MariaDB: the newest employee and department deleted, the
    next ones created get new ids, so links kept elsewhere to the old ids reach nobody."""
    department = api.ok("POST", "/api/v1/departments", "hr", status=201,
                        json={"code": "GONE", "name": "Gone"})
    employee = api.employee("E-GONE", department_id=department["id"])
    api.ok("DELETE", f"/api/v1/employees/{employee['id']}", "hr", status=204)
    api.ok("DELETE", f"/api/v1/departments/{department['id']}", "hr", status=204)
    assert api.employee("E-NEW")["id"] > employee["id"]
    again = api.ok("POST", "/api/v1/departments", "hr", status=201,
                   json={"code": "NEW", "name": "New"})
    assert again["id"] > department["id"]


def test_the_migration_makes_existing_sqlite_databases_stop_reusing_ids(tmp_path: Path) -> None:
    """A database made before 0004 (plain INTEGER PRIMARY KEY): after the upgrade no table with a
    generated id reuses one, not even ids deleted before the upgrade that the audit log names."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _upgrade(url, "0003")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for number in (1, 2, 3):
            conn.execute(sa.text(
                "INSERT INTO employees (id, employee_no, name, status, timezone, created_at, "
                "updated_at) VALUES (:id, :no, 'P', 'active', NULL, '2026-01-01', '2026-01-01')"),
                {"id": number, "no": f"E{number}"})
        # Employee 3 was erased before the upgrade; only the audit log still names the id.
        conn.execute(sa.text("DELETE FROM employees WHERE id = 3"))
        conn.execute(sa.text(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, employee_id, details) "
            "VALUES ('2026-01-01', 'hr', 'delete', 'employee', 3, 3, '{}')"))
    run_migrations(MIGRATIONS, url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO employees (employee_no, name, status, created_at, updated_at) "
            "VALUES ('E4', 'P', 'active', '2026-01-01', '2026-01-01')"))
        assert conn.execute(sa.text("SELECT id FROM employees WHERE employee_no = 'E4'")
                            ).scalar_one() == 4
        assert conn.execute(sa.text("SELECT COUNT(*) FROM employees")).scalar_one() == 3
        conn.execute(sa.text("DELETE FROM employees WHERE id = 4"))
        conn.execute(sa.text(
            "INSERT INTO employees (employee_no, name, status, created_at, updated_at) "
            "VALUES ('E5', 'P', 'active', '2026-01-01', '2026-01-01')"))
        assert conn.execute(sa.text("SELECT id FROM employees WHERE employee_no = 'E5'")
                            ).scalar_one() == 5
        inspector = sa.inspect(conn)
        generated = [t for t in inspector.get_table_names()
                     if inspector.get_pk_constraint(t)["constrained_columns"] == ["id"]
                     and any(c["name"] == "id" and isinstance(c["type"], sa.Integer)
                             for c in inspector.get_columns(t))]
        plain = [t for t in generated if "AUTOINCREMENT" not in conn.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE name = :t"), {"t": t}).scalar_one().upper()]
    engine.dispose()
    assert len(generated) >= 15 and plain == []
