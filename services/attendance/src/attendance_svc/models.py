"""Every table of the service, imported in one place for Alembic and the tests."""

from sqlalchemy import Integer

from attendance_svc.audit.models import AuditEntry
from attendance_svc.clocking.models import RollCall
from attendance_svc.db import Base
from attendance_svc.liveness.models import LivenessChallenge
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.punches.models import IdempotencyRecord, Punch
from attendance_svc.requests.models import (
    CorrectionRequest,
    LeaveBalance,
    LeaveRequest,
    LeaveType,
    OvertimeRequest,
)
from attendance_svc.results.models import DayResult
from attendance_svc.scheduling.models import (
    Holiday,
    HolidayCalendar,
    Roster,
    Shift,
    ShiftAssignment,
)
from attendance_svc.sites.models import Site, SiteKiosk

metadata = Base.metadata

# Generated ids are never reused, on SQLite too (AUTOINCREMENT; migration 0007): a link kept
# elsewhere to a deleted row (an account's employee, a manager's department) must never reach
# the next row created.
for _table in metadata.tables.values():
    if [(c.name, isinstance(c.type, Integer)) for c in _table.primary_key.columns] == [("id", True)]:
        _table.dialect_kwargs["sqlite_autoincrement"] = True

__all__ = [
    "AuditEntry",
    "CorrectionRequest",
    "DayResult",
    "Department",
    "Employee",
    "Holiday",
    "HolidayCalendar",
    "IdempotencyRecord",
    "LeaveBalance",
    "LeaveRequest",
    "LeaveType",
    "LivenessChallenge",
    "OvertimeRequest",
    "Punch",
    "RollCall",
    "Roster",
    "Shift",
    "ShiftAssignment",
    "Site",
    "SiteKiosk",
    "metadata",
]
