"""Live clock-ins (server time) and roll calls, as the gateway composes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from attendance_svc.audit.service import record
from attendance_svc.clocking import lockout
from attendance_svc.clocking.models import RollCall
from attendance_svc.config import Settings
from attendance_svc.liveness import service as liveness
from attendance_svc.organisation.models import Department, Employee, works_at
from attendance_svc.organisation.pins import verify_pin
from attendance_svc.punches import service as punches
from attendance_svc.punches.models import Punch
from attendance_svc.rules import ClockAssessment, assess_clock_in, shift_instance
from attendance_svc.rules.shift import ShiftInstance
from attendance_svc.scheduling.calendar import WorkCalendar
from faceclock_common.contracts import (
    ClockInAnswer,
    ClockInRequest,
    ManualClockInRequest,
    RecognitionTestRequest,
    RollCallRequest,
)
from faceclock_common.errors import (
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    WrongCredentials,
)
from faceclock_common.throttle import Store


def _assess(session: Session, employee: Employee, at: datetime,
            settings: Settings) -> ClockAssessment:
    today = at.date()
    calendar = WorkCalendar.load(session, start=today - timedelta(days=2),
                                 end=today + timedelta(days=1),
                                 default_timezone=settings.default_timezone,
                                 employee_ids=[employee.id])
    instances: list[ShiftInstance] = []
    grace = (0, 0)
    tz = calendar.timezone_for(employee.timezone, None, employee.site_id, employee.department_id)
    # Yesterday's night shift may still be running; list it first so it claims its punches.
    for offset in (-2, -1, 0, 1):
        day = today + timedelta(days=offset)
        shift_id, spec = calendar.spec_for(employee.id, employee.department_id, day)
        if spec is None or calendar.is_day_off(employee.id, employee.department_id, day,
                                               employee.site_id):
            continue
        zone = calendar.timezone_for(employee.timezone, shift_id, employee.site_id,
                                     employee.department_id)
        instance = shift_instance(spec, day, zone)
        if instance.window_start <= at < instance.window_end:
            instances.append(instance)
            grace = (spec.late_grace_minutes, spec.early_leave_grace_minutes)
            tz = zone
            break
    earlier = list(session.scalars(select(Punch.at).where(
        Punch.employee_id == employee.id, Punch.at >= at - timedelta(days=2), Punch.at < at)))
    return assess_clock_in(at, earlier, instances, tz, late_grace_minutes=grace[0],
                           early_leave_grace_minutes=grace[1])


def _answer(punch: Punch, employee: Employee, *, duplicate: bool = False) -> dict[str, object]:
    return ClockInAnswer(punch_id=punch.id, employee_id=employee.id, name=employee.name,
                         at=punch.at, kind=punch.kind or "in", status=punch.status or "recorded",
                         duplicate=duplicate).model_dump(mode="json")


def clock_in(*, session: Session, request: ClockInRequest, settings: Settings,
             source: str = "live") -> punches.Outcome:
    """One transaction: lock the employee, replay or de-duplicate, else store the punch.
    `source` is "live" for a recognised face and "manual" for a checked badge + PIN."""
    payload = {"employee_id": request.employee_id, "device_id": request.device_id}
    if source == "live" and not request.liveness_checked and request.liveness_scope is not None:
        mode = liveness.mode_for(session=session, settings=settings, scope=request.liveness_scope)
        if liveness.required(mode, request.liveness_scope.channel):
            raise Invalid("liveness_required",
                          "This site checks liveness: clock in with a challenge and a burst "
                          "of frames, or use the badge and PIN.")

    def action() -> punches.Outcome:
        employee = punches.lock_employee(session, request.employee_id)
        if employee.status != "active":
            raise Conflict("employee_inactive", "This employee has left.")
        now = datetime.now(UTC)
        # A person seen again soon after their punch (lingering in front of the kiosk, or
        # trying again) gets that punch back, marked as a duplicate, instead of a new one.
        duplicate = punches.find_duplicate(
            session, employee_id=employee.id, at=now,
            window_seconds=max(settings.duplicate_window_seconds,
                               settings.clock_in_cooldown_seconds))
        if duplicate is not None:
            return punches.Outcome(200, _answer(duplicate, employee, duplicate=True))
        verdict = _assess(session, employee, now, settings)
        if verdict.repeat_of is not None:
            checked_in = session.scalar(select(Punch).where(
                Punch.employee_id == employee.id, Punch.at == verdict.repeat_of).limit(1))
            if checked_in is not None:
                return punches.Outcome(200, _answer(checked_in, employee, duplicate=True))
        punch = punches.add_punch(session, employee_id=employee.id, at=now, source=source,
                                  created_by=request.actor, device_id=request.device_id,
                                  device_name=request.device_name, kind=verdict.kind,
                                  status=verdict.status,
                                  liveness_checked=request.liveness_checked)
        if source != "live":
            # No face backs this punch: the trail says which kiosk took it on a PIN.
            record(session, actor=request.actor, action=f"{source}_clock_in", entity="punch",
                   entity_id=punch.id, employee_id=employee.id, device_id=request.device_id)
        return punches.Outcome(201, _answer(punch, employee), created_punch=punch)

    scope = "clock_in" if source == "live" else f"{source}_clock_in"
    return punches.idempotent(session, scope=scope, actor=request.actor,
                              key=request.idempotency_key, payload=payload, action=action)


def manual_clock_in(*, session: Session, request: ManualClockInRequest, settings: Settings,
                    pin_lockout: Store) -> punches.Outcome:
    """A kiosk clock-in by badge number and PIN; once they check out, exactly `clock_in`.
    Unknown number, no PIN set and wrong PIN answer the same 401 after the same hash work."""
    if not settings.manual_clock_in:
        raise NotAllowed("manual_clock_in_disabled",
                         "Clocking in by badge number and PIN is turned off here.")
    number = request.employee_no
    lockout.count_try(pin_lockout, number, actor=request.actor)
    employee = session.scalar(select(Employee).where(Employee.employee_no == number))
    if not verify_pin(employee.pin_hash if employee is not None else None, request.pin):
        # The try counted above stays: it is the failure that counts towards the lockout.
        raise WrongCredentials("invalid_credentials", "Wrong badge number or PIN.")
    assert employee is not None  # verify_pin is never true without a stored hash
    lockout.forget_tries(pin_lockout, number)
    return clock_in(session=session, settings=settings, source="manual",
                    request=ClockInRequest(employee_id=employee.id, device_id=request.device_id,
                                           device_name=request.device_name,
                                           idempotency_key=request.idempotency_key,
                                           actor=request.actor))


def _person(employee: Employee, departments: dict[int, str]) -> dict[str, object]:
    return {"employee_id": employee.id, "name": employee.name,
            "employee_no": employee.employee_no,
            "department": departments.get(employee.department_id or -1)}


def create_roll_call(*, session: Session,
                     request: RollCallRequest) -> tuple[RollCall, list[dict[str, object]]]:
    """Present: the recognised people (ids nobody knows are ignored: they were erased between
    identify and now), of the department and the site if given: someone of another department
    or site in the photo is neither present nor absent in this roll. Absent: the active
    employees expected (of the department and the site if given) who were not seen. Also
    answered (not stored): the people recognised who belong elsewhere, so the photo can name
    them."""
    if request.department_id is not None and session.get(Department,
                                                         request.department_id) is None:
        raise Invalid("unknown_department",
                      f"Department {request.department_id} does not exist.")
    departments: dict[int, str] = {
        id_: name for id_, name in session.execute(select(Department.id, Department.name))}
    seen = set(request.present_employee_ids)
    seen_rows = session.scalars(select(Employee).where(Employee.id.in_(seen))
                                .order_by(Employee.name, Employee.id)).all() if seen else []
    at_site = seen if request.site_id is None else set(session.scalars(
        select(Employee.id).where(Employee.id.in_(seen), works_at(request.site_id))))
    present_rows = [e for e in seen_rows
                    if request.department_id in (None, e.department_id)
                    and e.id in at_site]
    elsewhere = [_person(e, departments) for e in seen_rows if e not in present_rows]
    expected = select(Employee).where(Employee.status == "active")
    if request.department_id is not None:
        expected = expected.where(Employee.department_id == request.department_id)
    if request.site_id is not None:
        expected = expected.where(works_at(request.site_id))
    absent_rows = [e for e in session.scalars(expected.order_by(Employee.name, Employee.id))
                   if e.id not in seen]
    roll_call = RollCall(
        at=datetime.now(UTC), department_id=request.department_id, actor=request.actor,
        unknown_faces=request.unknown_faces,
        present=[_person(e, departments) for e in present_rows],
        absent=[_person(e, departments) for e in absent_rows],
    )
    session.add(roll_call)
    session.flush()  # its id is in the answer
    return roll_call, elsewhere


def get_roll_call(*, session: Session, roll_call_id: int) -> RollCall:
    roll_call = session.get(RollCall, roll_call_id)
    if roll_call is None:
        raise NotFound("roll_call_not_found", f"Roll call {roll_call_id} does not exist.")
    return roll_call


def record_recognition_test(*, session: Session,
                            request: RecognitionTestRequest) -> list[dict[str, object]]:
    """The audit entry of a recognition test (who tried a photo, where, what it decided), and
    the names of the people its answer lists."""
    wanted = set(request.employee_ids)
    departments: dict[int, str] = {
        id_: name for id_, name in session.execute(select(Department.id, Department.name))}
    people = session.scalars(select(Employee).where(Employee.id.in_(wanted))
                             .order_by(Employee.id)).all() if wanted else []
    record(session, actor=request.actor, action="recognition_test", entity="recognition",
           entity_id=None, employee_id=request.matched_employee_id, site_id=request.site_id,
           faces=request.faces, decision=request.decision, employee_ids=sorted(wanted))
    return [_person(e, departments) for e in people]
