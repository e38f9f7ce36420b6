"""Recognition-driven flows: identify, verify, clock-in and roll call."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Response, UploadFile

from faceclock_common.errors import ApiError
from faceclock_common.security import Principal, require_roles
from gateway_svc.deps import RecognitionDep, SettingsDep, UpstreamsDep, limit_by_caller
from gateway_svc.images import read_image_upload
from gateway_svc.schemas import (
    ClockInResult,
    IdentifyResult,
    ManualClockIn,
    RollCallResult,
    VerifyResult,
    identified_face,
)
from gateway_svc.upstream import raise_for_upstream

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["recognition"], dependencies=[Depends(limit_by_caller)])

ImageField = Annotated[UploadFile | None, File()]


@router.post("/recognition/identify", response_model=IdentifyResult)
async def identify(principal: Annotated[Principal, Depends(require_roles("hr", "manager", "kiosk"))],
                   recognition: RecognitionDep, settings: SettingsDep,
                   image: ImageField = None) -> IdentifyResult:
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    result = await recognition.identify(principal.token, data)
    return IdentifyResult(faces=[identified_face(f) for f in result.faces],
                          image_width=result.image_width, image_height=result.image_height)


@router.post("/recognition/verify", response_model=VerifyResult)
async def verify(principal: Annotated[Principal, Depends(require_roles("hr", "kiosk"))],
                 recognition: RecognitionDep, settings: SettingsDep,
                 employee_id: Annotated[int, Form(ge=1, le=2**53)], image: ImageField = None,
                 ) -> VerifyResult:
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    result = await recognition.verify(principal.token, str(employee_id), data)
    return VerifyResult(match=result.match, face_found=result.face_found,
                        distance=result.distance if result.distance >= 0 else None)


@router.post("/clock-ins", status_code=201, response_model=ClockInResult,
             responses={200: {"description": "A duplicate or a replayed Idempotency-Key"}})
async def clock_in(
    response: Response,
    principal: Annotated[Principal, Depends(require_roles("kiosk", "employee", "hr"))],
    recognition: RecognitionDep, upstreams: UpstreamsDep, settings: SettingsDep,
    image: ImageField = None,
    device_id: Annotated[str | None, Form(max_length=100)] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> ClockInResult:
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    result = await recognition.identify(principal.token, data)
    if not result.faces:
        raise ApiError(422, "no_face", "No face was found in the photo.")
    if len(result.faces) > 1:
        raise ApiError(422, "multiple_faces",
                       f"{len(result.faces)} faces are in the photo; one person at a time, please.")
    face = result.faces[0]
    if face.ambiguous:
        raise ApiError(422, "ambiguous_face",
                       "The face matches more than one employee too closely to tell; "
                       "use another photo or the manual fallback.")
    if not face.person_id.isdigit():
        raise ApiError(422, "unknown_face", "The face does not match any enrolled employee.")
    employee_id = int(face.person_id)
    # A phone clock-in by an employee must be their own face; kiosks and HR clock anyone in.
    if not principal.has_any({"kiosk", "hr", "admin"}) and principal.employee_id != employee_id:
        raise ApiError(422, "face_mismatch", "The face is not that of the signed-in employee.")
    upstream = await upstreams.call("attendance", "POST", "/internal/clock-ins", as_service=True, json={
        "employee_id": employee_id, "device_id": device_id,
        "idempotency_key": idempotency_key, "actor": principal.subject,
    })
    raise_for_upstream(upstream)
    response.status_code = upstream.status_code
    return ClockInResult.model_validate({**upstream.json(), "confidence": face.confidence})


@router.post("/clock-ins/manual", status_code=201, response_model=ClockInResult,
             responses={200: {"description": "A duplicate or a replayed Idempotency-Key"},
                        401: {"description": "invalid_credentials: wrong badge number or PIN"},
                        403: {"description": "manual_clock_in_disabled, or not a kiosk"},
                        429: {"description": "too_many_attempts, with Retry-After"}})
async def manual_clock_in(
    body: ManualClockIn, response: Response,
    principal: Annotated[Principal, Depends(require_roles("kiosk"))],
    upstreams: UpstreamsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> ClockInResult:
    """Badge number + PIN instead of a face, at a kiosk, where the operator allows it
    (attendance checks the PIN, counts failures and answers 403 when it is turned off)."""
    upstream = await upstreams.call("attendance", "POST", "/internal/manual-clock-ins",
                                    as_service=True, json={
                                        **body.model_dump(), "idempotency_key": idempotency_key,
                                        "actor": principal.subject})
    raise_for_upstream(upstream)
    response.status_code = upstream.status_code
    return ClockInResult.model_validate(upstream.json())


@router.post("/roll-calls", status_code=201, response_model=RollCallResult)
async def roll_call(
    principal: Annotated[Principal, Depends(require_roles("kiosk", "hr", "manager"))],
    recognition: RecognitionDep, upstreams: UpstreamsDep, settings: SettingsDep,
    image: ImageField = None,
    department_id: Annotated[int | None, Form(ge=1, le=2**53)] = None,
) -> RollCallResult:
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    result = await recognition.identify(principal.token, data)
    faces = [identified_face(f) for f in result.faces]
    present = sorted({f.employee_id for f in faces if f.employee_id is not None and not f.ambiguous})
    unknown = sum(1 for f in faces if f.employee_id is None or f.ambiguous)
    if "manager" in principal.roles and not principal.has_any({"hr", "admin", "kiosk"}):
        department_id = principal.department_id  # a manager calls the roll of their own department
    upstream = await upstreams.call("attendance", "POST", "/internal/roll-calls", as_service=True, json={
        "present_employee_ids": present, "unknown_faces": unknown,
        "department_id": department_id, "actor": principal.subject,
    })
    raise_for_upstream(upstream)
    roll = upstream.json()
    report_id = None
    report = await upstreams.call("reporting", "POST", "/api/v1/reports", token=principal.token,
                                  json={"kind": "roll_call", "params": {"roll_call_id": roll["id"]}})
    if report.status_code < 300:
        report_id = report.json().get("id")
    else:
        # The roll call is recorded either way; the CSV can be requested again later.
        logger.warning("roll-call report not queued", extra={"status": report.status_code})
    names = {p["employee_id"]: p["name"] for p in roll.get("present", [])}
    for face in faces:
        face.name = names.get(face.employee_id) if face.employee_id is not None else None
    return RollCallResult.model_validate({**roll, "report_id": report_id, "faces": faces})
