from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from attendance_svc.audit import service
from attendance_svc.audit.schemas import AuditPage
from attendance_svc.deps import ScopeDep, SessionDep
from attendance_svc.organisation.service import get_employee
from attendance_svc.pagination import PageDep
from attendance_svc.validation import Id
from faceclock_common.fastapi.security import require_roles

# Listed under "requests" in the OpenAPI document, where it always was.
router = APIRouter(prefix="/api/v1", tags=["requests"])


@router.get("/audit", response_model=AuditPage, dependencies=[
    Depends(require_roles("hr", "manager", "service"))])
def list_audit(session: SessionDep, scope: ScopeDep, page: PageDep,
               employee_id: Id | None = None,
               entity: Annotated[str | None, Query(max_length=64)] = None,
               entity_id: Id | None = None) -> object:
    """Who did what to which request, newest first."""
    if employee_id is not None and not scope.everything:
        get_employee(session=session, employee_id=employee_id, scope=scope)  # 404 if hidden
    items, total = service.list_audit(session=session, scope=scope, limit=page.limit,
                                      offset=page.offset, employee_id=employee_id,
                                      entity=entity, entity_id=entity_id)
    return {"items": items, "total": total}
