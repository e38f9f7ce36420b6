"""The audit trail: who did what to which record (HR data, rules, requests, synced punches)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from attendance_svc.requests.models import AuditEntry


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
