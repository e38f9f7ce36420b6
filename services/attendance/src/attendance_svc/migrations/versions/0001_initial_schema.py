# ruff: noqa: E501
"""initial schema: organisation, punches, shifts, requests, results

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:11:05.191749
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import attendance_svc.db

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_employee_id'), ['employee_id'], unique=False)

    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('manager_employee_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_manager_employee_id'), ['manager_employee_id'], unique=False)

    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('date', name=op.f('uq_holidays_date'))
    )
    op.create_table('idempotency_keys',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('scope', 'actor', 'key', name=op.f('uq_idempotency_keys_scope_actor_key'))
    )
    op.create_table('roll_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('unknown_faces', sa.Integer(), nullable=False),
    sa.Column('present', sa.JSON(), nullable=False),
    sa.Column('absent', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_calls'))
    )
    with op.batch_alter_table('roll_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_calls_at'), ['at'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('early_checkin_minutes', sa.Integer(), nullable=False),
    sa.Column('late_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('absent_after_late_minutes', sa.Integer(), nullable=False),
    sa.Column('early_leave_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('absent_if_early_minutes', sa.Integer(), nullable=False),
    sa.Column('checkout_until_minutes', sa.Integer(), nullable=False),
    sa.Column('half_day_hours', sa.Float(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('updated_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts')),
    sa.UniqueConstraint('name', name=op.f('uq_shifts_name'))
    )
    op.create_table('employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_no', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('updated_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_employees_department_id_departments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees')),
    sa.UniqueConstraint('employee_no', name=op.f('uq_employees_employee_no'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_status'), ['status'], unique=False)

    op.create_table('correction_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('punch_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', attendance_svc.db.UtcDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_correction_requests_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_requests'))
    )
    with op.batch_alter_table('correction_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_requests_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correction_requests_status'), ['status'], unique=False)

    op.create_table('day_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_minutes', sa.Integer(), nullable=False),
    sa.Column('late_minutes', sa.Integer(), nullable=False),
    sa.Column('early_leave_minutes', sa.Integer(), nullable=False),
    sa.Column('worked_minutes', sa.Integer(), nullable=False),
    sa.Column('overtime_minutes', sa.Integer(), nullable=False),
    sa.Column('leave_minutes', sa.Integer(), nullable=False),
    sa.Column('business_trip_minutes', sa.Integer(), nullable=False),
    sa.Column('missing_checkouts', sa.Integer(), nullable=False),
    sa.Column('leave_by_type', sa.JSON(), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('computed_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_day_results_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_results')),
    sa.UniqueConstraint('employee_id', 'date', name=op.f('uq_day_results_employee_id_date'))
    )
    with op.batch_alter_table('day_results', schema=None) as batch_op:
        batch_op.create_index('ix_day_results_date', ['date'], unique=False)

    op.create_table('leave_balances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('leave_type', sa.String(length=32), nullable=False),
    sa.Column('entitled_hours', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_leave_balances_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leave_balances')),
    sa.UniqueConstraint('employee_id', 'year', 'leave_type', name=op.f('uq_leave_balances_employee_id_year_leave_type'))
    )
    op.create_table('leave_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('leave_type', sa.String(length=32), nullable=True),
    sa.Column('start_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('end_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('start_text', sa.String(length=40), nullable=False),
    sa.Column('end_text', sa.String(length=40), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', attendance_svc.db.UtcDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_leave_requests_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leave_requests'))
    )
    with op.batch_alter_table('leave_requests', schema=None) as batch_op:
        batch_op.create_index('ix_leave_requests_employee_start', ['employee_id', 'start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leave_requests_status'), ['status'], unique=False)

    op.create_table('overtime_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('end_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('start_text', sa.String(length=40), nullable=False),
    sa.Column('end_text', sa.String(length=40), nullable=True),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', attendance_svc.db.UtcDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_overtime_requests_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overtime_requests'))
    )
    with op.batch_alter_table('overtime_requests', schema=None) as batch_op:
        batch_op.create_index('ix_overtime_requests_employee_start', ['employee_id', 'start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_overtime_requests_status'), ['status'], unique=False)

    op.create_table('punches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('device_id', sa.String(length=128), nullable=True),
    sa.Column('correction_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=128), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_punches_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_punches'))
    )
    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_punches_at'), ['at'], unique=False)
        batch_op.create_index('ix_punches_employee_at', ['employee_id', 'at'], unique=False)

    op.create_table('shift_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('created_at', attendance_svc.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_shift_assignments_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_shift_assignments_employee_id_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_shift_assignments_shift_id_shifts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_assignments'))
    )
    with op.batch_alter_table('shift_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_assignments_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_assignments_employee_id'), ['employee_id'], unique=False)

    # The office day of RULES.md, applied to everyone without an assignment until changed.
    shifts = sa.table(
        "shifts", sa.column("name", sa.String), sa.column("periods", sa.JSON),
        sa.column("workdays", sa.JSON), sa.column("early_checkin_minutes", sa.Integer),
        sa.column("late_grace_minutes", sa.Integer), sa.column("absent_after_late_minutes", sa.Integer),
        sa.column("early_leave_grace_minutes", sa.Integer),
        sa.column("absent_if_early_minutes", sa.Integer),
        sa.column("checkout_until_minutes", sa.Integer), sa.column("is_default", sa.Boolean),
        sa.column("updated_at", attendance_svc.db.UtcDateTime),
    )
    op.bulk_insert(shifts, [{
        "name": "Office day",
        "periods": [{"start": "08:00", "end": "12:00"}, {"start": "14:00", "end": "18:00"}],
        "workdays": [1, 2, 3, 4, 5], "early_checkin_minutes": 60, "late_grace_minutes": 0,
        "absent_after_late_minutes": 120, "early_leave_grace_minutes": 0,
        "absent_if_early_minutes": 120, "checkout_until_minutes": 240, "is_default": True,
        "updated_at": datetime.now(UTC),
    }])


def downgrade() -> None:
    with op.batch_alter_table('shift_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_assignments_employee_id'))
        batch_op.drop_index(batch_op.f('ix_shift_assignments_department_id'))

    op.drop_table('shift_assignments')
    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.drop_index('ix_punches_employee_at')
        batch_op.drop_index(batch_op.f('ix_punches_at'))

    op.drop_table('punches')
    with op.batch_alter_table('overtime_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overtime_requests_status'))
        batch_op.drop_index('ix_overtime_requests_employee_start')

    op.drop_table('overtime_requests')
    with op.batch_alter_table('leave_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leave_requests_status'))
        batch_op.drop_index('ix_leave_requests_employee_start')

    op.drop_table('leave_requests')
    op.drop_table('leave_balances')
    with op.batch_alter_table('day_results', schema=None) as batch_op:
        batch_op.drop_index('ix_day_results_date')

    op.drop_table('day_results')
    with op.batch_alter_table('correction_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_requests_status'))
        batch_op.drop_index(batch_op.f('ix_correction_requests_employee_id'))

    op.drop_table('correction_requests')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_status'))
        batch_op.drop_index(batch_op.f('ix_employees_name'))
        batch_op.drop_index(batch_op.f('ix_employees_email'))
        batch_op.drop_index(batch_op.f('ix_employees_department_id'))

    op.drop_table('employees')
    op.drop_table('shifts')
    with op.batch_alter_table('roll_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roll_calls_at'))

    op.drop_table('roll_calls')
    op.drop_table('idempotency_keys')
    op.drop_table('holidays')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_manager_employee_id'))

    op.drop_table('departments')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_employee_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
