"""rosters, holiday calendars (per site and department), leave types and allocations in days

Existing holidays stay in the organisation-wide default calendar (calendar_id NULL); existing
assignments keep their shift; existing allocations keep their hours.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import attendance_svc.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite rebuilds a table to change it: keep its AUTOINCREMENT (migration 0007).
_KEEP_IDS = {"sqlite_autoincrement": True}

LEAVE_TYPES = [
    {"code": "annual", "name": "Annual leave", "allow_hours": True, "allow_half_days": True,
     "allow_negative": False},
    {"code": "sick", "name": "Sick leave", "allow_hours": True, "allow_half_days": True,
     "allow_negative": True},
    {"code": "personal", "name": "Personal leave", "allow_hours": True, "allow_half_days": True,
     "allow_negative": False},
    {"code": "unpaid", "name": "Unpaid leave", "allow_hours": True, "allow_half_days": True,
     "allow_negative": True},
]


def upgrade() -> None:
    op.create_table('rosters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('anchor_date', sa.Date(), nullable=False),
    sa.Column('pattern', sa.JSON(), nullable=False),
    sa.Column('updated_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rosters')),
    sa.UniqueConstraint('name', name=op.f('uq_rosters_name')),
    sqlite_autoincrement=True
    )
    op.create_table('holiday_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_calendars')),
    sa.UniqueConstraint('name', name=op.f('uq_holiday_calendars_name')),
    sqlite_autoincrement=True
    )
    leave_types = op.create_table('leave_types',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('allow_hours', sa.Boolean(), nullable=False),
    sa.Column('allow_half_days', sa.Boolean(), nullable=False),
    sa.Column('allow_negative', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_leave_types'))
    )
    op.bulk_insert(leave_types, LEAVE_TYPES)
    with op.batch_alter_table('shift_assignments', schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.alter_column('shift_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('roster_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_shift_assignments_roster_id'), ['roster_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_shift_assignments_roster_id_rosters'),
                                    'rosters', ['roster_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('holidays', schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_holidays_date'), type_='unique')
        batch_op.add_column(sa.Column('calendar_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_holidays_calendar_date', ['calendar_id', 'date'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_holidays_calendar_id_holiday_calendars'),
                                    'holiday_calendars', ['calendar_id'], ['id'],
                                    ondelete='CASCADE')
    for table in ('departments', 'sites'):
        with op.batch_alter_table(table, schema=None, table_kwargs=_KEEP_IDS) as batch_op:
            batch_op.add_column(sa.Column('holiday_calendar_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_holiday_calendar_id_holiday_calendars'),
                'holiday_calendars', ['holiday_calendar_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('leave_balances', schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.alter_column('entitled_hours', existing_type=sa.Float(), nullable=True)
        batch_op.add_column(sa.Column('entitled_days', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('leave_balances', schema=None) as batch_op:
        batch_op.drop_column('entitled_days')
    for table in ('sites', 'departments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_holiday_calendar_id_holiday_calendars'),
                type_='foreignkey')
            batch_op.drop_column('holiday_calendar_id')
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_holidays_calendar_id_holiday_calendars'),
                                 type_='foreignkey')
        batch_op.drop_index('ix_holidays_calendar_date')
        batch_op.drop_column('calendar_id')
        batch_op.create_unique_constraint(batch_op.f('uq_holidays_date'), ['date'])
    with op.batch_alter_table('shift_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shift_assignments_roster_id_rosters'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_shift_assignments_roster_id'))
        batch_op.drop_column('roster_id')
    op.drop_table('leave_types')
    op.drop_table('holiday_calendars')
    op.drop_table('rosters')
