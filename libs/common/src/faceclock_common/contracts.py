"""What the services send each other, one pydantic model per message, used on both sides so
that a field renamed on one side fails the other's tests:
- the gateway's calls to attendance (clock-ins, replay, manual clock-ins, roll calls, liveness
  challenges, recognition tests, kiosk policies, claims, kiosk people, rosters): attendance
  validates its bodies and shapes its answers with them, the gateway builds its calls and reads
  the answers with them;
- the gateway's calls to auth (token status, unlinking an erased person's accounts) and
  attendance's (notices of requests, the daily digest of missing check-outs);
- the rows reporting reads from attendance (days, months, punches, roll calls).

Framework-free; the public API shapes the gateway adds (confidence, faces, report ids) extend
these in gateway_svc.schemas. docs/contracts.md lists the routes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from faceclock_common.bounds import ROW_ID_MAX

Id = Annotated[int, Interval(ge=1, le=ROW_ID_MAX)]
# Who asked: the `sub` of the end user's, kiosk's or service's token.
Actor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
IdempotencyKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=255)]
DeviceId = Annotated[str, StringConstraints(max_length=128)]
DeviceName = Annotated[str, StringConstraints(max_length=100)]
Channel = Literal["kiosk", "phone"]
IdentificationMode = Literal["verify", "identify"]
LivenessMode = Literal["off", "kiosks", "everywhere"]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LivenessScope(_Message):
    """Where a face clock-in comes from, which decides whether it needs a liveness check: a
    kiosk (its site's setting) or a phone (the employee's site's setting)."""

    channel: Channel
    kiosk_id: Id | None = None
    employee_id: Id | None = None


class ChallengeRequest(LivenessScope):
    """POST /internal/liveness/challenges."""

    actor: Actor


class ChallengeIssued(BaseModel):
    """The answer to a ChallengeRequest (a challenge is stored only when required)."""

    required: bool = Field(description="false: this caller's site does not check liveness; a "
                                       "single photo clocks in")
    mode: LivenessMode = Field(description="the site's setting: off, kiosks or everywhere")
    challenge_id: str | None = Field(None, description="send it back with the frames, once")
    steps: list[str] = Field(default_factory=list, description=(
        "in order: turn_left / turn_right (the person's own side) and blink"))
    expires_at: datetime | None = None


class ChallengeUse(_Message):
    """POST /internal/liveness/challenges/{id}/use: the caller spends its challenge."""

    actor: Actor


class ChallengeSteps(BaseModel):
    steps: list[str]


class ReplayRequest(_Message):
    """POST /internal/clock-ins/replay: is there a stored answer to this clock-in's
    Idempotency-Key? (Asked before any recognition work.)"""

    actor: Actor
    idempotency_key: IdempotencyKey


class ClockInRequest(_Message):
    """POST /internal/clock-ins: the gateway recognised this employee."""

    employee_id: Id
    device_id: DeviceId | None = None
    device_name: DeviceName | None = None
    idempotency_key: IdempotencyKey | None = None
    actor: Actor = Field(description="who asked: the `sub` of the end user's or kiosk's token")
    liveness_checked: bool = Field(False, description="the face passed a liveness challenge")
    liveness_scope: LivenessScope | None = Field(None, description=(
        "where the face clock-in comes from; where that site checks liveness, a punch without "
        "`liveness_checked` is refused (422 liveness_required)"))


class ManualClockIn(_Message):
    """A kiosk's badge + PIN clock-in (the fallback for people the camera does not take): the
    public body of POST /api/v1/clock-ins/manual."""

    employee_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=64)]
    # Not checked for shape here: a PIN that cannot be right gets the same 401 as a wrong one.
    pin: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_id: DeviceId | None = None


class ManualClockInRequest(ManualClockIn):
    """POST /internal/manual-clock-ins: the public body with who asked, from where."""

    device_name: DeviceName | None = None
    idempotency_key: IdempotencyKey | None = None
    actor: Actor = Field(description="who asked: the `sub` of the kiosk's token")


class ClockInAnswer(BaseModel):
    """The punch a clock-in stored (201) or the one it repeats (200, duplicate or replay)."""

    punch_id: int
    employee_id: int
    name: str
    at: datetime
    kind: Literal["in", "out"]
    status: str = Field(description="on_time | late | early_leave | recorded (no shift period)")
    duplicate: bool = Field(False, description="true: no new punch; this is the person's punch "
                                               "of moments ago (cooldown, or already checked in)")


class RollCallRequest(_Message):
    """POST /internal/roll-calls: whom the gateway recognised in the group photo."""

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
    """A stored roll call (GET /internal/roll-calls/{id}; reporting's roll-call CSV)."""

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


class RecognitionTestRequest(_Message):
    """POST /internal/recognition-tests: HR tried a photo on the recognition test page; audited
    (nothing else is stored)."""

    actor: Actor
    site_id: Id | None = Field(None, description="the site whose kiosk was simulated")
    faces: Annotated[int, Field(ge=0, le=10_000)]
    decision: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    employee_ids: Annotated[list[Id], Field(max_length=10_000, description=(
        "everyone the answer names (matches and candidates), to be named back"))]
    matched_employee_id: Id | None = Field(None, description="whom a kiosk would clock in")


class RecognitionTestRecorded(BaseModel):
    people: list[RollCallPerson]


