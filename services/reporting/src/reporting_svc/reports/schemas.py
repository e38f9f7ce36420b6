"""Request and answer shapes of /api/v1/reports, and the parameters of each report kind."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from faceclock_common.bounds import ROW_ID_MAX

Id = Annotated[int, Field(gt=0, le=ROW_ID_MAX)]
MAX_PUNCH_RANGE_DAYS = 366


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RollCallParams(_Params):
    roll_call_id: Id
    # Set for managers (their department): the report fails if the roll call is of another.
    department_id: Id | None = None


class DailyParams(_Params):
    date: date
    department_id: Id | None = None
    # Only the people of this site (attendance's lists take it as `site_id`).
    site_id: Id | None = None


class MonthlyParams(_Params):
    month: str
    department_id: Id | None = None
    site_id: Id | None = None

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("month must look like YYYY-MM")
        return value


class PunchesParams(_Params):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    # Times need an offset: the attendance service refuses naive ones.
    from_: date | AwareDatetime = Field(alias="from")
    to: date | AwareDatetime
    employee_id: Id | None = None
    department_id: Id | None = None
    site_id: Id | None = None
    # Only face punches whose liveness was (not) checked; None: every punch.
    liveness: Literal["checked", "not_checked"] | None = None

    @model_validator(mode="after")
    def _range(self) -> PunchesParams:
        start, end = _as_date(self.from_), _as_date(self.to)
        if end < start:
            raise ValueError("to must not be before from")
        if (end - start).days > MAX_PUNCH_RANGE_DAYS:
            raise ValueError(f"the range may span at most {MAX_PUNCH_RANGE_DAYS} days")
        return self


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


PARAMS_BY_KIND: dict[str, type[_Params]] = {
    "roll_call": RollCallParams,
    "daily": DailyParams,
    "monthly": MonthlyParams,
    "punches": PunchesParams,
}


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["roll_call", "daily", "monthly", "punches"]
    params: dict[str, Any] = Field(default_factory=dict)

    def validated_params(self) -> dict[str, Any]:
        """The parameters checked against the kind, as JSON-ready values (stored as such)."""
        model = PARAMS_BY_KIND[self.kind].model_validate(self.params)
        dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped


class ReportRead(BaseModel):
    id: int
    kind: str
    status: str
    progress: float
    file_name: str | None
    error: str | None = None
    params: dict[str, Any]
    rows: int | None
    size_bytes: int | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expired: bool


class ReportPage(BaseModel):
    items: list[ReportRead]
    total: int
