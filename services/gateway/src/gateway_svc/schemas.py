"""Shapes of the answers the gateway composes itself (the rest come from the services)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from faceclock_proto.recognition.v1 import recognition_pb2 as pb


class Box(BaseModel):
    top: int
    right: int
    bottom: int
    left: int

    @classmethod
    def of(cls, box: pb.FaceBox) -> Box:
        return cls(top=box.top, right=box.right, bottom=box.bottom, left=box.left)


class FaceQuality(BaseModel):
    face_width_px: int
    sharpness: float
    nearest_own_distance: float | None


class Resemblance(BaseModel):
    employee_id: int
    distance: float


class FaceEnrolled(BaseModel):
    face_id: str
    box: Box
    quality: FaceQuality
    resembles: list[Resemblance]


class FaceRecordRead(BaseModel):
    face_id: str
    created_at: str


class FaceList(BaseModel):
    items: list[FaceRecordRead]
    total: int


class Candidate(BaseModel):
    employee_id: int
    distance: float


class IdentifiedFace(BaseModel):
    box: Box
    employee_id: int | None
    name: str | None = None
    distance: float | None
    confidence: float
    ambiguous: bool = False
    candidates: list[Candidate] = []


class IdentifyResult(BaseModel):
    faces: list[IdentifiedFace]
    image_width: int
    image_height: int


class VerifyResult(BaseModel):
    match: bool
    distance: float | None
    face_found: bool


class ManualClockIn(BaseModel):
    """A kiosk's badge + PIN clock-in (the fallback for people the camera does not take)."""

    model_config = ConfigDict(extra="forbid")

    employee_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=64)]
    pin: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_id: Annotated[str, StringConstraints(max_length=100)] | None = None


class ClockInResult(BaseModel):
    punch_id: int
    employee_id: int
    name: str
    at: str
    kind: str
    status: str
    duplicate: bool = False
    confidence: float | None = None


class RollCallPerson(BaseModel):
    employee_id: int
    name: str
    employee_no: str | None = None
    department: str | None = None


class RollCallResult(BaseModel):
    id: int
    at: str
    present: list[RollCallPerson]
    absent: list[RollCallPerson]
    unknown_faces: int
    report_id: str | int | None
    faces: list[IdentifiedFace]


def _person_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def identified_face(face: pb.FaceMatch) -> IdentifiedFace:
    return IdentifiedFace(
        box=Box.of(face.box),
        employee_id=_person_id(face.person_id) if face.person_id else None,
        distance=face.distance if face.distance >= 0 else None,
        confidence=face.confidence,
        ambiguous=face.ambiguous,
        candidates=[Candidate(employee_id=int(c.person_id), distance=c.distance)
                    for c in face.candidates if c.person_id.isdigit()],
    )
