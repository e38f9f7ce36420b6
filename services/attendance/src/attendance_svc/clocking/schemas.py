from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from attendance_svc.validation import Id

Actor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class ClockInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_id: Id
    device_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    idempotency_key: Key | None = None
    actor: Actor = Field(description="who asked: the `sub` of the end user's or kiosk's token")


class ManualClockInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=64)]
    # Not checked for shape here: a PIN that cannot be right gets the same 401 as a wrong one.
    pin: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    idempotency_key: Key | None = None
    actor: Actor = Field(description="who asked: the `sub` of the kiosk's token")


class ClockInAnswer(BaseModel):
    punch_id: int
    employee_id: int
    name: str
    at: datetime
    kind: Literal["in", "out"]
    status: str = Field(description="on_time | late | early_leave | recorded (no shift period)")


class RollCallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    present_employee_ids: Annotated[list[Id], Field(max_length=10_000)]
    unknown_faces: Annotated[int, Field(ge=0, le=100_000)] = 0
    department_id: Id | None = None
    actor: Actor


class RollCallPerson(BaseModel):
    employee_id: int
    name: str
    employee_no: str
    department: str | None


class RollCallRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    department_id: int | None
    present: list[RollCallPerson]
    absent: list[RollCallPerson]
    unknown_faces: int
