"""kiosks.pairing_code_hash, pairing_expires_at: pairing a tablet by a short code

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Naive UTC; microseconds on MySQL (auth_svc.db.UtcDateTime), as in 0001.
DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pairing_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pairing_expires_at', DATETIME, nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_kiosks_pairing_code_hash'),
                                          ['pairing_code_hash'])


def downgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_kiosks_pairing_code_hash'), type_='unique')
        batch_op.drop_column('pairing_expires_at')
        batch_op.drop_column('pairing_code_hash')
