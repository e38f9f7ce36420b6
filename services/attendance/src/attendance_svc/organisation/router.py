from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from attendance_svc.deps import READERS, ScopeDep, SessionDep, SettingsDep
from attendance_svc.organisation import service
from attendance_svc.organisation.schemas import (
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
    EmployeeCreate,
    EmployeeImportReport,
    EmployeePage,
    EmployeeRead,
    EmployeeStatus,
    EmployeeUpdate,
    PinSet,
)
from attendance_svc.pagination import PageDep
from attendance_svc.validation import Id
from faceclock_common.errors import ApiError
from faceclock_common.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/api/v1")
read = [Depends(require_roles(*READERS))]
write = [Depends(require_roles("hr"))]


@router.post("/departments", status_code=201, response_model=DepartmentRead,
             dependencies=write, tags=["organisation"])
def create_department(body: DepartmentCreate, session: SessionDep,
                      principal: CurrentPrincipal) -> object:
    return service.create_department(session=session, data=body, actor=principal.subject)


@router.get("/departments", response_model=DepartmentPage, dependencies=read,
            tags=["organisation"])
def list_departments(session: SessionDep, scope: ScopeDep, page: PageDep) -> object:
    items, total = service.list_departments(session=session, scope=scope, limit=page.limit,
                                            offset=page.offset)
    return {"items": items, "total": total}


@router.get("/departments/{department_id}", response_model=DepartmentRead, dependencies=read,
            tags=["organisation"])
def get_department(department_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_department(session=session, department_id=department_id, scope=scope)


@router.patch("/departments/{department_id}", response_model=DepartmentRead, dependencies=write,
              tags=["organisation"])
def update_department(department_id: Id, body: DepartmentUpdate, session: SessionDep,
                      scope: ScopeDep, principal: CurrentPrincipal) -> object:
    department = service.get_department(session=session, department_id=department_id,
                                        scope=scope)
    return service.update_department(session=session, department=department, data=body,
                                     actor=principal.subject)


@router.delete("/departments/{department_id}", status_code=204, dependencies=write,
               tags=["organisation"])
def delete_department(department_id: Id, session: SessionDep, scope: ScopeDep,
                      principal: CurrentPrincipal) -> Response:
    department = service.get_department(session=session, department_id=department_id,
                                        scope=scope)
    service.delete_department(session=session, department=department, actor=principal.subject)
    return Response(status_code=204)


@router.post("/employees", status_code=201, response_model=EmployeeRead, dependencies=write,
             tags=["organisation"])
def create_employee(body: EmployeeCreate, session: SessionDep,
                    principal: CurrentPrincipal) -> object:
    return service.create_employee(session=session, data=body, actor=principal.subject)


@router.get("/employees", response_model=EmployeePage, dependencies=read, tags=["organisation"])
def list_employees(
    session: SessionDep, scope: ScopeDep, page: PageDep,
    department_id: Id | None = None,
    q: Annotated[str | None, Query(max_length=200, description="name, number, e-mail or title")] = None,
    status: EmployeeStatus | None = None,
) -> object:
    items, total = service.list_employees(session=session, scope=scope, limit=page.limit,
                                          offset=page.offset, department_id=department_id, q=q,
                                          status=status)
    return {"items": items, "total": total}


@router.post("/employees/import", response_model=EmployeeImportReport, dependencies=write,
             tags=["organisation"])
def import_employees(
    session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description="CSV with a header row")],
    update_existing: bool = False,
) -> object:
    content = file.file.read(settings.import_max_bytes + 1)
    if len(content) > settings.import_max_bytes:
        raise ApiError(413, "payload_too_large",
                       f"The file is larger than {settings.import_max_bytes} bytes.")
    return service.import_employees(session=session, content=content, actor=principal.subject,
                                    update_existing=update_existing)


@router.get("/employees/{employee_id}", response_model=EmployeeRead, dependencies=read,
            tags=["organisation"])
def get_employee(employee_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_employee(session=session, employee_id=employee_id, scope=scope)


@router.patch("/employees/{employee_id}", response_model=EmployeeRead, dependencies=write,
              tags=["organisation"])
def update_employee(employee_id: Id, body: EmployeeUpdate, session: SessionDep,
                    scope: ScopeDep, principal: CurrentPrincipal) -> object:
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    return service.update_employee(session=session, employee=employee, data=body,
                                   actor=principal.subject)


@router.delete("/employees/{employee_id}", status_code=204, dependencies=write,
               tags=["organisation"])
def delete_employee(employee_id: Id, session: SessionDep, scope: ScopeDep,
                    principal: CurrentPrincipal) -> Response:
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    service.delete_employee(session=session, employee=employee, actor=principal.subject)
    return Response(status_code=204)


@router.put("/employees/{employee_id}/pin", status_code=204, dependencies=write,
            tags=["organisation"])
def set_employee_pin(employee_id: Id, body: PinSet, session: SessionDep, scope: ScopeDep,
                     principal: CurrentPrincipal) -> Response:
    """The PIN for clocking in at a kiosk by badge number (stored as an argon2id hash)."""
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    service.set_pin(session=session, employee=employee, pin=body.pin, actor=principal.subject)
    return Response(status_code=204)


@router.delete("/employees/{employee_id}/pin", status_code=204, dependencies=write,
               tags=["organisation"])
def clear_employee_pin(employee_id: Id, session: SessionDep, scope: ScopeDep,
                       principal: CurrentPrincipal) -> Response:
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    service.set_pin(session=session, employee=employee, pin=None, actor=principal.subject)
    return Response(status_code=204)
