"""Recording to the audit trail, and reading it within the caller's scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attendance_svc.audit.models import AuditEntry
from attendance_svc.deps import AccessScope
from attendance_svc.organisation.models import Employee


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record(session: Session, *, actor: str, action: str, entity: str, entity_id: int | None,
           employee_id: int | None = None, **details: Any) -> None:
    """Add an entry to the caller's transaction: it is stored if and only if the change is."""
    session.add(AuditEntry(actor=actor, action=action, entity=entity, entity_id=entity_id,
                           employee_id=employee_id, details=_plain(details)))


def list_audit(*, session: Session, scope: AccessScope, limit: int, offset: int,
               employee_id: int | None = None, entity: str | None = None,
               entity_id: int | None = None) -> tuple[list[AuditEntry], int]:
    """Entries about employees the caller may see (the router refuses one they may not)."""
    query = select(AuditEntry)
    if not scope.everything:
        visible = select(Employee.id).where(scope.employee_filter())
        query = query.where(AuditEntry.employee_id.in_(visible))
    if employee_id is not None:
        query = query.where(AuditEntry.employee_id == employee_id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
