from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from attendance_svc.deps import (
    READERS,
    LanguageDep,
    PinLockoutDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
    SiteScopeDep,
)
from attendance_svc.organisation import service, spreadsheet
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
from faceclock_common.fastapi.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/api/v1")
read = [Depends(require_roles(*READERS))]
write = [Depends(require_roles("hr"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/departments", status_code=201, response_model=DepartmentRead,
             dependencies=write, tags=["organisation"])
def create_department(body: DepartmentCreate, session: SessionDep,
                      principal: CurrentPrincipal) -> object:
    return service.create_department(session=session, data=body, actor=principal.subject)


@router.get("/departments", response_model=DepartmentPage, dependencies=read,
            tags=["organisation"])
def list_departments(session: SessionDep, scope: ScopeDep, page: PageDep,
                     site_id: Id | None = None) -> object:
    items, total = service.list_departments(session=session, scope=scope, limit=page.limit,
                                            offset=page.offset, site_id=site_id)
    return {"items": items, "total": total}


@router.get("/departments/{department_id}", response_model=DepartmentRead, dependencies=read,
            tags=["organisation"])
def get_department(department_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_department(session=session, department_id=department_id, scope=scope)


@router.patch("/departments/{department_id}", response_model=DepartmentRead, dependencies=write,
              tags=["organisation"])
def update_department(department_id: Id, body: DepartmentUpdate, session: SessionDep,
                      scope: ScopeDep, principal: CurrentPrincipal,
                      settings: SettingsDep) -> object:
    department = service.get_department(session=session, department_id=department_id,
                                        scope=scope)
    return service.update_department(session=session, department=department, data=body,
                                     actor=principal.subject,
                                     default_timezone=settings.default_timezone)


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
    session: SessionDep, scope: SiteScopeDep, page: PageDep,
    department_id: Id | None = None,
    q: Annotated[str | None, Query(max_length=200, description="name, number, e-mail or title")] = None,
    status: EmployeeStatus | None = None,
    employee_id: Annotated[list[Id] | None, Query(
        alias="id", max_length=100,
        description="only these employees (repeated): the names of a page's rows")] = None,
) -> object:
    items, total = service.list_employees(session=session, scope=scope, limit=page.limit,
                                          offset=page.offset, department_id=department_id,
                                          q=q, status=status, ids=employee_id)
    return {"items": items, "total": total}


@router.post("/employees/import", response_model=EmployeeImportReport, dependencies=write,
             tags=["organisation"])
def import_employees(
    session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal,
    language: LanguageDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK) or .xlsx with a header "
                                                 "row, in English or Chinese")],
    update_existing: bool = False,
) -> object:
    content = file.file.read(settings.import_max_bytes + 1)
    if len(content) > settings.import_max_bytes:
        raise ApiError(413, "payload_too_large",
                       f"The file is larger than {settings.import_max_bytes} bytes.")
    return service.import_employees(session=session, content=content, actor=principal.subject,
                                    update_existing=update_existing,
                                    default_timezone=settings.default_timezone,
                                    language=language)


@router.get("/employees/import-template", dependencies=write, tags=["organisation"],
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def import_template(language: LanguageDep) -> Response:
    """An .xlsx to fill in: the columns of the import (headed in the reader's language) and one
    example row."""
    name = "员工导入模板.xlsx" if language == "zh-CN" else "employee-import-template.xlsx"
    return Response(spreadsheet.template(language), media_type=XLSX, headers={
        # filename* first: the web UI takes the first name it finds (the reader's language).
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}; "
                               "filename=\"employee-import-template.xlsx\""})


@router.get("/employees/{employee_id}", response_model=EmployeeRead, dependencies=read,
            tags=["organisation"])
async def get_employee(employee_id: Id, session: SessionDep, scope: ScopeDep) -> EmployeeRead:
    # One thread-pool hop for the read and the session's release; a plain `def` route took
    # three (the route, checking its answer, closing the session).
    def read() -> EmployeeRead:
        with session:
            return EmployeeRead.model_validate(
                service.get_employee(session=session, employee_id=employee_id, scope=scope))

    return await run_in_threadpool(read)


@router.patch("/employees/{employee_id}", response_model=EmployeeRead, dependencies=write,
              tags=["organisation"])
def update_employee(employee_id: Id, body: EmployeeUpdate, session: SessionDep,
                    scope: ScopeDep, principal: CurrentPrincipal,
                    settings: SettingsDep) -> object:
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    return service.update_employee(session=session, employee=employee, data=body,
                                   actor=principal.subject,
                                   default_timezone=settings.default_timezone)


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
                     principal: CurrentPrincipal, pin_lockout: PinLockoutDep) -> Response:
    """The PIN for clocking in at a kiosk by badge number (stored as an argon2id hash)."""
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    service.set_pin(session=session, employee=employee, pin=body.pin, actor=principal.subject,
                    pin_lockout=pin_lockout)
    return Response(status_code=204)


@router.delete("/employees/{employee_id}/pin", status_code=204, dependencies=write,
               tags=["organisation"])
def clear_employee_pin(employee_id: Id, session: SessionDep, scope: ScopeDep,
                       principal: CurrentPrincipal, pin_lockout: PinLockoutDep) -> Response:
    employee = service.get_employee(session=session, employee_id=employee_id, scope=scope)
    service.set_pin(session=session, employee=employee, pin=None, actor=principal.subject,
                    pin_lockout=pin_lockout)
    return Response(status_code=204)