class KioskPolicy(BaseModel):
    """GET /internal/kiosks/{id}/policy: how a kiosk tells who is in front of it."""

    kiosk_id: int
    site_id: int | None = Field(description="null: the kiosk is bound to no site")
    site_name: str | None
    identification_mode: IdentificationMode
    department_id: int | None
    gallery_employee_ids: list[int] | None = Field(
        description="identify mode: the active people the kiosk may identify among")


class ClaimRequest(_Message):
    """POST /internal/claims: who a typed badge number or a tapped name (or a phone's claim
    code) says is in front of the kiosk."""

    employee_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=64)] | None = None
    employee_id: Id | None = None


class ClaimedEmployee(BaseModel):
    employee_id: int
    employee_no: str
    name: str


class KioskPeople(BaseModel):
    """GET /internal/kiosks/{id}/people?q=: names to tap on at the kiosk."""

    items: list[ClaimedEmployee]


class RosterIds(BaseModel):
    """GET /internal/rosters?site_id=&department_id=: whose roll a roll call calls."""

    employee_ids: list[int]


# --- what the gateway asks auth ------------------------------------------------------------


class TokenStatus(BaseModel):
    """GET /internal/token-status/{subject}?sid=: whether that subject's tokens (of that
    session) still count, and the version a user's must carry in `ver`."""

    active: bool
    version: int


class Unlinked(BaseModel):
    """POST /internal/employees/{id}/unlink: accounts no longer linked to an erased person."""

    unlinked: int


# --- what attendance tells auth to deliver --------------------------------------------------

NoticeEvent = Literal["request_filed", "request_approved", "request_rejected"]
NoticeText = Annotated[str, StringConstraints(max_length=300)]


class RequestFacts(_Message):
    """A request as attendance describes it, in no particular language."""

    kind: Literal["leave", "business_trip", "overtime", "correction"]
    id: Annotated[int, Field(ge=1)]
    leave_type: NoticeText | None = None
    half: Literal["first", "second"] | None = None
    summary: NoticeText = Field(description="dates or times, e.g. 2027-03-01 to 2027-03-02")
    employee_id: Annotated[int, Field(ge=1)]
    employee_name: NoticeText
    department_id: int | None = None
    manager_employee_id: int | None = None
    requester: NoticeText = Field(description="subject of whoever filed it")
    decided_by_name: NoticeText | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class NoticeIn(_Message):
    """POST /internal/notifications: tell the approvers (a filing) or the requester (a
    decision)."""

    event: NoticeEvent
    actor: NoticeText = Field(description="subject of whoever filed or decided: not told")
    request: RequestFacts


class NoticeReport(BaseModel):
    in_app: int
    emails: int


class MissingCheckout(_Message):
    """One person of a digest: checked in on the day and, by the rules, never out."""

    employee_id: Annotated[int, Field(ge=1)]
    employee_no: NoticeText
    name: NoticeText
    department_id: int | None = None
    department: NoticeText | None = None
    checked_in: NoticeText | None = Field(None, description="local wall-clock time, e.g. 08:02")


class DigestIn(_Message):
    """POST /internal/digests/missing-checkouts: attendance's digest of one day's missing
    check-outs, with each department's manager."""

    day: date
    people: Annotated[list[MissingCheckout], Field(max_length=100_000)]
    # Department id -> the employee named its manager (departments without one are left out).
    managers: dict[int, int] = Field(default_factory=dict)


class DigestReport(BaseModel):
    already_sent: bool
    in_app: int
    emails: int


# --- what reporting reads from attendance -------------------------------------------------------

class DailyRead(BaseModel):
    """One employee's day as the rules judged it (GET /api/v1/attendance/daily)."""

    employee_id: int
    employee_no: str
    name: str
    department_id: int | None
    department: str | None
    date: date
    status: str = Field(description="holiday | leave | business_trip | absent | half_day | late | "
                                    "early_leave | late_and_early_leave | present | pending "
                                    "(day under way) | not_employed (before the hire date)")
    final: bool = Field(description="the day is over; false while punches may still come")
    shift_id: int | None
    scheduled_minutes: int
    late_minutes: int
    early_leave_minutes: int
    worked_minutes: int
    overtime_minutes: int
    leave_minutes: int
    leave_by_type: dict[str, int]
    business_trip_minutes: int
    missing_checkouts: int
    explanation: str
    periods: list[dict[str, Any]]
    timezone: str = Field(description="the IANA zone of the explanation's wall-clock times; "
                                      "show the periods' instants in it")


class MonthlyRead(BaseModel):
    """One employee's month (GET /api/v1/attendance/monthly)."""

    employee_id: int
    employee_no: str
    name: str
    department_id: int | None
    department: str | None
    month: str
    days_present: float = Field(description="present, late or early-leave days; a half day "
                                            "counts 0.5")
    days_absent: float
    half_days: int
    late_count: int
    early_leave_count: int
    leave_days: int
    leave_hours: float
    leave_hours_by_type: dict[str, float]
    business_trip_days: float
    holidays: int
    overtime_hours: float
    worked_hours: float
    missing_checkouts: int
    days_counted: int = Field(description="finished days of the month judged so far")


class PunchRead(BaseModel):
    """A stored punch (POST /api/v1/punches answers one)."""

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
    """A punch in a list, with who it is: reports print the number, name and department."""

    employee_no: str
    name: str
    department: str | None = None
