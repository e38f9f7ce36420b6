from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from attendance_svc.liveness.schemas import LivenessScope
from attendance_svc.validation import Id

Actor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class ReplayRequest(BaseModel):
    """Is there a stored answer to this clock-in's Idempotency-Key? (Asked before recognition.)"""

    model_config = ConfigDict(extra="forbid")

    actor: Actor
    idempotency_key: Key


class ClockInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_id: Id
    device_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    device_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    idempotency_key: Key | None = None
    actor: Actor = Field(description="who asked: the `sub` of the end user's or kiosk's token")
    liveness_checked: bool = Field(False, description="the face passed a liveness challenge")
    liveness_scope: LivenessScope | None = Field(None, description=(
        "where the face clock-in comes from; where that site checks liveness, a punch without "
        "`liveness_checked` is refused (422 liveness_required)"))


class ManualClockInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=64)]
    # Not checked for shape here: a PIN that cannot be right gets the same 401 as a wrong one.
    pin: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    device_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    idempotency_key: Key | None = None
    actor: Actor = Field(description="who asked: the `sub` of the kiosk's token")


class ClockInAnswer(BaseModel):
    punch_id: int
    employee_id: int
    name: str
    at: datetime
    kind: Literal["in", "out"]
    status: str = Field(description="on_time | late | early_leave | recorded (no shift period)")
    duplicate: bool = Field(False, description="true: no new punch; this is the person's punch "
                                               "of moments ago (cooldown, or already checked in)")


class RollCallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    present_employee_ids: Annotated[list[Id], Field(max_length=10_000)]
    unknown_faces: Annotated[int, Field(ge=0, le=100_000)] = 0
    department_id: Id | None = None
    site_id: Id | None = None
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
    # Who took it (a token subject): reporting lets a kiosk export its own roll calls only.
    actor: str
    present: list[RollCallPerson]
    absent: list[RollCallPerson]
    unknown_faces: int


class RollCallCreated(RollCallRead):
    other_departments: list[RollCallPerson] = Field(
        default_factory=list,
        description="recognised, but of another department than the one called (not stored)")


class RecognitionTestRequest(BaseModel):
    """HR tried a photo on the recognition test page: audited (nothing else is stored)."""

    model_config = ConfigDict(extra="forbid")

    actor: Actor
    site_id: Id | None = Field(None, description="the site whose kiosk was simulated")
    faces: Annotated[int, Field(ge=0, le=10_000)]
    decision: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    employee_ids: Annotated[list[Id], Field(max_length=10_000, description=(
        "everyone the answer names (matches and candidates), to be named back"))]
    matched_employee_id: Id | None = Field(None, description="whom a kiosk would clock in")


class RecognitionTestRecorded(BaseModel):
    people: list[RollCallPerson]
