"""One transaction per request: a write that fails part-way leaves nothing behind (the change, its
audit entries, its recomputed results), and a unique-key race still answers 409. On SQLite and
MariaDB, against a real database: the failure is a trigger that refuses day results."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from attendance_svc.organisation import service as organisation
from attendance_svc.organisation.models import Department
from attendance_svc.punches import service as punches
from attendance_svc.results.models import DayResult
from faceclock_common.db import make_engine, make_session_factory
from faceclock_common.fastapi.db import SessionDep
from faceclock_common.fastapi.errors import install_error_handlers

PUNCH = {"at": "2026-03-16T07:58:00+00:00", "source": "import"}


def refuse_day_results(database_url: str) -> None:
    """From now on the database refuses to store a day result, as a failing disk or a broken
    constraint would: every request that recomputes fails after its first change."""
    engine = make_engine(database_url)
    table = DayResult.__tablename__
    if engine.dialect.name == "sqlite":
        body = "BEGIN SELECT RAISE(ABORT, 'day results refused'); END"
    else:
        body = "FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'day results refused'"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TRIGGER refuse_day_results BEFORE INSERT ON {table} "
                                f"{body}"))
    engine.dispose()


def audit(api: Any, **query: Any) -> list[str]:
    page = api.ok("GET", "/api/v1/audit", "hr", params=query)
    return [entry["action"] for entry in page["items"]]


def test_a_punch_whose_results_cannot_be_stored_is_not_stored(api: Any,
                                                              database_url: str) -> None:
    # The punch is written in a savepoint (for the idempotency race) before the recompute: on
    # SQLite that savepoint must not commit it on its own.
    person = api.employee("T1", timezone="UTC", hired_on="2026-01-01")
    refuse_day_results(database_url)
    response = api.post("/api/v1/punches", "hr", json={"employee_id": person["id"], **PUNCH})
    assert response.status_code >= 500, response.text
    assert api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")["total"] == 0
    assert audit(api, entity="punch", employee_id=person["id"]) == []


def test_a_change_whose_recompute_fails_leaves_no_change_and_no_audit(api: Any,
                                                                     database_url: str) -> None:
    person = api.employee("T2", timezone="UTC", hired_on="2026-01-01")
    api.ok("POST", "/api/v1/punches", "hr", status=201,
           json={"employee_id": person["id"], **PUNCH})  # stored days, judged again on a change
    refuse_day_results(database_url)

    moved = api.patch(f"/api/v1/employees/{person['id']}", "hr",
                      json={"timezone": "Asia/Shanghai", "status": "left"})
    assert moved.status_code >= 500, moved.text
    again = api.ok("GET", f"/api/v1/employees/{person['id']}", "hr")
    assert (again["timezone"], again["status"]) == ("UTC", "active")
    assert audit(api, entity="employee", entity_id=person["id"]) == ["create"]

    shift = api.ok("GET", "/api/v1/shifts", "hr")["items"][0]
    assigned = api.post("/api/v1/shift-assignments", "hr", json={
        "employee_id": person["id"], "shift_id": shift["id"], "from": "2026-03-01"})
    assert assigned.status_code >= 500, assigned.text
    assert api.ok("GET", f"/api/v1/shift-assignments?employee_id={person['id']}",
                  "hr")["total"] == 0
    assert audit(api, entity="shift_assignment") == []


def test_a_unique_key_race_answers_409(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The race: another request stores the same key between the pre-check and the write.
    api.employee("R1")
    monkeypatch.setattr(organisation, "_employee_no_taken", lambda *_, **__: False)
    twice = api.post("/api/v1/employees", "hr", json={"employee_no": "R1", "name": "Again"})
    assert twice.status_code == 409, twice.text
    assert twice.json()["error"]["code"] == "duplicate_employee_no"
    assert api.ok("GET", "/api/v1/employees?q=R1", "hr")["total"] == 1
    assert audit(api, entity="employee") == ["create"]

    first = api.ok("POST", "/api/v1/departments", "hr", status=201,
                   json={"code": "A", "name": "Alpha"})
    second = api.ok("POST", "/api/v1/departments", "hr", status=201,
                    json={"code": "B", "name": "Beta"})
    monkeypatch.setattr(organisation, "_department_code_taken", lambda *_, **__: False)
    renamed = api.patch(f"/api/v1/departments/{second['id']}", "hr", json={"code": "A"})
    assert renamed.status_code == 409, renamed.text
    assert renamed.json()["error"]["code"] == "duplicate_department_code"
    assert api.ok("GET", f"/api/v1/departments/{second['id']}", "hr")["code"] == "B"
    assert audit(api, entity="department", entity_id=second["id"]) == ["create"]
    assert first["code"] == "A"


def test_a_replayed_punch_that_lost_the_race_gets_the_first_answer(
        api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sends of one Idempotency-Key both pass the look-up; the second one's write trips the
    key, its savepoint is rolled back, and the request goes on to answer the stored reply."""
    person = api.employee("I1", timezone="UTC", hired_on="2026-01-01")
    body = {"employee_id": person["id"], **PUNCH}
    key = {"Idempotency-Key": "sync-1"}
    first = api.post("/api/v1/punches", "hr", json=body, headers=key)
    assert first.status_code == 201, first.text

    stored_answer = punches._stored_answer
    looked_up: list[bool] = []

    def not_yet_stored(*args: Any) -> Any:  # the first look-up ran before the other committed
        if not looked_up:
            looked_up.append(True)
            return None
        return stored_answer(*args)

    monkeypatch.setattr(punches, "_stored_answer", not_yet_stored)
    second = api.post("/api/v1/punches", "hr", json=body, headers=key)
    assert second.status_code == 200, second.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")["total"] == 1
    assert audit(api, entity="punch", employee_id=person["id"]) == ["create"]


def test_the_edge_commit_answers_409_on_a_unique_key_never_success(api: Any,
                                                                    database_url: str) -> None:
    """The commit runs before the answer is sent: a route whose work the commit refuses gets a
    409, not the 200 it returned."""
    api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "D", "name": "Delta"})
    app = FastAPI()
    install_error_handlers(app)
    engine = make_engine(database_url)
    app.state.session_factory = make_session_factory(engine)

    @app.post("/again")
    def again(session: SessionDep) -> dict[str, bool]:
        session.add(Department(code="D", name="Delta again"))  # flushed only by the commit
        return {"stored": True}

    try:
        with TestClient(app) as client:
            response = client.post("/again")
    finally:
        engine.dispose()
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "conflict"
    assert api.ok("GET", "/api/v1/departments", "hr")["total"] == 1
