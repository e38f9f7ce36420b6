from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from attendance_svc.deps import READERS, LanguageDep, SessionDep, SettingsDep, SiteScopeDep
from attendance_svc.organisation.service import get_employee
from attendance_svc.pagination import PageDep
from attendance_svc.results import reports
from attendance_svc.results.schemas import DailyPage, MonthlyPage
from attendance_svc.results.wording import explanation_for
from attendance_svc.validation import Day, Id
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import require_roles

router = APIRouter(prefix="/api/v1/attendance", tags=["results"],
                   dependencies=[Depends(require_roles(*READERS))])


@router.get("/daily", response_model=DailyPage)
def daily(
    session: SessionDep, scope: SiteScopeDep, settings: SettingsDep, page: PageDep,
    language: LanguageDep,
    day: Annotated[Day | None, Query(alias="date", description="one day (default today, UTC)")]
    = None,
    start: Annotated[Day | None, Query(alias="from", description="or a range, with to")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    employee_id: Id | None = None, department_id: Id | None = None,
) -> object:
    """One row per employee and day, ordered by employee then day, with the explanation."""
    if day is not None and (start is not None or end is not None):
        raise ApiError(422, "validation_error", "give date, or from and to, not both")
    if (start is None) != (end is None):
        raise ApiError(422, "validation_error", "from and to go together")
    if employee_id is not None:
        get_employee(session=session, employee_id=employee_id, scope=scope)  # 404 if not theirs
    first = start or day or datetime.now(UTC).date()
    last = end or day or first
    for bound in (first, last):
        if not 1900 <= bound.year <= 2200:
            raise ApiError(422, "validation_error", "dates must be between 1900 and 2200")
    items, total = reports.daily(session=session, scope=scope, first=first, last=last,
                                 limit=page.limit, offset=page.offset, employee_id=employee_id,
                                 department_id=department_id,
                                 default_timezone=settings.default_timezone)
    for item in items:
        item["explanation"] = explanation_for(item["explanation"], language)
    return {"items": items, "total": total}


@router.get("/monthly", response_model=MonthlyPage)
def monthly(
    session: SessionDep, scope: SiteScopeDep, settings: SettingsDep, page: PageDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    employee_id: Id | None = None, department_id: Id | None = None,
) -> object:
    """Per employee (paged by employee): the month's counts over its finished days."""
    if employee_id is not None:
        get_employee(session=session, employee_id=employee_id, scope=scope)
    items, total = reports.monthly(session=session, scope=scope, month=month, limit=page.limit,
                                   offset=page.offset, employee_id=employee_id,
                                   department_id=department_id,
                                   default_timezone=settings.default_timezone)
    return {"items": items, "total": total}
