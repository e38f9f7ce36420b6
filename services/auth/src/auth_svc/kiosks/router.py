"""/api/v1/kiosks (admin) and the device login a kiosk uses to get its token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from auth_svc.accounts.schemas import AccessToken, DeviceLoginRequest
from auth_svc.deps import ClientAddress, CurrentPrincipal, RuntimeDep, SessionDep
from auth_svc.kiosks import service
from auth_svc.kiosks.models import Kiosk
from auth_svc.kiosks.schemas import (
    DevicePaired,
    DevicePairRequest,
    DeviceSettings,
    KioskCreate,
    KioskCreated,
    KioskPage,
    KioskRead,
    KioskUpdate,
    PairingCode,
)
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.params import PageLimit, PageOffset, RowId
from faceclock_common.fastapi.security import public, require_roles

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


@router.patch("/{kiosk_id}", response_model=KioskRead)
def update_kiosk(kiosk_id: RowId, body: KioskUpdate, session: SessionDep,
                 principal: CurrentPrincipal) -> Kiosk:
    """The kiosk's name and settings (badge and PIN allowed, sound, language); the kiosk
    applies them on its next load or heartbeat. Its site is its binding under /sites."""
    return service.update_kiosk(session, kiosk_id=kiosk_id, data=body, by=principal.username)


@router.delete("/{kiosk_id}", status_code=204)
def revoke_kiosk(kiosk_id: RowId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.revoke_kiosk(session, kiosk_id=kiosk_id, by=principal.username)
    return Response(status_code=204)


@router.post("/{kiosk_id}/pairing-code", response_model=PairingCode)
def new_pairing_code(kiosk_id: RowId, session: SessionDep,
                     principal: CurrentPrincipal) -> PairingCode:
    """A short code to type on the tablet instead of the long secret (10 minutes, once)."""
    code, expires_at = service.pairing_code(session, kiosk_id=kiosk_id, by=principal.username)
    return PairingCode(code=code, expires_at=expires_at)


@device_router.post("/device-pair", response_model=DevicePaired, dependencies=[Depends(public)])
def device_pair(body: DevicePairRequest, session: SessionDep, runtime: RuntimeDep,
                address: ClientAddress) -> DevicePaired:
    kiosk, secret = service.pair_device(session, runtime=runtime, code=body.code,
                                        address=address)
    return DevicePaired(kiosk_name=kiosk.name, device_secret=secret)


@device_router.post("/device/heartbeat", response_model=DeviceSettings,
                    dependencies=[Depends(require_roles("kiosk"))])
def device_heartbeat(session: SessionDep, principal: CurrentPrincipal) -> Kiosk:
    """A kiosk's beat (each minute, and at load): marks it online on the device list and
    answers its settings."""
    kiosk_id = service.kiosk_id_of(principal.subject)
    if kiosk_id is None:
        raise ApiError(403, "forbidden", "Only a kiosk device has device settings.")
    return service.heartbeat(session, kiosk_id=kiosk_id)


@device_router.post("/device-login", response_model=AccessToken, dependencies=[Depends(public)])
def device_login(body: DeviceLoginRequest, session: SessionDep, runtime: RuntimeDep,
                 address: ClientAddress) -> AccessToken:
    return service.device_login(session, runtime=runtime, secret=body.device_secret,
                                address=address)
