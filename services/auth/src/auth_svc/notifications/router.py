"""/api/v1/notifications: the signed-in account's notices about requests, and its choices."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from auth_svc.accounts.service import own_user
from auth_svc.deps import CurrentPrincipal, SessionDep
from auth_svc.notifications import service
from auth_svc.notifications.schemas import NotificationPage, NotificationRead, NotificationSettings
from faceclock_common.fastapi.params import PageLimit, PageOffset
from faceclock_common.fastapi.security import authenticated

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"],
                   dependencies=[Depends(authenticated)])


@router.get("", response_model=NotificationPage)
def list_notifications(session: SessionDep, principal: CurrentPrincipal, limit: PageLimit = 20,
                       offset: PageOffset = 0) -> NotificationPage:
    user = own_user(session, principal)
    rows, total, unread = service.list_for(session, user.id, limit=limit, offset=offset)
    return NotificationPage(items=[NotificationRead.model_validate(r) for r in rows],
                            total=total, unread=unread)


@router.post("/read", status_code=204)
def mark_read(session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.mark_read(session, own_user(session, principal).id)
    return Response(status_code=204)


@router.get("/settings", response_model=NotificationSettings)
def get_settings(session: SessionDep, principal: CurrentPrincipal) -> NotificationSettings:
    return service.settings_of(own_user(session, principal))


@router.put("/settings", response_model=NotificationSettings)
def put_settings(body: NotificationSettings, session: SessionDep,
                 principal: CurrentPrincipal) -> NotificationSettings:
    return service.set_settings(session, own_user(session, principal), body)
