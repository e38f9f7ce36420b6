"""Recognition-driven flows: identify, verify, clock-in and roll call."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Response, UploadFile

from faceclock_common.bounds import ROW_ID_MAX
from faceclock_common.contracts import (
    ClockInAnswer,
    ClockInRequest,
    ManualClockIn,
    ManualClockInRequest,
    RecognitionTestRecorded,
    RecognitionTestRequest,
    ReplayRequest,
    RollCallCreated,
    RollCallRequest,
)
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import require_roles
from faceclock_common.security import Principal
from gateway_svc.deps import RecognitionDep, SettingsDep, UpstreamsDep, limit_by_caller
from gateway_svc.identity import service as identity
from gateway_svc.images import read_image_upload
from gateway_svc.liveness.service import checked_burst, liveness_scope
from gateway_svc.schemas import (
    ClockInResult,
    IdentifyResult,
    RecognitionTest,
    RollCallResult,
    TestedFace,
    VerifyResult,
    identified_face,
)
from gateway_svc.upstream import Upstreams, answer_of, message, raise_for_upstream

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["recognition"], dependencies=[Depends(limit_by_caller)])

ImageField = Annotated[UploadFile | None, File()]


def kiosk_name(principal: Principal) -> str | None:
    """A kiosk's token carries its name as `kiosk:<name>`: stored on its punches for reading."""
    if "kiosk" in principal.roles and principal.username.startswith("kiosk:"):
        return principal.username.removeprefix("kiosk:")[:100] or None
    return None


@router.post("/recognition/identify", response_model=IdentifyResult)
async def identify(principal: Annotated[Principal, Depends(require_roles("hr", "manager", "kiosk"))],
                   recognition: RecognitionDep, upstreams: UpstreamsDep, settings: SettingsDep,
                   image: ImageField = None) -> IdentifyResult:
    """1:N at the threshold calibrated for the gallery searched: everyone for HR, a manager's
    department, an identify kiosk's own gallery (a verify kiosk may not search at all)."""
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    scope = await identity.identify_scope(principal, upstreams)
    result = await recognition.identify(principal.token, data, scope=scope,
                                        within_identify_limit=identity.kiosk_id_of(principal)
                                        is not None)
    return IdentifyResult(faces=[identified_face(f) for f in result.faces],
                          image_width=result.image_width, image_height=result.image_height)


@router.post("/recognition/tests", response_model=RecognitionTest)
async def recognition_test(
    principal: Annotated[Principal, Depends(require_roles("hr"))],
    recognition: RecognitionDep, upstreams: UpstreamsDep, settings: SettingsDep,
    image: ImageField = None,
    site_id: Annotated[int | None, Form(ge=1, le=ROW_ID_MAX, description=(
        "decide as this site's identifying kiosk would (its people only); none: everyone"))] = None,
) -> RecognitionTest:
    """HR's recognition test (as CompreFace's): every face in the photo, the nearest employees
    within the threshold with their distance, and what a kiosk would decide. Read-only: no
    punch, only an audit entry of who tried it."""
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    site_name, gallery, limit = None, None, None
    if site_id is not None:
        site = await upstreams.call("attendance", "GET", f"/api/v1/sites/{site_id}",
                                    token=principal.token)
        raise_for_upstream(site)
        site_name = site.json()["name"]
        gallery = await identity.roster(upstreams, site_id=site_id, department_id=None)
    result = await recognition.identify(principal.token, data, scope=gallery)
    faces = [TestedFace(**identified_face(f).model_dump(), decision=(
        "ambiguous" if f.ambiguous else "match" if f.person_id else "unknown"))
        for f in result.faces]
    kiosk_decision: str = ("no_face" if not faces else "multiple_faces" if len(faces) > 1
                           else faces[0].decision)
    if gallery is not None:
        found = await identity.feasibility(recognition, upstreams, gallery)
        limit = found.identify_limit_faces
        if not found.allowed:
            kiosk_decision = "claim_required"
    named = {c.employee_id for f in faces for c in f.candidates} | {
        f.employee_id for f in faces if f.employee_id is not None}
    audit = await upstreams.call("attendance", "POST", "/internal/recognition-tests",
                                 as_service=True, json=message(
                                     RecognitionTestRequest, actor=principal.subject,
                                     site_id=site_id, faces=len(faces), decision=kiosk_decision,
                                     employee_ids=sorted(named),
                                     matched_employee_id=faces[0].employee_id
                                     if kiosk_decision == "match" else None))
    names = {p.employee_id: p.name
             for p in answer_of(RecognitionTestRecorded, audit).people}
    for face in faces:
        face.name = names.get(face.employee_id) if face.employee_id is not None else None
        for candidate in face.candidates:
            candidate.name = names.get(candidate.employee_id)
    return RecognitionTest(faces=faces, image_width=result.image_width,
                           image_height=result.image_height,
                           threshold=result.threshold or None,
                           gallery_faces=result.gallery_faces, site_id=site_id,
                           site_name=site_name, identify_limit_faces=limit,
                           kiosk_decision=kiosk_decision)


