from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The web UI's languages (faceclock_common.i18n.LANGUAGES); None: the tablet browser's own.
KioskLanguage = Literal["en", "zh-CN"]


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
    last_seen_at: datetime | None
    online: bool = Field(description="seen within the last few minutes (its heartbeat)")
    pin_allowed: bool
    sound: bool
    language: KioskLanguage | None


class KioskUpdate(BaseModel):
    """An admin's settings for one kiosk (the fields sent change; `language` null: the
    tablet browser's language)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    pin_allowed: bool | None = Field(None, description="badge and PIN may be used here")
    sound: bool | None = Field(None, description="beep on a punch and on a refusal")
    language: KioskLanguage | None = None


class DeviceSettings(BaseModel):
    """What a kiosk applies when it loads (and on each heartbeat)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    pin_allowed: bool
    sound: bool
    language: KioskLanguage | None


class KioskCreated(KioskRead):
    # Shown once: only its SHA-256 is stored.
    device_secret: str


class KioskPage(BaseModel):
    items: list[KioskRead]
    total: int


class PairingCode(BaseModel):
    """Shown once: typed on the kiosk before `expires_at`, it pairs the device."""

    code: str
    expires_at: datetime


class DevicePairRequest(BaseModel):
    code: str = Field(max_length=32)


class DevicePaired(BaseModel):
    kiosk_name: str
    # The device keeps it (as it would a secret typed in) and logs in with it.
    device_secret: str
