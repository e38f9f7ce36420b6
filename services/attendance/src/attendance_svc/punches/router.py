from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from attendance_svc.audit.service import record
from attendance_svc.deps import READERS, SessionDep, SettingsDep, SiteScopeDep
from attendance_svc.organisation.service import get_employee
from attendance_svc.pagination import PageDep
from attendance_svc.punches import service
from attendance_svc.punches.schemas import PunchCreate, PunchPage
from attendance_svc.results.service import recompute_around
from attendance_svc.validation import Id, Moment
from faceclock_common.contracts import PunchRead
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/api/v1", tags=["punches"])

# A device clock a little ahead of ours is tolerated; a punch from the future is not.
_CLOCK_SKEW = timedelta(minutes=5)


@router.post("/punches", status_code=201, response_model=PunchRead,
             responses={200: {"model": PunchRead,
                              "description": "duplicate within the window, or a replay"}},
             dependencies=[Depends(require_roles("hr", "kiosk"))])
def create_punch(
    body: PunchCreate, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1,
                                                  max_length=255)] = None,
) -> JSONResponse:
    """Sync a punch taken with the device's own timestamp (offline kiosk, badge, import)."""
    if body.at > datetime.now(UTC) + _CLOCK_SKEW:
        raise ApiError(422, "punch_in_future", "The punch time is in the future.")

    def action() -> service.Outcome:
        employee = service.lock_employee(session, body.employee_id)
        if employee.status != "active":
            raise ApiError(409, "employee_inactive", "This employee has left.")
        duplicate = service.find_duplicate(session, employee_id=employee.id, at=body.at,
                                           window_seconds=settings.duplicate_window_seconds)
        if duplicate is not None:
            return service.Outcome(200, PunchRead.model_validate(duplicate).model_dump(mode="json"))
        punch = service.add_punch(session, employee_id=employee.id, at=body.at,
                                  source=body.source, created_by=principal.subject,
                                  device_id=body.device_id)
        record(session, actor=principal.subject, action="create", entity="punch",
               entity_id=punch.id, employee_id=employee.id, at=body.at, source=body.source,
               device_id=body.device_id)
        return service.Outcome(201, PunchRead.model_validate(punch).model_dump(mode="json"),
                               created_punch=punch)

    outcome = service.idempotent(session, scope="punch", actor=principal.subject,
                                 key=idempotency_key,
                                 payload=body.model_dump(mode="json"), action=action)
    if outcome.created_punch is not None:
        recompute_around(session, employee_id=body.employee_id, start=body.at, end=body.at,
                         default_timezone=settings.default_timezone)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, outcome.status_code, headers=headers)


@router.get("/punches", response_model=PunchPage, dependencies=[Depends(require_roles(*READERS))])
def list_punches(
    session: SessionDep, scope: SiteScopeDep, page: PageDep,
    employee_id: Annotated[list[Id] | None, Query(
        max_length=100, description="one employee, or several (repeated): a page of them")] = None,
    department_id: Id | None = None,
    start: Annotated[Moment | None, Query(alias="from")] = None,
    end: Annotated[Moment | None, Query(alias="to")] = None,
    liveness: Annotated[Literal["checked", "not_checked"] | None, Query(
        description="only punches whose liveness was (not) checked")] = None,
) -> object:
    """The raw log, oldest first; `from` inclusive, `to` exclusive."""
    for one in employee_id or ():
        get_employee(session=session, employee_id=one, scope=scope)  # 404 if not theirs
    items, total = service.list_punches(session=session, employee_filter=scope.employee_filter(),
                                        limit=page.limit, offset=page.offset,
                                        employee_id=employee_id, department_id=department_id,
                                        start=start, end=end,
                                        liveness_checked=None if liveness is None
                                        else liveness == "checked")
    return {"items": items, "total": total}
