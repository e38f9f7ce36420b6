"""ids never reused on SQLite: every table with a generated id gets AUTOINCREMENT

Without it SQLite hands the id of the newest deleted row to the next insert, so an account or a
department link to an erased employee would reach the next person created. MySQL and MariaDB
(InnoDB, counters persisted since MySQL 8.0 / MariaDB 10.2.4) never reuse AUTO_INCREMENT values:
nothing to do there.

The tables are rebuilt (SQLite cannot add AUTOINCREMENT in place) with their rows. The counter
then starts above the highest id still present and above every id the audit log ever named, so
ids deleted before this migration are not handed out again either.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Audit entities whose ids come from these tables (attendance_svc.audit.record callers).
AUDITED = {"employees": "employee", "departments": "department", "holidays": "holiday",
           "leave_requests": "leave_request", "overtime_requests": "overtime_request",
           "correction_requests": "correction", "punches": "punch", "shifts": "shift",
           "shift_assignments": "shift_assignment", "sites": "site"}


def _tables_to_rebuild(bind: sa.Connection) -> list[str]:
    inspector = sa.inspect(bind)
    tables = []
    for name in inspector.get_table_names():
        if name.startswith(("alembic_", "sqlite_")):
            continue
        if inspector.get_pk_constraint(name).get("constrained_columns") != ["id"]:
            continue
        id_type = next(c["type"] for c in inspector.get_columns(name) if c["name"] == "id")
        if not isinstance(id_type, sa.Integer):
            continue  # ids made elsewhere (random challenge ids): nothing is generated here
        sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                   "AND name = :name"), {"name": name}).scalar_one()
        if "AUTOINCREMENT" not in sql.upper():
            tables.append(name)
    return tables


def _highest_id_ever(bind: sa.Connection, table: str) -> int:
    highest = bind.execute(sa.select(sa.func.max(sa.column("id"))).select_from(sa.table(table))
                           ).scalar() or 0
    entity = AUDITED.get(table)
    if entity is not None:
        audited = bind.execute(sa.text("SELECT MAX(entity_id) FROM audit_log WHERE entity = :e"),
                               {"e": entity}).scalar() or 0
        highest = max(highest, audited)
    if table == "employees":
        named = bind.execute(sa.text("SELECT MAX(employee_id) FROM audit_log")).scalar() or 0
        highest = max(highest, named)
    return int(highest)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in _tables_to_rebuild(bind):
        highest = _highest_id_ever(bind, table)
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}):
            pass
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)"),
                     {"t": table, "seq": highest})


def downgrade() -> None:
    pass  # AUTOINCREMENT only stops reuse; nothing needs it gone
