"""one throttle: the badge + PIN lockout counts in faceclock_common.throttle's counter table
(without Redis) instead of a row per try

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import faceclock_common.db

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('throttle_counters',
    sa.Column('key', sa.String(length=191), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', faceclock_common.db.UtcDateTime(), nullable=False),
    sa.Column('locked_until', faceclock_common.db.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle_counters'))
    )
    # Tries under way when this runs are forgotten: at worst a number gets a fresh count.
    with op.batch_alter_table('manual_clock_in_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_manual_clock_in_attempts_no_at')
    op.drop_table('manual_clock_in_attempts')


def downgrade() -> None:
    op.create_table('manual_clock_in_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('employee_no', sa.String(length=64), nullable=False),
    sa.Column('at', faceclock_common.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_clock_in_attempts')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('manual_clock_in_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_manual_clock_in_attempts_no_at', ['employee_no', 'at'], unique=False)
    op.drop_table('throttle_counters')
