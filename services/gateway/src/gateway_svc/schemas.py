"""Shapes of the answers the gateway composes itself (the rest come from the services)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from faceclock_common.contracts import ChallengeIssued, ClockInAnswer, RollCallPerson
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
    name: str | None = None
    employee_no: str | None = None
    distance: float


class FaceEnrolled(BaseModel):
    face_id: str
    box: Box
    quality: FaceQuality
    resembles: list[Resemblance] = Field(
        description="other employees this sample is within the 1:1 threshold of")
    lookalike: bool = Field(False, description=(
        "within the 1:1 threshold of more other people than chance explains: a poor photo "
        "that would let others pass as this employee; worth replacing"))


class FaceRecordRead(BaseModel):
    face_id: str
    created_at: str


class FaceList(BaseModel):
    items: list[FaceRecordRead]
    total: int


class Candidate(BaseModel):
    employee_id: int
    distance: float
    name: str | None = None


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


Decision = Literal["match", "ambiguous", "unknown"]


class TestedFace(IdentifiedFace):
    decision: Decision


class RecognitionTest(BaseModel):
    """What recognition makes of a photo, for HR to see (nothing is stored but an audit entry)."""

    faces: list[TestedFace]
    image_width: int
    image_height: int
    threshold: float | None = Field(description="the distance a match must stay within, "
                                                "calibrated for the gallery searched")
    gallery_faces: int = Field(description="enrolled samples searched")
    site_id: int | None
    site_name: str | None
    identify_limit_faces: int | None = Field(None, description=(
        "with a site: the most samples its kiosks may search 1:N"))
    kiosk_decision: Literal["match", "ambiguous", "unknown", "no_face", "multiple_faces",
                            "claim_required"] = Field(description=(
        "what a kiosk identifying among this gallery would do with the photo "
        "(claim_required: the site is too large for 1:N, its kiosks ask who you are)"))


class VerifyResult(BaseModel):
    match: bool
    distance: float | None
    face_found: bool


class LivenessChallenge(ChallengeIssued):
    """A challenge as attendance issued it, with how the kiosk should capture its frames."""

    frame_interval_ms: int = Field(description="capture a frame this often")
    step_ms: int = Field(description="prompt each step for this long while capturing")


class ClockInResult(ClockInAnswer):
    confidence: float | None = None
    mode: str | None = Field(None, description=(
        "how the face was recognised: verify (a claimed identity checked 1:1) or identify "
        "(1:N among the kiosk's site); null for badge + PIN"))


class RollCallResult(BaseModel):
    id: int
    at: datetime
    present: list[RollCallPerson]
    absent: list[RollCallPerson]
    # Recognised but of another department than the one called: named, never counted present.
    other_departments: list[RollCallPerson] = []
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
