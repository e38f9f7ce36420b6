"""Internal routes the gateway calls for liveness challenges (service role only, never routed)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from attendance_svc.deps import SessionDep, SessionFactoryDep, SettingsDep, require_service
from attendance_svc.liveness import service
from faceclock_common.contracts import (
    ChallengeIssued,
    ChallengeRequest,
    ChallengeSteps,
    ChallengeUse,
)

router = APIRouter(prefix="/internal/liveness", dependencies=[Depends(require_service)],
                   tags=["internal"])


@router.post("/challenges", response_model=ChallengeIssued)
def issue_challenge(body: ChallengeRequest, session: SessionDep,
                    settings: SettingsDep) -> ChallengeIssued:
    return service.issue(session=session, settings=settings, request=body)


@router.post("/challenges/{challenge_id}/use", response_model=ChallengeSteps,
             responses={404: {"description": "challenge_not_found"},
                        409: {"description": "challenge_used"},
                        410: {"description": "challenge_expired"}})
def use_challenge(challenge_id: str, body: ChallengeUse,
                  factory: SessionFactoryDep) -> ChallengeSteps:
    return ChallengeSteps(steps=service.use(factory=factory, challenge_id=challenge_id[:64],
                                            actor=body.actor))
