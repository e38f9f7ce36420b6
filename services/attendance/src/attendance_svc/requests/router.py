from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from attendance_svc.deps import READERS, ScopeDep, SessionDep, SettingsDep
from attendance_svc.organisation.service import get_employee
from attendance_svc.pagination import PageDep
from attendance_svc.requests import service
from attendance_svc.requests.models import CorrectionRequest, LeaveRequest, OvertimeRequest
from attendance_svc.requests.schemas import (
    AuditPage,
    BalancePage,
    BalanceRead,
    BalanceSet,
    CorrectionCreate,
    CorrectionPage,
    CorrectionRead,
    CorrectionUpdate,
    DecisionIn,
    LeaveCreate,
    LeavePage,
    LeaveRead,
    LeaveUpdate,
    OvertimeCreate,
    OvertimePage,
    OvertimeRead,
    OvertimeUpdate,
    Status,
)
from attendance_svc.validation import Id
from faceclock_common.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/api/v1", tags=["requests"])
read = [Depends(require_roles(*READERS))]
ask = [Depends(require_roles("hr", "manager", "employee"))]
decide = [Depends(require_roles("hr", "manager"))]
Year = Annotated[int | None, Query(ge=1900, le=2200)]


# --- leave and business trips ------------------------------------------------------------------

@router.post("/leave-requests", status_code=201, response_model=LeaveRead, dependencies=ask)
def create_leave(body: LeaveCreate, session: SessionDep, principal: CurrentPrincipal,
                 scope: ScopeDep, settings: SettingsDep) -> object:
    return service.create_leave(session=session, principal=principal, scope=scope, data=body,
                                default_timezone=settings.default_timezone)


@router.get("/leave-requests", response_model=LeavePage, dependencies=read)
def list_leave(session: SessionDep, scope: ScopeDep, page: PageDep,
               employee_id: Id | None = None, department_id: Id | None = None,
               status: Status | None = None,
               kind: Annotated[str | None, Query(pattern="^(leave|business_trip)$")] = None,
               ) -> object:
    extra = [LeaveRequest.kind == kind] if kind else []
    items, total = service.list_requests(session, LeaveRequest, scope, limit=page.limit,
                                         offset=page.offset, employee_id=employee_id,
                                         department_id=department_id, status=status, extra=extra)
    return {"items": items, "total": total}


