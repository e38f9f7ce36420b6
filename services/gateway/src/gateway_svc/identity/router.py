"""What a kiosk needs to ask for a claimed identity, and what HR sees about 1:N per site."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from pydantic import BaseModel

from faceclock_common.bounds import ROW_ID_MAX
from faceclock_common.contracts import KioskPeople, KioskPolicy
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import require_roles
from faceclock_common.security import Principal
from gateway_svc.deps import RecognitionDep, SettingsDep, UpstreamsDep, limit_by_caller
from gateway_svc.identity import codes, service
from gateway_svc.images import read_image_upload
from gateway_svc.upstream import answer_of

router = APIRouter(prefix="/api/v1", tags=["identity"], dependencies=[Depends(limit_by_caller)])
Kiosk = Annotated[Principal, Depends(require_roles("kiosk"))]
Hr = Annotated[Principal, Depends(require_roles("hr"))]
Employee = Annotated[Principal, Depends(require_roles("employee"))]


class Identification(BaseModel):
    """How a kiosk tells who is there, and why."""

    mode: str  # what the kiosk does now: "verify" or "identify"
    configured_mode: str
    site_id: int | None
    site_name: str | None
    department_id: int | None
    gallery_faces: int | None = None
    identify_limit_faces: int | None = None
    threshold: float | None = None
    genuine_failure_rate: float | None = None
    target_fpir: float | None = None
    reason: str


class Person(BaseModel):
    employee_id: int
    name: str


class People(BaseModel):
    items: list[Person]


class ClaimCode(BaseModel):
    """A code naming the signed-in employee, for a verify kiosk to scan."""

    code: str
    modules: list[str]  # the QR code, rows of "1" (dark) and "0" (light), quiet zone included
    expires_at: datetime


async def _identification(recognition: RecognitionDep, upstreams: UpstreamsDep,
                          policy: KioskPolicy) -> Identification:
    answer = Identification(mode=service.VERIFY, configured_mode=policy.identification_mode,
                            site_id=policy.site_id, site_name=policy.site_name,
                            department_id=policy.department_id, reason=(
                                "Set to verify: each person gives a badge number or chooses "
                                "their name, and the photo is checked against that employee "
                                "only."))
    if policy.identification_mode != service.IDENTIFY:
        return answer
    if policy.gallery_employee_ids is None or policy.site_id is None:
        answer.reason = "A kiosk bound to no site never identifies: it verifies a claimed identity."
        return answer
    found = await service.feasibility(recognition, upstreams, policy.gallery_employee_ids)
    answer.mode = service.IDENTIFY if found.allowed else service.VERIFY
    answer.gallery_faces = found.gallery_faces
    answer.identify_limit_faces = found.identify_limit_faces
    answer.threshold = found.threshold
    answer.genuine_failure_rate = found.genuine_failure_rate
    answer.target_fpir = found.target_fpir
    answer.reason = found.reason
    return answer


@router.get("/kiosk/identification", response_model=Identification)
async def my_identification(principal: Kiosk, recognition: RecognitionDep,
                            upstreams: UpstreamsDep) -> Identification:
    """The calling kiosk's mode: whether it identifies by face alone or asks for a claim."""
    kiosk_id = service.kiosk_id_of(principal)
    if kiosk_id is None:
        raise ApiError(403, "forbidden", "Only a kiosk device has an identification mode.")
    return await _identification(recognition, upstreams,
                                 await service.kiosk_policy(upstreams, kiosk_id))


@router.get("/kiosk/people", response_model=People)
async def people(principal: Kiosk, upstreams: UpstreamsDep,
                 q: Annotated[str, Query(min_length=2, max_length=100)]) -> People:
    """Names to tap on at the kiosk: its site's people matching `q` (at most 10)."""
    kiosk_id = service.kiosk_id_of(principal)
    if kiosk_id is None:
        raise ApiError(403, "forbidden", "Only a kiosk device lists its site's people.")
    reply = await upstreams.call("attendance", "GET", f"/internal/kiosks/{kiosk_id}/people",
                                 as_service=True, params={"q": q})
    return People(items=[Person(employee_id=p.employee_id, name=p.name)
                         for p in answer_of(KioskPeople, reply).items])


@router.post("/clock-in-codes", response_model=ClaimCode)
async def my_claim_code(principal: Employee, settings: SettingsDep) -> ClaimCode:
    """A signed QR code naming the signed-in employee, valid for `claim_code_seconds` (60):
    shown on the phone to a verify kiosk instead of typing a badge number. The kiosk then
    checks the face 1:1 against this employee, as after a typed badge number."""
    if principal.employee_id is None:
        raise ApiError(403, "no_employee", "Your account is not linked to an employee.")
    expires = int(time.time()) + settings.claim_code_seconds
    code = codes.sign(codes.key_of(settings.client_secret), principal.employee_id, expires)
    return ClaimCode(code=code, modules=codes.modules(code),
                     expires_at=datetime.fromtimestamp(expires, UTC))


@router.post("/kiosk/claims/scan", response_model=Person)
async def scan_claim_code(principal: Kiosk, settings: SettingsDep, upstreams: UpstreamsDep,
                          image: Annotated[UploadFile | None, File()] = None) -> Person:
    """Who the phone held up to the kiosk camera names (its code from /clock-in-codes): a
    claim, as a typed badge number is. 422 no_claim_code while none can be read."""
    if service.kiosk_id_of(principal) is None:
        raise ApiError(403, "forbidden", "Only a kiosk device scans kiosk codes.")
    key = codes.key_of(settings.client_secret)
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    text = await asyncio.to_thread(codes.read, data)
    if text is None:
        raise ApiError(422, "no_claim_code",
                       "No kiosk code could be read in the picture; hold the phone closer "
                       "and steady.")
    claimed = await service.resolve_claim(upstreams, service.Claim(
        employee_id=codes.check(key, text)))
    return Person(employee_id=claimed.employee_id, name=claimed.name)


@router.get("/kiosks/{kiosk_id}/identification", response_model=Identification)
async def kiosk_identification(kiosk_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)],
                               principal: Hr, recognition: RecognitionDep,
                               upstreams: UpstreamsDep) -> Identification:
    """For the admin page: what a kiosk does and why (1:N only within the calibrated limit)."""
    return await _identification(recognition, upstreams,
                                 await service.kiosk_policy(upstreams, kiosk_id))
