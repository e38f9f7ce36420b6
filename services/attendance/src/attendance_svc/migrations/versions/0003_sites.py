"""sites: sites, kiosk bindings, site of employees and departments

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:06:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attendance_svc.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('updated_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('name', name=op.f('uq_sites_name'))
    )
    op.create_table('site_kiosks',
    sa.Column('kiosk_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('bound_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_kiosks_site_id_sites')),
    sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_site_kiosks'))
    )
    with op.batch_alter_table('site_kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_kiosks_site_id'), ['site_id'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_departments_site_id'), ['site_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_departments_site_id_sites'), 'sites', ['site_id'], ['id'])

    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_employees_site_id'), ['site_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_employees_site_id_sites'), 'sites', ['site_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_employees_site_id_sites'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_employees_site_id'))
        batch_op.drop_column('site_id')

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_departments_site_id_sites'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_departments_site_id'))
        batch_op.drop_column('site_id')

    with op.batch_alter_table('site_kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_kiosks_site_id'))

    op.drop_table('site_kiosks')
    op.drop_table('sites')
