from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from attendance_svc.deps import READERS, ScopeDep, SessionDep, SettingsDep
from attendance_svc.pagination import PageDep
from attendance_svc.scheduling import service
from attendance_svc.scheduling.schemas import (
    AssignmentCreate,
    AssignmentPage,
    AssignmentRead,
    AssignmentUpdate,
    BulkAssignmentCreate,
    CalendarIn,
    CalendarPage,
    CalendarRead,
    HolidayCreate,
    HolidayPage,
    HolidayRead,
    HolidayUpdate,
    RosterCreate,
    RosterPage,
    RosterPreview,
    RosterPreviewIn,
    RosterRead,
    RosterUpdate,
    ShiftCreate,
    ShiftPage,
    ShiftRead,
    ShiftUpdate,
)
from attendance_svc.validation import Id
from faceclock_common.fastapi.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/api/v1", tags=["rules"])
read = [Depends(require_roles(*READERS))]
write = [Depends(require_roles("hr"))]


@router.post("/shifts", status_code=201, response_model=ShiftRead, dependencies=write)
def create_shift(body: ShiftCreate, session: SessionDep, settings: SettingsDep,
                 principal: CurrentPrincipal) -> object:
    return service.create_shift(session=session, data=body,
                                default_timezone=settings.default_timezone,
                                actor=principal.subject)


@router.get("/shifts", response_model=ShiftPage, dependencies=read)
def list_shifts(session: SessionDep, page: PageDep,
                q: Annotated[str | None, Query(max_length=200, description="in the name")] = None,
                ) -> object:
    items, total = service.list_shifts(session=session, limit=page.limit, offset=page.offset,
                                       q=q)
    return {"items": items, "total": total}


@router.get("/shifts/default", response_model=ShiftCreate, dependencies=read)
def default_shift() -> object:
    """The office day (08:00-12:00, 14:00-18:00, RULES.md defaults) as a new shift's fields: what
    restore-default stores and the web UI fills in."""
    return {"name": service.DEFAULT_SHIFT_NAME, **service.DEFAULT_SHIFT_FIELDS}


@router.post("/shifts/restore-default", response_model=ShiftRead, dependencies=write)
def restore_default_shift(session: SessionDep, settings: SettingsDep,
                          principal: CurrentPrincipal) -> object:
    """Put the office day (08:00-12:00, 14:00-18:00, RULES.md defaults) back as the default."""
    return service.restore_default_shift(session=session,
                                         default_timezone=settings.default_timezone,
                                         actor=principal.subject)


@router.get("/shifts/{shift_id}", response_model=ShiftRead, dependencies=read)
def get_shift(shift_id: Id, session: SessionDep) -> object:
    return service.get_shift(session=session, shift_id=shift_id)


@router.patch("/shifts/{shift_id}", response_model=ShiftRead, dependencies=write)
def update_shift(shift_id: Id, body: ShiftUpdate, session: SessionDep,
                 settings: SettingsDep, principal: CurrentPrincipal) -> object:
    shift = service.get_shift(session=session, shift_id=shift_id)
    return service.update_shift(session=session, shift=shift, data=body,
                                default_timezone=settings.default_timezone,
                                actor=principal.subject)


@router.delete("/shifts/{shift_id}", status_code=204, dependencies=write)
def delete_shift(shift_id: Id, session: SessionDep, settings: SettingsDep,
                 principal: CurrentPrincipal) -> Response:
    shift = service.get_shift(session=session, shift_id=shift_id)
    service.delete_shift(session=session, shift=shift, default_timezone=settings.default_timezone,
                         actor=principal.subject)
    return Response(status_code=204)


@router.post("/shift-assignments", status_code=201, response_model=AssignmentRead,
             dependencies=write)
def create_assignment(body: AssignmentCreate, session: SessionDep, settings: SettingsDep,
                      principal: CurrentPrincipal) -> object:
    return service.create_assignment(session=session, data=body,
                                     default_timezone=settings.default_timezone,
                                     actor=principal.subject)


@router.post("/shift-assignments/bulk", status_code=201, response_model=AssignmentPage,
             dependencies=write)
