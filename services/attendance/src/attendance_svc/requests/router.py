from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from attendance_svc.config import Settings
from attendance_svc.deps import READERS, ScopeDep, SessionDep, SettingsDep
from attendance_svc.notify import Notifier, NotifierDep
from attendance_svc.organisation.service import get_employee
from attendance_svc.pagination import PageDep
from attendance_svc.requests import service
from attendance_svc.requests.models import CorrectionRequest, LeaveRequest, OvertimeRequest
from attendance_svc.requests.schemas import (
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
    LeavePreview,
    LeaveRead,
    LeaveTypeIn,
    LeaveTypePage,
    LeaveTypeRead,
    LeaveUpdate,
    OvertimeCreate,
    OvertimePage,
    OvertimeRead,
    OvertimeUpdate,
    Status,
)
from attendance_svc.validation import Id
from faceclock_common.contracts import NoticeEvent
from faceclock_common.fastapi.security import CurrentPrincipal, require_roles
from faceclock_common.security import Principal

router = APIRouter(prefix="/api/v1", tags=["requests"])
read = [Depends(require_roles(*READERS))]
ask = [Depends(require_roles("hr", "manager", "employee"))]
# An employee named manager of a department decides for its people (checked per request).
decide = [Depends(require_roles("hr", "manager", "employee"))]
Year = Annotated[int | None, Query(ge=1900, le=2200)]


def _tell(background: BackgroundTasks, notifier: Notifier, session: Session,
          row: LeaveRequest | OvertimeRequest | CorrectionRequest, event: NoticeEvent,
          principal: Principal, settings: Settings) -> None:
    """The notice is written now (the session is open) and sent after the answer."""
    background.add_task(notifier.send, service.notice_of(
        session, row, event, principal.subject, settings.default_timezone))


# --- leave and business trips ------------------------------------------------------------------

@router.post("/leave-requests", status_code=201, response_model=LeaveRead, dependencies=ask)
def create_leave(body: LeaveCreate, session: SessionDep, principal: CurrentPrincipal,
                 scope: ScopeDep, settings: SettingsDep, notifier: NotifierDep,
                 background: BackgroundTasks) -> object:
    row = service.create_leave(session=session, principal=principal, scope=scope, data=body,
                               default_timezone=settings.default_timezone)
    _tell(background, notifier, session, row, "request_filed", principal, settings)
    return row


