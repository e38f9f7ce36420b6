"""POST /api/v1/liveness/challenges: what the camera must see before a face clock-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from faceclock_common.fastapi.security import require_roles
from faceclock_common.security import Principal
from gateway_svc.deps import SettingsDep, UpstreamsDep, limit_by_caller
from gateway_svc.liveness.service import issue_challenge
from gateway_svc.schemas import LivenessChallenge

router = APIRouter(prefix="/api/v1", tags=["recognition"], dependencies=[Depends(limit_by_caller)])


@router.post("/liveness/challenges", response_model=LivenessChallenge)
async def new_challenge(principal: Annotated[Principal, Depends(require_roles("kiosk", "employee", "hr"))],
                        upstreams: UpstreamsDep, settings: SettingsDep) -> LivenessChallenge:
    """A random head turn and a blink, in a random order, to answer once within its expiry:
    capture frames while prompting each step, then POST them with the challenge id to
    /clock-ins. `required: false` when the caller's site does not check liveness (then a single
    photo clocks in)."""
    issued = await issue_challenge(principal, upstreams)
    return LivenessChallenge(**issued.model_dump(),
                             frame_interval_ms=settings.liveness_frame_interval_ms,
                             step_ms=settings.liveness_step_ms)
