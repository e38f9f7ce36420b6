"""manual clock-in: employee PIN hashes and the failed-try log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attendance_svc.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sa.String(length=255), nullable=True))

    op.create_table('manual_clock_in_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('employee_no', sa.String(length=64), nullable=False),
    sa.Column('at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_clock_in_attempts'))
    )
    with op.batch_alter_table('manual_clock_in_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_manual_clock_in_attempts_no_at', ['employee_no', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('manual_clock_in_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_manual_clock_in_attempts_no_at')
    op.drop_table('manual_clock_in_attempts')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_column('pin_hash')
