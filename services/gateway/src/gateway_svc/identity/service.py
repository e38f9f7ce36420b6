"""Who is in front of the camera, decided the safe way for each caller.

- A kiosk verifies a claimed identity (badge number, or a name tapped in a short list) 1:1,
  unless its site or the kiosk itself is set to `identify`: then 1:N, but only among the
  people of its site (or department), and only while that gallery is small enough for the
  calibrated threshold to hold the false-match target; beyond it the kiosk asks for a claim.
  With a liveness burst, two of its frames must name the same person (`confirmed`).
- A phone clock-in is always 1:1 against the signed-in employee.
- HR clocking someone in names the employee (1:1 as well).
1:N over everyone enrolled is never used for a clock-in: at real headcounts it guesses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from faceclock_common.contracts import (
    ClaimedEmployee,
    ClaimRequest,
    KioskPolicy,
    RosterIds,
)
from faceclock_common.errors import ApiError
from faceclock_common.security import Principal
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from gateway_svc.recognition_client import RecognitionClient
from gateway_svc.upstream import Upstreams, answer_of, message

VERIFY = "verify"
IDENTIFY = "identify"


@dataclass(frozen=True)
class Claim:
    """Who the person says they are: a badge number or an employee id (a tapped name)."""

    employee_no: str | None = None
    employee_id: int | None = None

    @property
    def given(self) -> bool:
        return self.employee_no is not None or self.employee_id is not None


@dataclass(frozen=True)
class Recognised:
    employee_id: int
    confidence: float
    mode: str  # how: "verify" (a claim checked 1:1) or "identify" (1:N in a scoped gallery)


@dataclass(frozen=True)
class IdentifyFeasibility:
    """Whether 1:N is allowed over a gallery, with the figures that say why."""

    allowed: bool
    gallery_faces: int
    identify_limit_faces: int
    threshold: float
    genuine_failure_rate: float
    target_fpir: float
    encoder: str
    reason: str


def kiosk_id_of(principal: Principal) -> int | None:
    prefix, _, number = principal.subject.partition(":")
    return int(number) if prefix == "kiosk" and number.isdigit() else None


async def kiosk_policy(upstreams: Upstreams, kiosk_id: int) -> KioskPolicy:
    reply = await upstreams.call("attendance", "GET", f"/internal/kiosks/{kiosk_id}/policy",
                                 as_service=True)
    return answer_of(KioskPolicy, reply)


async def roster(upstreams: Upstreams, *, site_id: int | None,
                 department_id: int | None) -> list[int]:
    reply = await upstreams.call("attendance", "GET", "/internal/rosters", as_service=True,
                                 params={k: v for k, v in (("site_id", site_id),
                                                           ("department_id", department_id))
                                         if v is not None})
    return answer_of(RosterIds, reply).employee_ids


async def resolve_claim(upstreams: Upstreams, claim: Claim) -> ClaimedEmployee:
    request = (message(ClaimRequest, employee_no=claim.employee_no)
               if claim.employee_no is not None else
               message(ClaimRequest, employee_id=claim.employee_id))
    reply = await upstreams.call("attendance", "POST", "/internal/claims", as_service=True,
                                 json=request)
    return answer_of(ClaimedEmployee, reply)


async def feasibility(recognition: RecognitionClient, upstreams: Upstreams,
                      gallery: list[int]) -> IdentifyFeasibility:
    stats = await recognition.stats(await upstreams.service_token(), scope=gallery)
    allowed = stats.scope_faces <= stats.identify_limit_faces
    if allowed:
        reason = (f"{stats.scope_faces} enrolled samples: within the {stats.identify_limit_faces} "
                  f"that 1:N can search at {stats.target_fpir:.2%} false matches per attempt.")
    else:
        reason = (
            f"{stats.scope_faces} enrolled samples, but {stats.encoder} can search at most "
            f"{stats.identify_limit_faces} 1:N at {stats.target_fpir:.2%} false matches per "
            f"attempt with at most {stats.identify_max_fnir:.0%} of people turned away "
            f"(here {stats.scope_fnir:.0%} would be): the kiosk verifies a claimed identity.")
    return IdentifyFeasibility(
        allowed=allowed, gallery_faces=stats.scope_faces,
        identify_limit_faces=stats.identify_limit_faces, threshold=stats.scope_threshold,
        genuine_failure_rate=stats.scope_fnir, target_fpir=stats.target_fpir,
        encoder=stats.encoder, reason=reason)


async def identify_scope(principal: Principal, upstreams: Upstreams) -> list[int] | None:
    """Whom a caller's 1:N search may cover (None: everyone, for HR and admins)."""
    if principal.has_any({"hr", "admin"}):
        return None
    kiosk_id = kiosk_id_of(principal)
    if kiosk_id is not None:
        policy = await kiosk_policy(upstreams, kiosk_id)
        if policy.identification_mode != IDENTIFY or policy.gallery_employee_ids is None:
            raise ApiError(403, "forbidden", "This kiosk verifies claimed identities only.")
        return policy.gallery_employee_ids
    if principal.department_id is None:
        raise ApiError(403, "no_department", "Your account is not linked to a department.")
    return await roster(upstreams, site_id=None, department_id=principal.department_id)


