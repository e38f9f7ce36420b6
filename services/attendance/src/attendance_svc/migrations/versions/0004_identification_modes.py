# ruff: noqa: E501
"""identification modes: per site (default verify) and per kiosk, with a department

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:24:18
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('site_kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identification_mode', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_site_kiosks_department_id'), ['department_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_site_kiosks_department_id_departments'), 'departments', ['department_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('sites', schema=None) as batch_op:
        # Existing sites verify: the safe mode.
        batch_op.add_column(sa.Column('identification_mode', sa.String(length=16), nullable=False,
                                      server_default='verify'))


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('identification_mode')

    with op.batch_alter_table('site_kiosks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_site_kiosks_department_id_departments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_site_kiosks_department_id'))
        batch_op.drop_column('department_id')
        batch_op.drop_column('identification_mode')

