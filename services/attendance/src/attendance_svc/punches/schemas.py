from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from attendance_svc.validation import Id, Moment

DeviceId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class PunchCreate(BaseModel):
    """A punch taken by a device with its own clock (offline kiosk, badge reader, import)."""

    model_config = ConfigDict(extra="forbid")

    employee_id: Id
    at: Moment
    device_id: DeviceId | None = None
    source: Literal["device", "import"] = "device"


class PunchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_id: int
    at: datetime
    source: str
    kind: str | None
    status: str | None
    device_id: str | None
    device_name: str | None = None
    correction_id: int | None
    approved_by: str | None
    created_by: str
    created_at: datetime
    liveness_checked: bool = Field(
        False, description="a face clock-in that passed a liveness challenge")


class PunchListItem(PunchRead):
    """A punch in a list, with who it is (reports print the number and name)."""

    employee_no: str
    name: str


class PunchPage(BaseModel):
    items: list[PunchListItem]
    total: int
