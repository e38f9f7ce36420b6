"""/api/v1/kiosks (admin) and the device login a kiosk uses to get its token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from auth_svc.accounts.schemas import AccessToken, DeviceLoginRequest
from auth_svc.deps import ClientAddress, CurrentPrincipal, RuntimeDep, SessionDep
from auth_svc.kiosks import service
from auth_svc.kiosks.models import Kiosk
from auth_svc.kiosks.schemas import KioskCreate, KioskCreated, KioskPage, KioskRead
from faceclock_common.params import PageLimit, PageOffset, RowId
from faceclock_common.security import public, require_roles

router = APIRouter(prefix="/api/v1/kiosks", tags=["kiosks"],
                   dependencies=[Depends(require_roles("admin"))])
device_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("", status_code=201, response_model=KioskCreated)
def create_kiosk(body: KioskCreate, session: SessionDep, principal: CurrentPrincipal) -> KioskCreated:
    kiosk, secret = service.create_kiosk(session, name=body.name, created_by=principal.username)
    return KioskCreated(**KioskRead.model_validate(kiosk).model_dump(), device_secret=secret)


@router.get("", response_model=KioskPage)
def list_kiosks(session: SessionDep, limit: PageLimit = 50,
                offset: PageOffset = 0) -> KioskPage:
    items, total = service.list_kiosks(session, limit=limit, offset=offset)
    return KioskPage(items=[KioskRead.model_validate(k) for k in items], total=total)


@router.get("/{kiosk_id}", response_model=KioskRead)
def get_kiosk(kiosk_id: RowId, session: SessionDep) -> Kiosk:
    return service.get_kiosk(session, kiosk_id=kiosk_id)


@router.delete("/{kiosk_id}", status_code=204)
def revoke_kiosk(kiosk_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.revoke_kiosk(session, kiosk_id=kiosk_id, by=principal.username)
    return Response(status_code=204)


@device_router.post("/device-login", response_model=AccessToken, dependencies=[Depends(public)])
def device_login(body: DeviceLoginRequest, session: SessionDep, runtime: RuntimeDep,
                 address: ClientAddress) -> AccessToken:
    return service.device_login(session, runtime=runtime, secret=body.device_secret,
                                address=address)