def create_assignments(body: BulkAssignmentCreate, session: SessionDep, settings: SettingsDep,
                       principal: CurrentPrincipal) -> object:
    """One shift or roster for many employees: all assigned in one transaction, or none (422 an
    unknown employee, 409 one already assigned from that day)."""
    rows = service.create_assignments(session=session, data=body,
                                      default_timezone=settings.default_timezone,
                                      actor=principal.subject)
    return {"items": rows, "total": len(rows)}


@router.get("/shift-assignments", response_model=AssignmentPage, dependencies=read)
def list_assignments(session: SessionDep, scope: ScopeDep, page: PageDep,
                     employee_id: Id | None = None, department_id: Id | None = None,
                     shift_id: Id | None = None,
                     q: Annotated[str | None, Query(
                         max_length=200, description="employee name or number, department or "
                                                     "shift name")] = None) -> object:
    items, total = service.list_assignments(session=session, scope=scope, limit=page.limit,
                                            offset=page.offset, employee_id=employee_id,
                                            department_id=department_id, shift_id=shift_id, q=q)
    return {"items": items, "total": total}


@router.get("/shift-assignments/{assignment_id}", response_model=AssignmentRead,
            dependencies=read)
def get_assignment(assignment_id: Id, session: SessionDep, scope: ScopeDep) -> object:
    return service.get_assignment(session=session, assignment_id=assignment_id, scope=scope)


@router.patch("/shift-assignments/{assignment_id}", response_model=AssignmentRead,
              dependencies=write)
def update_assignment(assignment_id: Id, body: AssignmentUpdate, session: SessionDep,
                      scope: ScopeDep, settings: SettingsDep,
                      principal: CurrentPrincipal) -> object:
    row = service.get_assignment(session=session, assignment_id=assignment_id, scope=scope)
    return service.update_assignment(session=session, row=row, data=body,
                                     default_timezone=settings.default_timezone,
                                     actor=principal.subject)


@router.delete("/shift-assignments/{assignment_id}", status_code=204, dependencies=write)
def delete_assignment(assignment_id: Id, session: SessionDep, scope: ScopeDep,
                      settings: SettingsDep, principal: CurrentPrincipal) -> Response:
    row = service.get_assignment(session=session, assignment_id=assignment_id, scope=scope)
    service.delete_assignment(session=session, row=row,
                              default_timezone=settings.default_timezone,
                              actor=principal.subject)
    return Response(status_code=204)


@router.post("/holidays", status_code=201, response_model=HolidayRead, dependencies=write)
def create_holiday(body: HolidayCreate, session: SessionDep, settings: SettingsDep,
                   principal: CurrentPrincipal) -> object:
    return service.create_holiday(session=session, data=body,
                                  default_timezone=settings.default_timezone,
                                  actor=principal.subject)


@router.get("/holidays", response_model=HolidayPage, dependencies=read)
def list_holidays(session: SessionDep, page: PageDep,
                  year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
                  calendar_id: Id | None = None,
                  default: Annotated[bool, Query(
                      description="only the organisation-wide calendar's")] = False) -> object:
    items, total = service.list_holidays(session=session, limit=page.limit, offset=page.offset,
                                         year=year, calendar_id=calendar_id,
                                         default_calendar=default)
    return {"items": items, "total": total}


@router.get("/holidays/{holiday_id}", response_model=HolidayRead, dependencies=read)
def get_holiday(holiday_id: Id, session: SessionDep) -> object:
    return service.get_holiday(session=session, holiday_id=holiday_id)


@router.patch("/holidays/{holiday_id}", response_model=HolidayRead, dependencies=write)
def update_holiday(holiday_id: Id, body: HolidayUpdate, session: SessionDep,
                   settings: SettingsDep, principal: CurrentPrincipal) -> object:
    holiday = service.get_holiday(session=session, holiday_id=holiday_id)
    return service.update_holiday(session=session, holiday=holiday, data=body,
                                  default_timezone=settings.default_timezone,
                                  actor=principal.subject)


