"""reader names: the kiosk's name on its punches, the approver's name on decided requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_TABLES = ('leave_requests', 'overtime_requests', 'correction_requests')


def upgrade() -> None:
    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_name', sa.String(length=100), nullable=True))
    for table in REQUEST_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('decided_by_name', sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in REQUEST_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('decided_by_name')
    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.drop_column('device_name')