@router.get("/leave-requests/{request_id}", response_model=LeaveRead, dependencies=read)
def get_leave(request_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_request(session, LeaveRequest, request_id, scope)


@router.patch("/leave-requests/{request_id}", response_model=LeaveRead, dependencies=ask)
def update_leave(request_id: Id, body: LeaveUpdate, session: SessionDep,
                 principal: CurrentPrincipal, scope: ScopeDep, settings: SettingsDep) -> object:
    row = service.get_request(session, LeaveRequest, request_id, scope)
    return service.update_leave(session=session, principal=principal, row=row, data=body,
                                default_timezone=settings.default_timezone)


@router.delete("/leave-requests/{request_id}", status_code=204, dependencies=ask)
def delete_leave(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                 scope: ScopeDep, settings: SettingsDep) -> Response:
    row = service.get_request(session, LeaveRequest, request_id, scope)
    service.delete_request(session=session, principal=principal, row=row,
                           default_timezone=settings.default_timezone)
    return Response(status_code=204)


@router.post("/leave-requests/{request_id}/approve", response_model=LeaveRead,
             dependencies=decide)
def approve_leave(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                  scope: ScopeDep, settings: SettingsDep, body: DecisionIn | None = None) -> object:
    row = service.get_request(session, LeaveRequest, request_id, scope)
    return service.decide(session=session, principal=principal, row=row, approve=True,
                          note=body.note if body else None,
                          default_timezone=settings.default_timezone)


@router.post("/leave-requests/{request_id}/reject", response_model=LeaveRead,
             dependencies=decide)
def reject_leave(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                 scope: ScopeDep, settings: SettingsDep, body: DecisionIn | None = None) -> object:
    row = service.get_request(session, LeaveRequest, request_id, scope)
    return service.decide(session=session, principal=principal, row=row, approve=False,
                          note=body.note if body else None,
                          default_timezone=settings.default_timezone)


# --- overtime ----------------------------------------------------------------------------------

@router.post("/overtime", status_code=201, response_model=OvertimeRead, dependencies=ask)
def create_overtime(body: OvertimeCreate, session: SessionDep, principal: CurrentPrincipal,
                    scope: ScopeDep, settings: SettingsDep) -> object:
    return service.create_overtime(session=session, principal=principal, scope=scope, data=body,
                                   default_timezone=settings.default_timezone)


@router.get("/overtime", response_model=OvertimePage, dependencies=read)
def list_overtime(session: SessionDep, scope: ScopeDep, page: PageDep,
                  employee_id: Id | None = None, department_id: Id | None = None,
                  status: Status | None = None) -> object:
    items, total = service.list_requests(session, OvertimeRequest, scope, limit=page.limit,
                                         offset=page.offset, employee_id=employee_id,
                                         department_id=department_id, status=status)
    return {"items": items, "total": total}


@router.get("/overtime/{request_id}", response_model=OvertimeRead, dependencies=read)
def get_overtime(request_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_request(session, OvertimeRequest, request_id, scope)


@router.patch("/overtime/{request_id}", response_model=OvertimeRead, dependencies=ask)
def update_overtime(request_id: Id, body: OvertimeUpdate, session: SessionDep,
                    principal: CurrentPrincipal, scope: ScopeDep, settings: SettingsDep) -> object:
    row = service.get_request(session, OvertimeRequest, request_id, scope)
    return service.update_overtime(session=session, principal=principal, row=row, data=body,
                                   default_timezone=settings.default_timezone)


@router.delete("/overtime/{request_id}", status_code=204, dependencies=ask)
def delete_overtime(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                    scope: ScopeDep, settings: SettingsDep) -> Response:
    row = service.get_request(session, OvertimeRequest, request_id, scope)
    service.delete_request(session=session, principal=principal, row=row,
                           default_timezone=settings.default_timezone)
    return Response(status_code=204)


@router.post("/overtime/{request_id}/approve", response_model=OvertimeRead, dependencies=decide)
def approve_overtime(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                     scope: ScopeDep, settings: SettingsDep,
                     body: DecisionIn | None = None) -> object:
    row = service.get_request(session, OvertimeRequest, request_id, scope)
    return service.decide(session=session, principal=principal, row=row, approve=True,
                          note=body.note if body else None,
                          default_timezone=settings.default_timezone)


@router.post("/overtime/{request_id}/reject", response_model=OvertimeRead, dependencies=decide)
def reject_overtime(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                    scope: ScopeDep, settings: SettingsDep,
                    body: DecisionIn | None = None) -> object:
    row = service.get_request(session, OvertimeRequest, request_id, scope)
    return service.decide(session=session, principal=principal, row=row, approve=False,
                          note=body.note if body else None,
                          default_timezone=settings.default_timezone)


# --- corrections -------------------------------------------------------------------------------

@router.post("/corrections", status_code=201, response_model=CorrectionRead, dependencies=ask)
def create_correction(body: CorrectionCreate, session: SessionDep, principal: CurrentPrincipal,
                      scope: ScopeDep) -> object:
    return service.create_correction(session=session, principal=principal, scope=scope,
                                     data=body)


@router.get("/corrections", response_model=CorrectionPage, dependencies=read)
def list_corrections(session: SessionDep, scope: ScopeDep, page: PageDep,
                     employee_id: Id | None = None, department_id: Id | None = None,
                     status: Status | None = None) -> object:
    items, total = service.list_requests(session, CorrectionRequest, scope, limit=page.limit,
                                         offset=page.offset, employee_id=employee_id,
                                         department_id=department_id, status=status)
    return {"items": items, "total": total}


@router.get("/corrections/{request_id}", response_model=CorrectionRead, dependencies=read)
def get_correction(request_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_request(session, CorrectionRequest, request_id, scope)


@router.patch("/corrections/{request_id}", response_model=CorrectionRead, dependencies=ask)
def update_correction(request_id: Id, body: CorrectionUpdate, session: SessionDep,
                      principal: CurrentPrincipal, scope: ScopeDep) -> object:
    row = service.get_request(session, CorrectionRequest, request_id, scope)
    return service.update_correction(session=session, principal=principal, row=row, data=body)


@router.delete("/corrections/{request_id}", status_code=204, dependencies=ask)
def delete_correction(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                      scope: ScopeDep, settings: SettingsDep) -> Response:
    row = service.get_request(session, CorrectionRequest, request_id, scope)
    service.delete_request(session=session, principal=principal, row=row,
                           default_timezone=settings.default_timezone)
    return Response(status_code=204)


@router.post("/corrections/{request_id}/approve", response_model=CorrectionRead,
             dependencies=decide)
def approve_correction(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                       scope: ScopeDep, settings: SettingsDep,
                       body: DecisionIn | None = None) -> object:
    row = service.get_request(session, CorrectionRequest, request_id, scope)
    return service.decide(session=session, principal=principal, row=row, approve=True,
                          note=body.note if body else None,
                          default_timezone=settings.default_timezone)


@router.post("/corrections/{request_id}/reject", response_model=CorrectionRead,
             dependencies=decide)
def reject_correction(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                      scope: ScopeDep, settings: SettingsDep,
                      body: DecisionIn | None = None) -> object:
    row = service.get_request(session, CorrectionRequest, request_id, scope)
    return service.decide(session=session, principal=principal, row=row, approve=False,
                          note=body.note if body else None,
                          default_timezone=settings.default_timezone)


# --- balances and audit ------------------------------------------------------------------------

@router.put("/leave-balances", response_model=BalanceRead, dependencies=[
    Depends(require_roles("hr"))])
def set_balance(body: BalanceSet, session: SessionDep, principal: CurrentPrincipal) -> object:
    """Set how many hours of a leave type an employee may take in a year."""
    return service.set_balance(session=session, principal=principal, data=body)


@router.get("/leave-balances", response_model=BalancePage, dependencies=read)
def list_balances(session: SessionDep, principal: CurrentPrincipal, scope: ScopeDep,
                  employee_id: Id | None = None, year: Year = None) -> object:
    target = employee_id if employee_id is not None else principal.employee_id
    if target is None:
        return {"items": [], "total": 0}
    employee = get_employee(session=session, employee_id=target, scope=scope)
    items = service.list_balances(session=session, employee=employee,
                                  year=year or datetime.now(UTC).year)
    return {"items": items, "total": len(items)}


@router.get("/audit", response_model=AuditPage, dependencies=[
    Depends(require_roles("hr", "manager", "service"))])
def list_audit(session: SessionDep, scope: ScopeDep, page: PageDep,
               employee_id: Id | None = None,
               entity: Annotated[str | None, Query(max_length=64)] = None,
               entity_id: Id | None = None) -> object:
    """Who did what to which request, newest first."""
    items, total = service.list_audit(session=session, scope=scope, limit=page.limit,
                                      offset=page.offset, employee_id=employee_id,
                                      entity=entity, entity_id=entity_id)
    return {"items": items, "total": total}