@router.post("/recognition/verify", response_model=VerifyResult)
async def verify(principal: Annotated[Principal, Depends(require_roles("hr", "kiosk"))],
                 recognition: RecognitionDep, settings: SettingsDep,
                 employee_id: Annotated[int, Form(ge=1, le=ROW_ID_MAX)], image: ImageField = None,
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
    employee_no: Annotated[str | None, Form(min_length=1, max_length=64,
                                            description="claimed identity: a badge number")] = None,
    employee_id: Annotated[int | None, Form(ge=1, le=ROW_ID_MAX, description=(
        "claimed identity: the employee (a name tapped at the kiosk)"))] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
    challenge: Annotated[str | None, Form(max_length=64, description=(
        "a liveness challenge id (POST /liveness/challenges); then send `frames`, not `image`"))] = None,
    frames: Annotated[list[UploadFile] | None, File(description="the burst, in capture order")] = None,
) -> ClockInResult:
    if idempotency_key is not None:
        # A retry is answered from what attendance stored, before any image or liveness work.
        stored = await upstreams.call("attendance", "POST", "/internal/clock-ins/replay",
                                      as_service=True, json=message(
                                          ReplayRequest, actor=principal.subject,
                                          idempotency_key=idempotency_key))
        if stored.status_code == 200:
            response.status_code = 200
            return ClockInResult(**answer_of(ClockInAnswer, stored).model_dump())
        if stored.status_code != 404:
            raise_for_upstream(stored)
    # Without a liveness challenge one photo is the face; attendance then refuses the punch
    # where the site checks liveness.
    data = None if challenge is not None else await read_image_upload(
        image, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)
    # Verify a claim 1:1, or identify only within the kiosk's site (identity/service.py):
    # decided before a liveness challenge is used up.
    plan = await identity.plan(principal=principal, upstreams=upstreams,
                               claim=identity.Claim(employee_no=employee_no,
                                                    employee_id=employee_id))
    if data is not None:
        who = await identity.recognise(principal=principal, recognition=recognition, plan=plan,
                                       image=data)
    else:
        gallery = plan.gallery if isinstance(plan, identity.IdentifyPlan) else None
        with identity.claim_beyond_identify_limit():
            burst = await checked_burst(
                principal=principal, challenge_id=str(challenge), frames=frames or [],
                recognition=recognition, upstreams=upstreams, settings=settings,
                identify_scope=gallery)
        # 1:N: two of the burst's frames must name the same person (a stranger who resembles
        # an employee in one frame rarely does in two: bench/README-identity.md).
        who = identity.confirmed(burst.answer) if gallery is not None else await identity.recognise(
            principal=principal, recognition=recognition, plan=plan, image=burst.frame)
    upstream = await upstreams.call("attendance", "POST", "/internal/clock-ins", as_service=True,
                                    json=message(
                                        ClockInRequest, employee_id=who.employee_id,
                                        device_id=device_id, device_name=kiosk_name(principal),
                                        idempotency_key=idempotency_key, actor=principal.subject,
                                        liveness_checked=challenge is not None,
                                        liveness_scope=liveness_scope(principal)))
    punch = answer_of(ClockInAnswer, upstream)
    response.status_code = upstream.status_code
    return ClockInResult(**punch.model_dump(), confidence=who.confidence, mode=who.mode)


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
    (attendance checks the PIN, counts failures and answers 403 when it is turned off
    everywhere; a kiosk whose admin turned it off for that device answers 403 as well)."""
    if identity.kiosk_id_of(principal) is not None:
        # The kiosk's own settings (its heartbeat: a PIN try also says the kiosk is up).
        device = await upstreams.call("auth", "POST", "/api/v1/auth/device/heartbeat",
                                      token=principal.token)
        raise_for_upstream(device)
        if not device.json()["pin_allowed"]:
            raise ApiError(403, "manual_clock_in_disabled",
                           "Clocking in by badge number and PIN is turned off at this kiosk.")
    upstream = await upstreams.call("attendance", "POST", "/internal/manual-clock-ins",
                                    as_service=True, json=message(
                                        ManualClockInRequest, **body.model_dump(),
                                        idempotency_key=idempotency_key,
                                        device_name=kiosk_name(principal),
                                        actor=principal.subject))
    punch = answer_of(ClockInAnswer, upstream)
    response.status_code = upstream.status_code
    return ClockInResult(**punch.model_dump())


async def _queue_roll_call_report(upstreams: Upstreams, principal: Principal,
                                  roll_call_id: int) -> int | None:
    """The roll call's CSV, queued with the caller's token; None when that failed (reporting
    away, or the token expired during a long recognition). The roll call is recorded either
    way, and the client asks for the CSV itself with POST /api/v1/reports."""
    try:
        report = await upstreams.call("reporting", "POST", "/api/v1/reports", token=principal.token,
                                      json={"kind": "roll_call",
                                            "params": {"roll_call_id": roll_call_id}})
    except ApiError as exc:
        logger.warning("roll-call report not queued", extra={"status": exc.status})
        return None
    if report.status_code >= 300:
        logger.warning("roll-call report not queued", extra={"status": report.status_code})
        return None
    report_id = report.json().get("id")
    return report_id if isinstance(report_id, int) else None


@router.post("/roll-calls", status_code=201, response_model=RollCallResult)
async def roll_call(
    principal: Annotated[Principal, Depends(require_roles("kiosk", "hr", "manager"))],
    recognition: RecognitionDep, upstreams: UpstreamsDep, settings: SettingsDep,
    image: ImageField = None,
    department_id: Annotated[int | None, Form(ge=1, le=ROW_ID_MAX)] = None,
    site_id: Annotated[int | None, Form(ge=1, le=ROW_ID_MAX)] = None,
) -> RollCallResult:
    """Identifies the faces among the chosen department's or site's people only, never the
    whole company (the calibrated threshold then fits that gallery)."""
    if "manager" in principal.roles and not principal.has_any({"hr", "admin", "kiosk"}):
        # A manager calls the roll of their own department: the account's, else the one they
        # are named manager of (attendance lists a manager only the departments they manage);
        # without one, of nobody (no department would mean the whole organisation).
        department_id = principal.department_id
        if department_id is None:
            managed = await upstreams.call("attendance", "GET", "/api/v1/departments",
                                           token=principal.token)
            raise_for_upstream(managed)
            items = managed.json().get("items", [])
            if not items:
                raise ApiError(403, "no_department", "You manage no department.")
            department_id = items[0]["id"]
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    kiosk_id = identity.kiosk_id_of(principal)
    if kiosk_id is not None and site_id is None:
        site_id = (await identity.kiosk_policy(upstreams, kiosk_id)).site_id
    if department_id is None and site_id is None:
        raise ApiError(422, "scope_required",
                       "Choose the department or site whose roll to call.")
    gallery = await identity.roster(upstreams, site_id=site_id, department_id=department_id)
    result = await recognition.identify(principal.token, data, scope=gallery)
    faces = [identified_face(f) for f in result.faces]
    present = sorted({f.employee_id for f in faces if f.employee_id is not None and not f.ambiguous})
    unknown = sum(1 for f in faces if f.employee_id is None or f.ambiguous)
    upstream = await upstreams.call("attendance", "POST", "/internal/roll-calls", as_service=True,
                                    json=message(
                                        RollCallRequest, present_employee_ids=present,
                                        unknown_faces=unknown, department_id=department_id,
                                        site_id=site_id, actor=principal.subject))
    roll = answer_of(RollCallCreated, upstream)
    report_id = await _queue_roll_call_report(upstreams, principal, roll.id)
    names = {p.employee_id: p.name for p in [*roll.present, *roll.other_departments]}
    for face in faces:
        face.name = names.get(face.employee_id) if face.employee_id is not None else None
    return RollCallResult(id=roll.id, at=roll.at, present=roll.present, absent=roll.absent,
                          other_departments=roll.other_departments,
                          unknown_faces=roll.unknown_faces, report_id=report_id, faces=faces)
