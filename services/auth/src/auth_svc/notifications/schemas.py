"""What an account reads of its notices and chooses (what attendance reports is in
faceclock_common.contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    request: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    unread: int


class NotificationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    in_app: bool
    email: bool
