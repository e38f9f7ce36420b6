"""Every table of the service, imported in one place for Alembic and the tests."""

from attendance_svc.clocking.models import RollCall
from attendance_svc.db import Base
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.punches.models import IdempotencyRecord, Punch
from attendance_svc.requests.models import (
    AuditEntry,
    CorrectionRequest,
    LeaveBalance,
    LeaveRequest,
    OvertimeRequest,
)
from attendance_svc.results.models import DayResult
from attendance_svc.scheduling.models import Holiday, Shift, ShiftAssignment

metadata = Base.metadata

__all__ = [
    "AuditEntry", "CorrectionRequest", "DayResult", "Department", "Employee", "Holiday",
    "IdempotencyRecord", "LeaveBalance", "LeaveRequest", "OvertimeRequest", "Punch", "RollCall",
    "Shift", "ShiftAssignment", "metadata",
]
