"""A burst answering a liveness challenge → the one frame to identify, or a clear refusal.

The challenge itself lives in attendance (its database is shared by every gateway worker and
replica): it is marked used before the frames are looked at, so a replayed nonce is refused
whatever became of the first try. Recognition judges the frames (head turn, blink, in the
order asked, one person throughout) and names the most frontal frame, which is then verified
against a claimed identity; at an identify kiosk it identifies the frames it encoded itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import UploadFile

from faceclock_common.contracts import (
    ChallengeIssued,
    ChallengeRequest,
    ChallengeSteps,
    ChallengeUse,
    LivenessScope,
)
from faceclock_common.errors import ApiError
from faceclock_common.security import Principal
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from gateway_svc.config import Settings
from gateway_svc.images import read_image_upload
from gateway_svc.recognition_client import RecognitionClient
from gateway_svc.upstream import Upstreams, answer_of

# What recognition can tell about a refused burst, in words for the person at the camera.
REFUSALS = {
    "challenge_not_met": "The movement asked for was not seen in order; try again.",
    "no_face": "The face was not in view for the whole check; try again.",
    "multiple_faces": "More than one face was in view; one person at a time, please.",
    "face_jumped": "The face moved out of view during the check; try again.",
    "different_faces": "The check saw more than one person; try again.",
}


def liveness_scope(principal: Principal) -> LivenessScope:
    """Where this clock-in comes from, which decides (per site) whether it must be checked."""
    if principal.subject.startswith("kiosk:") and principal.subject[6:].isdigit():
        return LivenessScope(channel="kiosk", kiosk_id=int(principal.subject[6:]))
    return LivenessScope(channel="phone", employee_id=principal.employee_id)


async def issue_challenge(principal: Principal, upstreams: Upstreams) -> ChallengeIssued:
    reply = await upstreams.call("attendance", "POST", "/internal/liveness/challenges",
                                 as_service=True,
                                 json=ChallengeRequest(actor=principal.subject,
                                                       **liveness_scope(principal).model_dump()))
    return answer_of(ChallengeIssued, reply)


@dataclass(frozen=True)
class CheckedBurst:
    frame: bytes  # the most frontal frame, to verify
    answer: pb.CheckLivenessResponse  # with identify_scope: the frames' agreed match


async def checked_burst(*, principal: Principal, challenge_id: str, frames: list[UploadFile],
                        recognition: RecognitionClient, upstreams: Upstreams, settings: Settings,
                        identify_scope: list[int] | None = None) -> CheckedBurst:
    """Uses the challenge up and checks the burst against it; with `identify_scope`,
    recognition also identifies the frames it encoded for the check (no extra encoding)."""
    if not settings.liveness_min_frames <= len(frames) <= settings.liveness_max_frames:
        raise ApiError(422, "bad_burst", f"Send {settings.liveness_min_frames} to "
                       f"{settings.liveness_max_frames} frames in the multipart field `frames`.")
    used = await upstreams.call("attendance", "POST",
                                f"/internal/liveness/challenges/{challenge_id}/use",
                                as_service=True, json=ChallengeUse(actor=principal.subject))
    steps = answer_of(ChallengeSteps, used).steps
    budget = settings.liveness_max_burst_bytes
    data: list[bytes] = []
    for frame in frames:
        data.append(await read_image_upload(frame, max_bytes=settings.max_upload_bytes,
                                            max_pixels=settings.liveness_max_frame_pixels))
        budget -= len(data[-1])
        if budget < 0:
            raise ApiError(413, "burst_too_large", "The frames are too large together; send "
                           "smaller frames (640 px wide is plenty).")
    answer = await recognition.check_liveness(principal.token, data, steps,
                                              identify_scope=identify_scope)
    if not answer.live:
        raise ApiError(422, "liveness_failed",
                       REFUSALS.get(answer.refusal, answer.message or "The check failed."))
    return CheckedBurst(frame=data[answer.best_frame], answer=answer)
