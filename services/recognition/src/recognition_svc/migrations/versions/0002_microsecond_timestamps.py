"""created_at with microseconds on MySQL/MariaDB, as every other service's timestamps
(faceclock_common.db.UtcDateTime); SQLite keeps them already

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name not in ("mysql", "mariadb"):
        return
    for table in ("faces", "face_changes"):
        op.alter_column(table, "created_at", existing_type=mysql.DATETIME(),
                        type_=mysql.DATETIME(fsp=6), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name not in ("mysql", "mariadb"):
        return
    for table in ("faces", "face_changes"):
        op.alter_column(table, "created_at", existing_type=mysql.DATETIME(fsp=6),
                        type_=mysql.DATETIME(), existing_nullable=False)
