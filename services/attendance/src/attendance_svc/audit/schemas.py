from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    employee_id: int | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditRead]
    total: int
