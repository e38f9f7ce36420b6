"""Notices about requests and the daily digest: what attendance reports, what an account reads
and chooses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Event = Literal["request_filed", "request_approved", "request_rejected"]
Text = Annotated[str, StringConstraints(max_length=300)]


class RequestFacts(BaseModel):
    """A request as attendance describes it, in no particular language."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["leave", "business_trip", "overtime", "correction"]
    id: Annotated[int, Field(ge=1)]
    leave_type: Text | None = None
    half: Literal["first", "second"] | None = None
    summary: Text = Field(description="dates or times, e.g. 2027-03-01 to 2027-03-02")
    employee_id: Annotated[int, Field(ge=1)]
    employee_name: Text
    department_id: int | None = None
    manager_employee_id: int | None = None
    requester: Text = Field(description="subject of whoever filed it")
    decided_by_name: Text | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: Event
    actor: Text = Field(description="subject of whoever filed or decided: not told")
    request: RequestFacts


class NoticeReport(BaseModel):
    in_app: int
    emails: int


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


class MissingCheckout(BaseModel):
    """One person of a digest: checked in on the day and, by the rules, never out."""

    model_config = ConfigDict(extra="forbid")

    employee_id: Annotated[int, Field(ge=1)]
    employee_no: Text
    name: Text
    department_id: int | None = None
    department: Text | None = None
    checked_in: Text | None = Field(None, description="local wall-clock time, e.g. 08:02")


class DigestIn(BaseModel):
    """Attendance's digest of one day's missing check-outs, with each department's manager."""

    model_config = ConfigDict(extra="forbid")

    day: date
    people: Annotated[list[MissingCheckout], Field(max_length=100_000)]
    # Department id -> the employee named its manager (departments without one are left out).
    managers: dict[int, int] = Field(default_factory=dict)


class DigestReport(BaseModel):
    already_sent: bool
    in_app: int
    emails: int
