from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class KioskCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class KioskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KioskCreated(KioskRead):
    # Shown once: only its SHA-256 is stored.
    device_secret: str


class KioskPage(BaseModel):
    items: list[KioskRead]
    total: int
