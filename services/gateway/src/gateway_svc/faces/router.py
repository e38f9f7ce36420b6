"""Face samples of an employee: enrolment (attendance check → recognition) and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Response, UploadFile

from faceclock_common.bounds import ROW_ID_MAX
from faceclock_common.contracts import Unlinked
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import require_roles
from faceclock_common.security import Principal
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from gateway_svc.deps import RecognitionDep, SettingsDep, UpstreamsDep, limit_by_caller
from gateway_svc.images import read_image_upload
from gateway_svc.schemas import Box, FaceEnrolled, FaceList, FaceQuality, FaceRecordRead, Resemblance
from gateway_svc.upstream import answer_of, raise_for_upstream

router = APIRouter(prefix="/api/v1/employees", tags=["faces"])

HrPrincipal = Annotated[Principal, Depends(require_roles("hr"))]
EmployeeId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]

# Refusals that mean "this photo will not do" (422) versus "this person is full" (409).
_CONFLICT_REFUSALS = {"too_many_samples", "duplicate_sample"}


async def _require_employee(upstreams: UpstreamsDep, principal: Principal, employee_id: int) -> None:
    response = await upstreams.call("attendance", "GET", f"/api/v1/employees/{employee_id}",
                                    token=principal.token)
    raise_for_upstream(response)


async def _resemblances(upstreams: UpstreamsDep, principal: Principal,
                        matches: Sequence[pb.PersonMatch]) -> list[Resemblance]:
    """The other employees a sample is close to, with their names (HR reads names, not ids)."""
    found = []
    for match in matches:
        if not match.person_id.isdigit():
            continue
        employee = await upstreams.call("attendance", "GET",
                                        f"/api/v1/employees/{match.person_id}",
                                        token=principal.token)
        body = employee.json() if employee.status_code == 200 else {}
        found.append(Resemblance(employee_id=int(match.person_id), distance=match.distance,
                                 name=body.get("name"), employee_no=body.get("employee_no")))
    return found


@router.post("/{employee_id}/faces", status_code=201, response_model=FaceEnrolled,
             dependencies=[Depends(limit_by_caller)])
async def enrol_face(employee_id: EmployeeId, principal: HrPrincipal, upstreams: UpstreamsDep,
                     recognition: RecognitionDep, settings: SettingsDep,
                     image: Annotated[UploadFile | None, File()] = None) -> FaceEnrolled:
    data = await read_image_upload(image, max_bytes=settings.max_upload_bytes,
                                   max_pixels=settings.max_image_pixels)
    await _require_employee(upstreams, principal, employee_id)
    result = await recognition.enroll(principal.token, str(employee_id), data)
    resembles = await _resemblances(upstreams, principal, result.resembles)
    if result.refusal.code == "matches_other_person":
        who = ", ".join(f"{r.name} ({r.employee_no})" if r.name else f"employee {r.employee_id}"
                        for r in resembles)
        raise ApiError(409, "matches_other_person", (
            f"This face is already enrolled as {who}. A person is enrolled once: check that "
            "the photo shows the right employee."), resembles=[r.model_dump() for r in resembles])
    if result.refusal.code:
        status = 409 if result.refusal.code in _CONFLICT_REFUSALS else 422
        raise ApiError(status, result.refusal.code, result.refusal.message)
    quality = result.quality
    return FaceEnrolled(
        face_id=result.face_id,
        box=Box.of(result.box),
        quality=FaceQuality(
            face_width_px=quality.face_width_px, sharpness=quality.sharpness,
            nearest_own_distance=quality.nearest_own_distance
            if quality.nearest_own_distance >= 0 else None),
        resembles=resembles,
        lookalike=result.lookalike,
    )


@router.get("/{employee_id}/faces", response_model=FaceList)
async def list_faces(employee_id: EmployeeId, principal: HrPrincipal,
                     recognition: RecognitionDep) -> FaceList:
    result = await recognition.list_faces(principal.token, str(employee_id))
    items = [FaceRecordRead(face_id=f.face_id, created_at=f.created_at.ToDatetime(tzinfo=UTC).isoformat())
             for f in result.faces]
    return FaceList(items=items, total=len(items))


@router.delete("/{employee_id}/faces/{face_id}", status_code=204)
async def delete_face(employee_id: EmployeeId, face_id: Annotated[str, Path(max_length=64)],
                      principal: HrPrincipal, recognition: RecognitionDep) -> Response:
    deleted = await recognition.delete_faces(principal.token, str(employee_id), [face_id])
    if not deleted:
        raise ApiError(404, "face_not_found", "This employee has no face sample with that id.")
    return Response(status_code=204)


@router.delete("/{employee_id}/faces", status_code=204)
async def delete_all_faces(employee_id: EmployeeId, principal: HrPrincipal,
                           recognition: RecognitionDep) -> Response:
    await recognition.delete_faces(principal.token, str(employee_id))
    return Response(status_code=204)


@router.delete("/{employee_id}", status_code=204)
async def delete_employee(employee_id: EmployeeId, principal: HrPrincipal,
                          upstreams: UpstreamsDep, recognition: RecognitionDep) -> Response:
    """Erases the biometric data first, then unlinks the accounts linked to the person, then
    the record: if anything fails on the way, no face and no link to a gone person is left."""
    await _require_employee(upstreams, principal, employee_id)
    await recognition.delete_faces(principal.token, str(employee_id))
    unlinked = await upstreams.call("auth", "POST", f"/internal/employees/{employee_id}/unlink",
                                    as_service=True)
    answer_of(Unlinked, unlinked)
    response = await upstreams.call("attendance", "DELETE", f"/api/v1/employees/{employee_id}",
                                    token=principal.token)
    raise_for_upstream(response)
    return Response(status_code=204)
