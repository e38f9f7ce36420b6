"""rules v2: shift punch policy and new parameters, leaving dates, leave in days

Existing shifts get the new default punch policy `first_last` (two punches a day across an
unpaid break); `every_period` restores the earlier four-punch behaviour per shift. Stored day
results were derived by the earlier rules: they are removed and judged again on demand (run
`python -m attendance_svc recompute --from --to` to store past months again).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHIFT_COLUMNS = (
    ('absent_below_hours', sa.Float(), None),
    ('punch_policy', sa.String(length=16), 'first_last'),
    ('worked_time', sa.String(length=16), 'first_last'),
    ('auto_checkout', sa.Boolean(), sa.false()),
    ('overtime_min_minutes', sa.Integer(), '0'),
    ('overtime_rounding_minutes', sa.Integer(), '0'),
    ('overtime_without_approval', sa.Boolean(), sa.false()),
    ('work_on_holidays', sa.Boolean(), sa.false()),
    ('flexible', sa.Boolean(), sa.false()),
    ('required_hours', sa.Float(), None),
)


def upgrade() -> None:
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        for name, kind, default in _SHIFT_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=default is None,
                                          server_default=default))
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
    with op.batch_alter_table('leave_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('half', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('days', sa.Float(), nullable=False, server_default='0'))
    op.execute(sa.text('DELETE FROM day_results'))


def downgrade() -> None:
    with op.batch_alter_table('leave_requests', schema=None) as batch_op:
        batch_op.drop_column('days')
        batch_op.drop_column('half')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_column('left_on')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        for name, _, _ in reversed(_SHIFT_COLUMNS):
            batch_op.drop_column(name)
    op.execute(sa.text('DELETE FROM day_results'))
