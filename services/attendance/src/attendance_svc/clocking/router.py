"""Internal routes the gateway calls after recognition (service role only, never routed)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from attendance_svc.clocking import service
from attendance_svc.deps import PinLockoutDep, SessionDep, SettingsDep, require_service
from attendance_svc.punches import service as punches
from attendance_svc.validation import Id
from faceclock_common.contracts import (
    ClockInAnswer,
    ClockInRequest,
    ManualClockInRequest,
    RecognitionTestRecorded,
    RecognitionTestRequest,
    ReplayRequest,
    RollCallCreated,
    RollCallRead,
    RollCallRequest,
)
from faceclock_common.errors import ApiError

router = APIRouter(prefix="/internal", dependencies=[Depends(require_service)],
                   tags=["internal"])


@router.post("/clock-ins", status_code=201, response_model=ClockInAnswer,
             responses={200: {"model": ClockInAnswer,
                              "description": "duplicate within the window, or a replay"}})
def clock_in(body: ClockInRequest, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    # No recompute here: a punch taken now lies after the window of every day that is already
    # over, so no stored result can change; the day it belongs to is judged once it ends.
    outcome = service.clock_in(session=session, request=body, settings=settings)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, outcome.status_code, headers=headers)


@router.post("/clock-ins/replay", response_model=ClockInAnswer,
             responses={404: {"description": "no_stored_answer: nothing stored for this key"}})
def replay_clock_in(body: ReplayRequest, session: SessionDep) -> JSONResponse:
    """The answer a face clock-in with this key already got, so that a retry is answered before
    any recognition work; 404 when there is none (the clock-in then goes ahead as usual)."""
    outcome = punches.replay(session, scope="clock_in", actor=body.actor, key=body.idempotency_key)
    if outcome is None:
        raise ApiError(404, "no_stored_answer", "No clock-in was stored for this key.")
    return JSONResponse(outcome.body, outcome.status_code, headers={"Idempotent-Replayed": "true"})


@router.post("/manual-clock-ins", status_code=201, response_model=ClockInAnswer,
             responses={200: {"model": ClockInAnswer,
                              "description": "duplicate within the window, or a replay"},
                        401: {"description": "invalid_credentials: wrong number or PIN"},
                        403: {"description": "manual_clock_in_disabled"},
                        429: {"description": "too_many_attempts (with Retry-After)"}})
def manual_clock_in(body: ManualClockInRequest, session: SessionDep, settings: SettingsDep,
                    pin_lockout: PinLockoutDep) -> JSONResponse:
    outcome = service.manual_clock_in(session=session, request=body, settings=settings,
                                      pin_lockout=pin_lockout)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, outcome.status_code, headers=headers)


@router.post("/roll-calls", status_code=201, response_model=RollCallCreated)
def create_roll_call(body: RollCallRequest, session: SessionDep) -> RollCallCreated:
    roll_call, elsewhere = service.create_roll_call(session=session, request=body)
    return RollCallCreated.model_validate(
        {**RollCallRead.model_validate(roll_call).model_dump(), "other_departments": elsewhere})


@router.get("/roll-calls/{roll_call_id}", response_model=RollCallRead)
def get_roll_call(roll_call_id: Id, session: SessionDep) -> object:
    return service.get_roll_call(session=session, roll_call_id=roll_call_id)


@router.post("/recognition-tests", status_code=201, response_model=RecognitionTestRecorded)
def record_recognition_test(body: RecognitionTestRequest, session: SessionDep) -> object:
    return {"people": service.record_recognition_test(session=session, request=body)}
