from __future__ import annotations

from pydantic import BaseModel

from faceclock_common.contracts import DailyRead, MonthlyRead


class DailyPage(BaseModel):
    items: list[DailyRead]
    total: int


class MonthlyPage(BaseModel):
    items: list[MonthlyRead]
    total: int