@router.delete("/holidays/{holiday_id}", status_code=204, dependencies=write)
def delete_holiday(holiday_id: Id, session: SessionDep, settings: SettingsDep,
                   principal: CurrentPrincipal) -> Response:
    holiday = service.get_holiday(session=session, holiday_id=holiday_id)
    service.delete_holiday(session=session, holiday=holiday,
                           default_timezone=settings.default_timezone, actor=principal.subject)
    return Response(status_code=204)


# --- holiday calendars -------------------------------------------------------------------------

@router.post("/holiday-calendars", status_code=201, response_model=CalendarRead,
             dependencies=write)
def create_calendar(body: CalendarIn, session: SessionDep, principal: CurrentPrincipal) -> object:
    """A named set of holidays; attach it to sites or departments (`holiday_calendar_id`)."""
    return service.create_calendar(session=session, data=body, actor=principal.subject)


@router.get("/holiday-calendars", response_model=CalendarPage, dependencies=read)
def list_calendars(session: SessionDep, page: PageDep) -> object:
    items, total = service.list_calendars(session=session, limit=page.limit, offset=page.offset)
    return {"items": items, "total": total}


@router.get("/holiday-calendars/{calendar_id}", response_model=CalendarRead, dependencies=read)
def get_calendar(calendar_id: Id, session: SessionDep) -> object:
    return service.get_calendar(session=session, calendar_id=calendar_id)


@router.patch("/holiday-calendars/{calendar_id}", response_model=CalendarRead,
              dependencies=write)
def rename_calendar(calendar_id: Id, body: CalendarIn, session: SessionDep,
                    principal: CurrentPrincipal) -> object:
    row = service.get_calendar(session=session, calendar_id=calendar_id)
    return service.rename_calendar(session=session, row=row, data=body, actor=principal.subject)


@router.delete("/holiday-calendars/{calendar_id}", status_code=204, dependencies=write)
def delete_calendar(calendar_id: Id, session: SessionDep, settings: SettingsDep,
                    principal: CurrentPrincipal) -> Response:
    row = service.get_calendar(session=session, calendar_id=calendar_id)
    service.delete_calendar(session=session, row=row, default_timezone=settings.default_timezone,
                            actor=principal.subject)
    return Response(status_code=204)


# --- rosters -----------------------------------------------------------------------------------

@router.post("/rosters", status_code=201, response_model=RosterRead, dependencies=write)
def create_roster(body: RosterCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    """A repeating pattern of shifts and rest days; assign it like a shift (`roster_id`)."""
    return service.create_roster(session=session, data=body, actor=principal.subject)


@router.get("/rosters", response_model=RosterPage, dependencies=read)
def list_rosters(session: SessionDep, page: PageDep) -> object:
    items, total = service.list_rosters(session=session, limit=page.limit, offset=page.offset)
    return {"items": items, "total": total}


@router.post("/rosters/preview", response_model=RosterPreview, dependencies=read)
def preview_roster(body: RosterPreviewIn, session: SessionDep) -> object:
    """Which shift (or rest) a pattern puts on each date of [from, to], saved or not."""
    items = service.preview_roster(session=session, data=body)
    return {"items": items, "total": len(items)}


@router.get("/rosters/{roster_id}", response_model=RosterRead, dependencies=read)
def get_roster(roster_id: Id, session: SessionDep) -> object:
    return service.get_roster(session=session, roster_id=roster_id)


@router.patch("/rosters/{roster_id}", response_model=RosterRead, dependencies=write)
def update_roster(roster_id: Id, body: RosterUpdate, session: SessionDep, settings: SettingsDep,
                  principal: CurrentPrincipal) -> object:
    row = service.get_roster(session=session, roster_id=roster_id)
    return service.update_roster(session=session, row=row, data=body,
                                 default_timezone=settings.default_timezone,
                                 actor=principal.subject)


@router.delete("/rosters/{roster_id}", status_code=204, dependencies=write)
def delete_roster(roster_id: Id, session: SessionDep, settings: SettingsDep,
                  principal: CurrentPrincipal) -> Response:
    row = service.get_roster(session=session, roster_id=roster_id)
    service.delete_roster(session=session, row=row, default_timezone=settings.default_timezone,
                          actor=principal.subject)
    return Response(status_code=204)
