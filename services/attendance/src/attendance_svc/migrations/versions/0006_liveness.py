"""liveness: challenges, each punch's liveness flag, and each site's setting

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attendance_svc.db

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('liveness_challenges',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('steps', sa.String(length=64), nullable=False),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('expires_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('used_at', attendance_svc.db.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liveness_challenges'))
    )
    with op.batch_alter_table('liveness_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_liveness_challenges_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('punches', schema=None) as batch_op:
        # Punches taken before liveness existed were not checked.
        batch_op.add_column(sa.Column('liveness_checked', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('liveness', sa.String(length=16), nullable=False,
                                      server_default='off'))


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('liveness')

    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.drop_column('liveness_checked')

    with op.batch_alter_table('liveness_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_liveness_challenges_expires_at'))

    op.drop_table('liveness_challenges')