@router.post("/leave-requests/preview", response_model=LeavePreview, dependencies=ask)
def preview_leave(body: LeaveCreate, session: SessionDep, principal: CurrentPrincipal,
                  scope: ScopeDep, settings: SettingsDep) -> object:
    """The days and hours a request would cost and the balance before it; refused (409, 422)
    exactly as filing it would be. Nothing is stored."""
    return service.preview_leave(session=session, principal=principal, scope=scope, data=body,
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


@router.patch("/leave-requests/{request_id}", response_model=LeaveRead, dependencies=ask)
def update_leave(request_id: Id, body: LeaveUpdate, session: SessionDep,
                 principal: CurrentPrincipal, scope: ScopeDep, settings: SettingsDep) -> object:
    row = service.get_request(session, LeaveRequest, request_id, scope, for_change=True)
    return service.update_leave(session=session, principal=principal, row=row, data=body,
                                default_timezone=settings.default_timezone)


# --- overtime ----------------------------------------------------------------------------------

@router.post("/overtime", status_code=201, response_model=OvertimeRead, dependencies=ask)
def create_overtime(body: OvertimeCreate, session: SessionDep, principal: CurrentPrincipal,
                    scope: ScopeDep, settings: SettingsDep, notifier: NotifierDep,
                    background: BackgroundTasks) -> object:
    row = service.create_overtime(session=session, principal=principal, scope=scope, data=body,
                                  default_timezone=settings.default_timezone)
    _tell(background, notifier, session, row, "request_filed", principal, settings)
    return row


@router.get("/overtime", response_model=OvertimePage, dependencies=read)
def list_overtime(session: SessionDep, scope: ScopeDep, page: PageDep,
                  employee_id: Id | None = None, department_id: Id | None = None,
                  status: Status | None = None) -> object:
    items, total = service.list_requests(session, OvertimeRequest, scope, limit=page.limit,
                                         offset=page.offset, employee_id=employee_id,
                                         department_id=department_id, status=status)
    return {"items": items, "total": total}


@router.patch("/overtime/{request_id}", response_model=OvertimeRead, dependencies=ask)
def update_overtime(request_id: Id, body: OvertimeUpdate, session: SessionDep,
                    principal: CurrentPrincipal, scope: ScopeDep, settings: SettingsDep) -> object:
    row = service.get_request(session, OvertimeRequest, request_id, scope, for_change=True)
    return service.update_overtime(session=session, principal=principal, row=row, data=body,
                                   default_timezone=settings.default_timezone)


# --- corrections -------------------------------------------------------------------------------

@router.post("/corrections", status_code=201, response_model=CorrectionRead, dependencies=ask)
def create_correction(body: CorrectionCreate, session: SessionDep, principal: CurrentPrincipal,
                      scope: ScopeDep, settings: SettingsDep, notifier: NotifierDep,
                      background: BackgroundTasks) -> object:
    row = service.create_correction(session=session, principal=principal, scope=scope,
                                    data=body)
    _tell(background, notifier, session, row, "request_filed", principal, settings)
    return row


@router.get("/corrections", response_model=CorrectionPage, dependencies=read)
def list_corrections(session: SessionDep, scope: ScopeDep, page: PageDep,
                     employee_id: Id | None = None, department_id: Id | None = None,
                     status: Status | None = None) -> object:
    items, total = service.list_requests(session, CorrectionRequest, scope, limit=page.limit,
                                         offset=page.offset, employee_id=employee_id,
                                         department_id=department_id, status=status)
    return {"items": items, "total": total}


@router.patch("/corrections/{request_id}", response_model=CorrectionRead, dependencies=ask)
def update_correction(request_id: Id, body: CorrectionUpdate, session: SessionDep,
                      principal: CurrentPrincipal, scope: ScopeDep) -> object:
    row = service.get_request(session, CorrectionRequest, request_id, scope, for_change=True)
    return service.update_correction(session=session, principal=principal, row=row, data=body)


# --- what every kind of request shares: read one, withdraw, approve, reject ----------------

def _add_shared_routes(path: str, model: type[service.Request], read_schema: type,
                       noun: str) -> None:
    def get_one(request_id: Id, session: SessionDep, scope: ScopeDep) -> object:
        return service.get_request(session, model, request_id, scope)

    def delete_one(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                   scope: ScopeDep, settings: SettingsDep) -> Response:
        row = service.get_request(session, model, request_id, scope, for_change=True)
        service.delete_request(session=session, principal=principal, row=row,
                               default_timezone=settings.default_timezone)
        return Response(status_code=204)

    def withdraw_one(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                     scope: ScopeDep, settings: SettingsDep) -> object:
        row = service.get_request(session, model, request_id, scope, for_change=True)
        return service.withdraw(session=session, principal=principal, row=row,
                                default_timezone=settings.default_timezone)

    def decider(approve: bool) -> Callable[..., object]:
        def decide_one(request_id: Id, session: SessionDep, principal: CurrentPrincipal,
                       scope: ScopeDep, settings: SettingsDep, notifier: NotifierDep,
                       background: BackgroundTasks, body: DecisionIn | None = None) -> object:
            row = service.get_request(session, model, request_id, scope, for_change=True)
            decided = service.decide(session=session, principal=principal, scope=scope,
                                     row=row, approve=approve, note=body.note if body else None,
                                     default_timezone=settings.default_timezone)
            _tell(background, notifier, session, decided,
                  "request_approved" if approve else "request_rejected", principal, settings)
            return decided
        return decide_one

    one = f"{path}/{{request_id}}"
    router.add_api_route(one, get_one, methods=["GET"], response_model=read_schema,
                         dependencies=read, name=f"get_{noun}")
    router.add_api_route(one, delete_one, methods=["DELETE"], status_code=204,
                         dependencies=ask, name=f"delete_{noun}")
    router.add_api_route(f"{one}/withdraw", withdraw_one, methods=["POST"],
                         response_model=read_schema, dependencies=ask, name=f"withdraw_{noun}")
    router.add_api_route(f"{one}/approve", decider(True), methods=["POST"],
                         response_model=read_schema, dependencies=decide, name=f"approve_{noun}")
    router.add_api_route(f"{one}/reject", decider(False), methods=["POST"],
                         response_model=read_schema, dependencies=decide, name=f"reject_{noun}")


_add_shared_routes("/leave-requests", LeaveRequest, LeaveRead, "leave")
_add_shared_routes("/overtime", OvertimeRequest, OvertimeRead, "overtime")
_add_shared_routes("/corrections", CorrectionRequest, CorrectionRead, "correction")


# --- leave types and balances ---------------------------------------------------------------------

@router.get("/leave-types", response_model=LeaveTypePage, dependencies=read)
def list_leave_types(session: SessionDep) -> object:
    items = service.list_leave_types(session)
    return {"items": items, "total": len(items)}


@router.put("/leave-types/{code}", response_model=LeaveTypeRead, dependencies=[
    Depends(require_roles("hr"))])
def put_leave_type(code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")],
                   body: LeaveTypeIn, session: SessionDep,
                   principal: CurrentPrincipal) -> object:
    """Create or change a leave type: in hours or not, half days or not, negative balance."""
    return service.put_leave_type(session=session, principal=principal, code=code, data=body)


@router.put("/leave-balances", response_model=BalanceRead, dependencies=[
    Depends(require_roles("hr"))])
def set_balance(body: BalanceSet, session: SessionDep, principal: CurrentPrincipal) -> object:
    """Set the yearly allocation of a leave type to an employee, in days or in hours."""
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
