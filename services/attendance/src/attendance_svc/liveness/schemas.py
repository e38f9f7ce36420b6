from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from faceclock_common.contracts import Actor

LivenessMode = Literal["off", "kiosks", "everywhere"]


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
