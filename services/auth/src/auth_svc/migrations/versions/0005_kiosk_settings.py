"""kiosks.last_seen_at, pin_allowed, sound, language: per-kiosk settings and liveness

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Naive UTC; microseconds on MySQL (auth_svc.db.UtcDateTime), as in 0001.
DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', DATETIME, nullable=True))
        batch_op.add_column(sa.Column('pin_allowed', sa.Boolean(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('sound', sa.Boolean(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('sound')
        batch_op.drop_column('pin_allowed')
        batch_op.drop_column('last_seen_at')
