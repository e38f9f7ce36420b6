from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from attendance_svc.validation import Id

LivenessMode = Literal["off", "kiosks", "everywhere"]
Channel = Literal["kiosk", "phone"]
Actor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class LivenessScope(BaseModel):
    """Where a face clock-in comes from, which decides whether it needs a liveness check: a
    kiosk (its site's setting) or a phone (the employee's site's setting)."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    kiosk_id: Id | None = None
    employee_id: Id | None = None


class ChallengeRequest(LivenessScope):
    actor: Actor


class ChallengeIssued(BaseModel):
    required: bool = Field(description="false: this caller's site does not check liveness")
    mode: LivenessMode
    challenge_id: str | None = None
    steps: list[str] = Field(default_factory=list)
    expires_at: datetime | None = None


class ChallengeUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Actor


class ChallengeSteps(BaseModel):
    steps: list[str]
