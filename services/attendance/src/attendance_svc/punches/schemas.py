from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from attendance_svc.validation import Id, Moment
from faceclock_common.contracts import PunchListItem

DeviceId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class PunchCreate(BaseModel):
    """A punch taken by a device with its own clock (offline kiosk, badge reader, import)."""

    model_config = ConfigDict(extra="forbid")

    employee_id: Id
    at: Moment
    device_id: DeviceId | None = None
    source: Literal["device", "import"] = "device"


class PunchPage(BaseModel):
    items: list[PunchListItem]
    total: int