async def _verify(recognition: RecognitionClient, token: str, employee_id: int, image: bytes,
                  *, who: str) -> Recognised:
    result = await recognition.verify(token, str(employee_id), image)
    if not result.face_found:
        raise ApiError(422, "no_face", "No face was found in the photo.")
    if result.faces > 1:  # whoever stands behind must not be the one checked, or clocked in
        raise ApiError(422, "multiple_faces",
                       f"{result.faces} faces are in the photo; one person at a time, please.")
    if not result.match:
        raise ApiError(422, "face_mismatch", f"The face does not match {who}.")
    return Recognised(employee_id=employee_id, confidence=result.confidence, mode=VERIFY)


def _named(face: pb.FaceMatch) -> Recognised:
    if face.ambiguous:
        raise ApiError(422, "ambiguous_face",
                       "The face matches more than one employee too closely to tell; "
                       "give your badge number or choose your name.")
    if not face.person_id.isdigit():
        raise ApiError(422, "unknown_face", "The face does not match anyone at this site.")
    return Recognised(employee_id=int(face.person_id), confidence=face.confidence, mode=IDENTIFY)


def _single_match(result: pb.IdentifyResponse) -> Recognised:
    if not result.faces:
        raise ApiError(422, "no_face", "No face was found in the photo.")
    if len(result.faces) > 1:
        raise ApiError(422, "multiple_faces",
                       f"{len(result.faces)} faces are in the photo; one person at a time, please.")
    return _named(result.faces[0])


def confirmed(answer: pb.CheckLivenessResponse) -> Recognised:
    """An identify kiosk's live burst: the person two of its frames agree on (recognition
    identified the frames the liveness check encoded), else unknown or ambiguous."""
    return _named(answer.match)


@contextmanager
def claim_beyond_identify_limit() -> Iterator[None]:
    """1:N refused because the site has outgrown it: the person is asked for a claim."""
    try:
        yield
    except ApiError as exc:
        if exc.code != "gallery_too_large":
            raise
        raise ApiError(422, "claim_required", (
            "Too many people work at this site for the camera alone to tell them apart "
            "safely: give your badge number or choose your name.")) from exc


@dataclass(frozen=True)
class VerifyPlan:
    """1:1 against the employee (`who` in words)."""

    employee_id: int
    who: str


@dataclass(frozen=True)
class IdentifyPlan:
    """1:N within an identify kiosk's people."""

    gallery: list[int]


Plan = VerifyPlan | IdentifyPlan


async def plan(*, principal: Principal, upstreams: Upstreams, claim: Claim) -> Plan:
    """Whom this clock-in's photo is checked against, by the caller's mode (see the module
    text); decided before any photo is looked at."""
    kiosk_id = kiosk_id_of(principal)
    if claim.given:
        if kiosk_id is None and not principal.has_any({"hr", "admin"}):
            raise ApiError(403, "forbidden", "Only kiosks and HR clock in someone they name.")
        claimed = await resolve_claim(upstreams, claim)
        return VerifyPlan(employee_id=claimed.employee_id, who=claimed.name)
    if kiosk_id is None:
        if principal.employee_id is not None:  # on a phone: oneself, whatever one's role
            return VerifyPlan(employee_id=principal.employee_id, who="the signed-in employee")
        if principal.has_any({"hr", "admin"}):
            raise ApiError(422, "claim_required",
                           "Name the employee (employee_no or employee_id) to clock them in.")
        raise ApiError(403, "no_employee", "Your account is not linked to an employee.")
    policy = await kiosk_policy(upstreams, kiosk_id)
    if policy.identification_mode != IDENTIFY or policy.gallery_employee_ids is None:
        raise ApiError(422, "claim_required",
                       "This kiosk checks who you say you are: give your badge number or "
                       "choose your name, then look at the camera.")
    return IdentifyPlan(gallery=policy.gallery_employee_ids)


async def recognise(*, principal: Principal, recognition: RecognitionClient, plan: Plan,
                    image: bytes) -> Recognised:
    """The employee this clock-in photo is of, by the plan."""
    if isinstance(plan, VerifyPlan):
        return await _verify(recognition, principal.token, plan.employee_id, image, who=plan.who)
    with claim_beyond_identify_limit():
        result = await recognition.identify(principal.token, image, scope=plan.gallery,
                                            within_identify_limit=True)
    return _single_match(result)
