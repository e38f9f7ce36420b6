from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from attendance_svc.validation import Id, check_timezone
from faceclock_common.contracts import IdentificationMode, LivenessMode

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TimeZone = Annotated[str, AfterValidator(check_timezone)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
_LIVENESS = ("face clock-ins that must pass a liveness check (a head turn and a blink): off, at "
             "the site's kiosks, or everywhere (kiosks and the phones of the site's employees)")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteCreate(_In):
    name: Name
    timezone: TimeZone
    address: Address | None = None
    identification_mode: IdentificationMode = Field("verify", description=(
        "how the site's kiosks tell who is there: verify a claimed identity 1:1 (badge, name), "
        "or identify 1:N among the site's people while few enough for the false-match target"))
    holiday_calendar_id: Id | None = Field(None, description="the holidays of the site's people")
    liveness: LivenessMode = Field("off", description=_LIVENESS)


class SiteUpdate(_In):
    name: Name | None = None
    timezone: TimeZone | None = None
    address: Address | None = None
    identification_mode: IdentificationMode | None = None
    holiday_calendar_id: Id | None = None
    liveness: LivenessMode | None = Field(None, description=_LIVENESS)


class SiteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    address: str | None
    identification_mode: str
    holiday_calendar_id: int | None
    liveness: str
    created_at: datetime
    updated_at: datetime


class SitePage(BaseModel):
    items: list[SiteRead]
    total: int


class SiteKioskBind(_In):
    identification_mode: IdentificationMode | None = Field(
        None, description="this kiosk's mode; null: the site's")
    department_id: Id | None = Field(
        None, description="identify only among this department's people at the site")


class SiteKioskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kiosk_id: int
    site_id: int
    identification_mode: str | None
    department_id: int | None
    bound_at: datetime


class SiteKioskPage(BaseModel):
    items: list[SiteKioskRead]
    total: int
