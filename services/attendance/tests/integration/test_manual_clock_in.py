"""Kiosk badge + PIN clock-ins: PIN storage, the shared 401, the lockout and the off switch."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, create_engine, func, select, text, update

from attendance_svc.main import create_app
from faceclock_common.throttle import counter_table, storage_key

SERVICE = {"token_claims": {"sub": "service:gateway"}}
PIN = "73915028"


def _manual(api: Any, number: str, pin: str, key: str | None = None,
            actor: str = "kiosk:lobby") -> Any:
    body: dict[str, Any] = {"employee_no": number, "pin": pin, "actor": actor,
                            "device_id": "lobby-1"}
    if key is not None:
        body["idempotency_key"] = key
    return api.post("/internal/manual-clock-ins", "service", json=body, **SERVICE)


def _stored_hash(database_url: str, employee_id: int) -> str | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            value = connection.execute(text("SELECT pin_hash FROM employees WHERE id = :id"),
                                       {"id": employee_id}).scalar_one()
    finally:
        engine.dispose()
    return None if value is None else str(value)


def test_pin_is_set_shown_as_a_flag_and_stored_only_as_argon2id(api: Any,
                                                                database_url: str) -> None:
    person = api.employee("B1")
    assert person["has_pin"] is False and "pin_hash" not in person
    api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204, json={"pin": PIN})
    read = api.ok("GET", f"/api/v1/employees/{person['id']}", "hr")
    assert read["has_pin"] is True and PIN not in str(read) and "pin_hash" not in read
    listed = api.ok("GET", "/api/v1/employees", "hr")["items"]
    assert [e["has_pin"] for e in listed] == [True]

    stored = _stored_hash(database_url, person["id"])
    assert stored is not None and stored.startswith("$argon2id$") and PIN not in stored
    if database_url.startswith("sqlite:///"):
        # Nowhere in the file: not in the row, the audit entry or a leftover page.
        assert PIN.encode() not in Path(database_url.removeprefix("sqlite:///")).read_bytes()
    audit = api.ok("GET", f"/api/v1/audit?employee_id={person['id']}&entity=employee", "hr")
    assert "set_pin" in [e["action"] for e in audit["items"]] and PIN not in str(audit)

    # Wrong shape, and (issue 15) the PINs tried first: one digit, a run, a repeated pair.
    # Each refusal says which rule, in the reader's language (not "not in the expected form").
    for bad, rule in (("123", "pin_format"), ("123456789", "pin_format"), ("12a4", "pin_format"),
                      (" 1234", "pin_format"), ("", "pin_format"), ("\uff11\uff12\uff13\uff14", "pin_format"),
                      ("1111", "weak_pin"), ("1234", "weak_pin"), ("4321", "weak_pin"),
                      ("98765", "weak_pin"), ("1212", "weak_pin")):
        response = api.put(f"/api/v1/employees/{person['id']}/pin", "hr", json={"pin": bad})
        assert response.status_code == 422, bad
        error = response.json()["error"]
        assert [d["type"] for d in error["details"]] == [rule], bad
        assert error["message"].startswith("PIN ") and ("4 to 8 digits" in error["message"]
                                                       or "too easy to guess" in error["message"])
        chinese = api.put(f"/api/v1/employees/{person['id']}/pin", "hr", json={"pin": bad},
                          headers={"Accept-Language": "zh-CN"}).json()["error"]["message"]
        assert ("4 到 8 位数字" if rule == "pin_format" else "太容易被猜到") in chinese, chinese
    for typed in ({"pin": 1234}, {"pin": None}, {}):
        assert api.put(f"/api/v1/employees/{person['id']}/pin", "hr",
                       json=typed).status_code == 422, typed
    # Only HR (and admin) set PINs; everybody else, including the person, is refused.
    for role in ("employee", "manager", "kiosk"):
        assert api.put(f"/api/v1/employees/{person['id']}/pin", role,
                       json={"pin": "5917"}).status_code == 403
    assert api.put(f"/api/v1/employees/{person['id']}/pin", "admin",
                   json={"pin": "2927"}).status_code == 204
    assert api.put("/api/v1/employees/999999/pin", "hr",
                   json={"pin": "5917"}).status_code == 404

    api.ok("DELETE", f"/api/v1/employees/{person['id']}/pin", "hr", status=204)
    assert api.ok("GET", f"/api/v1/employees/{person['id']}", "hr")["has_pin"] is False
    assert _stored_hash(database_url, person["id"]) is None
    assert _manual(api, "B1", "2927").status_code == 401


def test_right_pin_clocks_in_like_a_face(api: Any) -> None:
    person = api.employee("B2", name="Ada")
    api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204, json={"pin": "4391"})
    first = _manual(api, " B2 ", "4391", key="m-1")
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["employee_id"] == person["id"] and answer["name"] == "Ada"
    assert answer["kind"] in ("in", "out") and answer["status"]

    replay = _manual(api, "B2", "4391", key="m-1")
    assert replay.status_code == 200 and replay.json() == answer
    assert replay.headers["Idempotent-Replayed"] == "true"
    # A replayed key still needs the right PIN: answers are never handed out on a wrong one.
    assert _manual(api, "B2", "0000", key="m-1").status_code == 401
    duplicate = _manual(api, "B2", "4391")
    assert duplicate.status_code == 200 and duplicate.json()["punch_id"] == answer["punch_id"]
    # A face clock-in right after is the same person inside the window: the same punch.
    face = api.post("/internal/clock-ins", "service", **SERVICE,
                    json={"employee_id": person["id"], "actor": "kiosk:lobby"})
    assert face.status_code == 200 and face.json()["punch_id"] == answer["punch_id"]

    log = api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")
    assert log["total"] == 1
    punch = log["items"][0]
    assert punch["source"] == "manual" and punch["created_by"] == "kiosk:lobby"
    assert punch["device_id"] == "lobby-1"
    audit = api.ok("GET", f"/api/v1/audit?employee_id={person['id']}&entity=punch", "hr")
    assert [(e["action"], e["actor"], e["entity_id"]) for e in audit["items"]] == [
        ("manual_clock_in", "kiosk:lobby", answer["punch_id"])]

    gone = api.employee("B3", status="left")
    api.ok("PUT", f"/api/v1/employees/{gone['id']}/pin", "hr", status=204, json={"pin": "5185"})
    inactive = _manual(api, "B3", "5185")
    assert inactive.status_code == 409 and inactive.json()["error"]["code"] == "employee_inactive"


def test_wrong_pin_unknown_badge_and_no_pin_answer_the_same(api: Any) -> None:
    person = api.employee("B4")
    api.employee("B5")  # no PIN set
    api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204, json={"pin": "1934"})
    answers = [_manual(api, "B4", "9999"), _manual(api, "NOPE", "1234"),
               _manual(api, "B5", "1234"), _manual(api, "B4", "not digits")]
    assert {r.status_code for r in answers} == {401}
    assert all(r.json() == answers[0].json() for r in answers)
    assert answers[0].json()["error"]["code"] == "invalid_credentials"
    assert api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")["total"] == 0
    # Junk is refused before any check; only the service role may call the route at all.
    assert api.post("/internal/manual-clock-ins", "service", **SERVICE,
                    json={"employee_no": "B4", "actor": "k"}).status_code == 422
    assert api.post("/internal/manual-clock-ins", "service", **SERVICE,
                    json={"employee_no": "B4", "pin": "1934", "actor": "k",
                          "extra": 1}).status_code == 422
    for role in ("hr", "admin", "kiosk"):
        response = api.post("/internal/manual-clock-ins", role,
                            json={"employee_no": "B4", "pin": "1934", "actor": "k"})
        assert response.status_code == 403, role


def test_five_failures_lock_the_number_for_fifteen_minutes(api: Any, database_url: str) -> None:
    person = api.employee("B6")
    api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204, json={"pin": "2468"})
    for _ in range(5):
        assert _manual(api, "B6", "0000").status_code == 401
    locked = _manual(api, "B6", "2468")  # even the right PIN, from any kiosk
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    assert 800 <= int(locked.headers["Retry-After"]) <= 900
    # One field name for every "come back later" answer (gateway, auth, attendance).
    assert locked.json()["error"]["retry_after_seconds"] == int(locked.headers["Retry-After"])
    assert _manual(api, "B6", "2468", actor="kiosk:other").status_code == 429
    # Unknown numbers lock out the same way (no telling them apart by the lockout either).
    for _ in range(5):
        assert _manual(api, "GHOST", "0000").status_code == 401
    assert _manual(api, "GHOST", "0000").status_code == 429
    # Other numbers are unaffected.
    other = api.employee("B7")
    api.ok("PUT", f"/api/v1/employees/{other['id']}/pin", "hr", status=204, json={"pin": "1357"})
    assert _manual(api, "B7", "1357").status_code == 201

    # The tries live in the database: once they are older than the window, the number opens.
    counters = counter_table(MetaData())
    b6 = counters.c.key == storage_key("badge:B6")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            failures = connection.execute(select(counters.c.failures).where(b6)).scalar()
            assert failures == 5  # the refused tries are not counted as failures
            long_ago = datetime(2000, 1, 1, tzinfo=UTC)
            connection.execute(update(counters).where(b6).values(last_failure_at=long_ago,
                                                                 locked_until=long_ago))
    finally:
        engine.dispose()
    assert _manual(api, "B6", "2468").status_code == 201
    # A good PIN forgets the failures of its number.
    for _ in range(4):
        assert _manual(api, "B7", "0000").status_code == 401
    api.ok("PUT", f"/api/v1/employees/{other['id']}/pin", "hr", status=204, json={"pin": "8642"})
    for _ in range(4):
        assert _manual(api, "B7", "0000").status_code == 401
    assert _manual(api, "B7", "8642").status_code == 200  # a duplicate of the earlier punch


def _guess_at_once(api: Any, number: str, tries: int) -> list[int]:
    with ThreadPoolExecutor(tries) as pool:
        return list(pool.map(lambda _: _manual(api, number, "0000").status_code, range(tries)))


def _concurrent_guesses_get_at_most_five_pin_checks(api: Any) -> None:
    person = api.employee("B9")
    api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204, json={"pin": "2468"})
    statuses = _guess_at_once(api, "B9", 12)
    # A 401 is a PIN checked; every try is counted before its check, so the rest are refused.
    assert set(statuses) <= {401, 429} and statuses.count(401) <= 5, statuses
    assert _manual(api, "B9", "2468").status_code == 429


def test_concurrent_guesses_get_at_most_five_pin_checks(api: Any) -> None:
    _concurrent_guesses_get_at_most_five_pin_checks(api)


def test_concurrent_guesses_counted_in_redis(api: Any, database_url: str, settings_for: Any,
                                             redis_url: str) -> None:
    """With Redis set, the tries are counted there (shared by replicas), the same way."""
    # A second app on the same database, as an operator who set FACECLOCK_REDIS_URL runs it.
    settings = settings_for(database_url, ATTENDANCE_REDIS_URL=redis_url)
    with TestClient(create_app(settings)) as client:
        api = type(api)(client, api.mint)
        _concurrent_guesses_get_at_most_five_pin_checks(api)
        # Nothing was counted in the database.
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                assert connection.execute(select(func.count()).select_from(
                    counter_table(MetaData()))).scalar() == 0
        finally:
            engine.dispose()
        # A good PIN clears the count there too.
        for _ in range(4):
            assert _manual(api, "R1", "0000").status_code == 401
        person = api.employee("R1")
        api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204,
               json={"pin": "1357"})
        for _ in range(4):
            assert _manual(api, "R1", "0000").status_code == 401
        assert _manual(api, "R1", "1357").status_code == 201
        for _ in range(5):
            assert _manual(api, "R1", "0000").status_code == 401
        assert _manual(api, "R1", "1357").status_code == 429


def test_turned_off_answers_403(api: Any, database_url: str, settings_for: Any) -> None:
    person = api.employee("B8")
    api.ok("PUT", f"/api/v1/employees/{person['id']}/pin", "hr", status=204, json={"pin": "1934"})
    # A second app on the same database, as an operator who turned the fallback off runs it.
    with TestClient(create_app(settings_for(database_url, manual_clock_in=False))) as client:
        off = type(api)(client, api.mint)
        response = _manual(off, "B8", "1934")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "manual_clock_in_disabled"
    assert api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")["total"] == 0
    assert _manual(api, "B8", "1934").status_code == 201
