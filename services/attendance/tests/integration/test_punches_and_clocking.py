from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

SERVICE = {"token_claims": {"sub": "service:gateway"}}


def _clock(api: Any, employee_id: int, actor: str = "7", key: str | None = None) -> Any:
    body: dict[str, Any] = {"employee_id": employee_id, "actor": actor, "device_id": "kiosk-1"}
    if key is not None:
        body["idempotency_key"] = key
    return api.post("/internal/clock-ins", "service", json=body, **SERVICE)


def test_clock_in_duplicate_and_idempotency(api: Any) -> None:
    person = api.employee("P1", name="Grace")
    first = _clock(api, person["id"], key="k-1")
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["employee_id"] == person["id"] and answer["name"] == "Grace"
    assert answer["kind"] in ("in", "out")
    assert answer["status"] in ("on_time", "late", "early_leave", "recorded")
    assert datetime.fromisoformat(answer["at"]).tzinfo is not None

    # Same key and actor: the first answer again, nothing new stored.
    replay = _clock(api, person["id"], key="k-1")
    assert replay.status_code == 200 and replay.json() == answer
    assert replay.headers["Idempotent-Replayed"] == "true"
    # A second clock-in inside the window without a key: the first punch, 200.
    duplicate = _clock(api, person["id"])
    assert duplicate.status_code == 200 and duplicate.json()["punch_id"] == answer["punch_id"]
    assert answer["duplicate"] is False and duplicate.json()["duplicate"] is True
    # Same key, other actor: a separate request, but still a duplicate punch.
    other_actor = _clock(api, person["id"], actor="8", key="k-1")
    assert other_actor.status_code == 200
    assert other_actor.json()["punch_id"] == answer["punch_id"]
    # Same key and actor for another employee: refused, the key is bound to its request.
    stranger = api.employee("P2")
    reused = _clock(api, stranger["id"], key="k-1")
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"

    long_key = "k" * 255
    first_long = _clock(api, stranger["id"], key=long_key)
    assert first_long.status_code == 201
    assert _clock(api, stranger["id"], key=long_key).json() == first_long.json()
    assert _clock(api, stranger["id"], key="k" * 256).status_code == 422

    log = api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")
    assert log["total"] == 1 and log["items"][0]["source"] == "live"
    assert log["items"][0]["device_id"] == "kiosk-1" and log["items"][0]["created_by"] == "7"
    assert log["items"][0]["employee_no"] == "P1" and log["items"][0]["name"] == "Grace"


def test_clock_in_refusals(api: Any) -> None:
    missing = _clock(api, 424242)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "employee_not_found"
    gone = api.employee("L1", status="left")
    inactive = _clock(api, gone["id"])
    assert inactive.status_code == 409 and inactive.json()["error"]["code"] == "employee_inactive"
    assert api.post("/internal/clock-ins", "service", json={"employee_id": 1}).status_code == 422
    # Internal routes are for the service role only, admin included.
    for role in ("admin", "hr", "kiosk"):
        response = api.post("/internal/clock-ins", role, json={"employee_id": gone["id"],
                                                                 "actor": "x"})
        assert response.status_code == 403, role
    assert api.get("/internal/roll-calls/1", "admin").status_code == 403


def test_a_stored_clock_in_is_found_by_its_key_before_recognition(api: Any) -> None:
    """What the gateway asks before recognising a face: the answer stored for (actor, key)."""
    person = api.employee("R1", name="Rosa")
    long_key = "r" * 200  # stored as its digest: found all the same
    answers = {key: _clock(api, person["id"], key=key).json() for key in ("r-1", long_key)}

    def replay(actor: str, key: str) -> Any:
        return api.post("/internal/clock-ins/replay", "service",
                        json={"actor": actor, "idempotency_key": key}, **SERVICE)

    for key, answer in answers.items():
        found = replay("7", key)
        assert found.status_code == 200 and found.json() == answer
        assert found.headers["Idempotent-Replayed"] == "true"
    for actor, key in (("8", "r-1"), ("7", "r-2")):  # another kiosk's key, an unused key
        missing = replay(actor, key)
        assert missing.status_code == 404, missing.text
        assert missing.json()["error"]["code"] == "no_stored_answer"
    assert replay("7", " ").status_code == 422
    assert api.post("/internal/clock-ins/replay", "kiosk",
                    json={"actor": "7", "idempotency_key": "r-1"}).status_code == 403


def test_synced_punches_duplicates_and_access(api: Any) -> None:
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "D", "name": "D"})
    person = api.employee("S1", department_id=dept["id"])
    other = api.employee("S2")
    at = datetime(2026, 3, 2, 8, 3, tzinfo=UTC)
    body = {"employee_id": person["id"], "at": at.isoformat(), "device_id": "badge-9",
            "source": "device"}
    created = api.post("/api/v1/punches", "kiosk", json=body, headers={"Idempotency-Key": "s-1"},
                       token_claims={"sub": "kiosk:3"})
    assert created.status_code == 201, created.text
    punch = created.json()
    assert datetime.fromisoformat(punch["at"]) == at and punch["source"] == "device"
    replay = api.post("/api/v1/punches", "kiosk", json=body, headers={"Idempotency-Key": "s-1"},
                      token_claims={"sub": "kiosk:3"})
    assert replay.status_code == 200 and replay.json() == punch
    near = dict(body, at=(at + timedelta(seconds=59)).isoformat())
    dup = api.post("/api/v1/punches", "hr", json=near)
    assert dup.status_code == 200 and dup.json()["id"] == punch["id"]
    before = dict(body, at=(at - timedelta(seconds=30)).isoformat())
    assert api.post("/api/v1/punches", "hr", json=before).json()["id"] == punch["id"]
    later = dict(body, at=(at + timedelta(seconds=61)).isoformat(), source="import")
    assert api.post("/api/v1/punches", "hr", json=later).status_code == 201
    api.ok("POST", "/api/v1/punches", "hr", status=201,
           json={"employee_id": other["id"], "at": at.isoformat()})

    naive = api.post("/api/v1/punches", "hr", json=dict(body, at="2026-03-02T08:00:00"))
    assert naive.status_code == 422
    future = api.post("/api/v1/punches", "hr",
                      json=dict(body, at=(datetime.now(UTC) + timedelta(hours=2)).isoformat()))
    assert future.status_code == 422 and future.json()["error"]["code"] == "punch_in_future"
    bad_source = api.post("/api/v1/punches", "hr", json=dict(body, source="live"))
    assert bad_source.status_code == 422
    assert api.post("/api/v1/punches", "employee", json=body).status_code == 403
    assert api.post("/api/v1/punches", "manager", json=body).status_code == 403
    assert api.get("/api/v1/punches", "kiosk").status_code == 403
    unknown = api.post("/api/v1/punches", "hr", json=dict(body, employee_id=999999))
    assert unknown.status_code == 404

    everything = api.ok("GET", "/api/v1/punches", "hr")
    assert everything["total"] == 3
    window = api.ok("GET", "/api/v1/punches", "hr", params={
        "employee_id": person["id"], "from": at.isoformat(),
        "to": (at + timedelta(seconds=61)).isoformat()})
    assert window["total"] == 1
    mine = {"token_claims": {"employee_id": person["id"]}}
    own = api.ok("GET", "/api/v1/punches", "employee", **mine)
    assert own["total"] == 2 and {p["employee_id"] for p in own["items"]} == {person["id"]}
    theirs = api.get(f"/api/v1/punches?employee_id={other['id']}", "employee", **mine)
    assert theirs.status_code == 404
    # A page of employees at once (the daily view's punches column): the repeated id.
    both = api.ok("GET", "/api/v1/punches", "hr",
                  params=[("employee_id", person["id"]), ("employee_id", other["id"])])
    assert both["total"] == 3 and {p["employee_id"] for p in both["items"]} == {
        person["id"], other["id"]}
    assert api.ok("GET", "/api/v1/punches", "hr",
                  params=[("employee_id", other["id"])])["total"] == 1
    # Each of them must be the reader's to see.
    mixed = api.get(f"/api/v1/punches?employee_id={person['id']}&employee_id={other['id']}",
                    "employee", **mine)
    assert mixed.status_code == 404
    many = "&".join(f"employee_id={n}" for n in range(1, 102))
    assert api.get(f"/api/v1/punches?{many}", "hr").status_code == 422
    manager = {"token_claims": {"department_id": dept["id"]}}
    assert api.ok("GET", "/api/v1/punches", "manager", **manager)["total"] == 2
    assert api.ok("GET", "/api/v1/punches", "service", **SERVICE)["total"] == 3


def test_roll_call_present_absent_and_readback(api: Any) -> None:
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201,
                  json={"code": "R", "name": "Research"})
    seen = api.employee("R1", name="Ann", department_id=dept["id"])
    missed = api.employee("R2", name="Ben", department_id=dept["id"])
    api.employee("R3", name="Cid", department_id=dept["id"], status="left")
    outsider = api.employee("X1", name="Xavier")
    created = api.post("/internal/roll-calls", "service", json={
        "present_employee_ids": [seen["id"], outsider["id"], 999999], "unknown_faces": 2,
        "department_id": dept["id"], "actor": "5"}, **SERVICE)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["present"] == [{"employee_id": seen["id"], "name": "Ann", "employee_no": "R1",
                                "department": "Research"}]
    # Xavier of no department was in the photo: not present in Research's roll (issue 15).
    assert [p["employee_id"] for p in body["absent"]] == [missed["id"]]
    assert body["unknown_faces"] == 2 and datetime.fromisoformat(body["at"]).tzinfo is not None
    assert [p["name"] for p in body.pop("other_departments")] == ["Xavier"]
    again = api.ok("GET", f"/internal/roll-calls/{body['id']}", "service", **SERVICE)
    assert again == body
    everyone = api.ok("POST", "/internal/roll-calls", "service", status=201,
                      json={"present_employee_ids": [], "actor": "5"}, **SERVICE)
    assert {p["employee_id"] for p in everyone["absent"]} == {seen["id"], missed["id"],
                                                              outsider["id"]}
    assert api.get("/internal/roll-calls/424242", "service", **SERVICE).status_code == 404
    bad = api.post("/internal/roll-calls", "service", json={
        "present_employee_ids": [], "actor": "5", "department_id": 31337}, **SERVICE)
    assert bad.status_code == 422
    absurd = api.post("/internal/roll-calls", "service", json={
        "present_employee_ids": [], "actor": "5", "unknown_faces": 10**18}, **SERVICE)
    assert absurd.status_code == 422


def test_a_person_seen_again_within_the_cooldown_gets_their_punch_back(api: Any) -> None:
    """Issue 15: someone lingering in front of a kiosk is not clocked out. A punch 3 minutes
    ago is outside the 60 s duplicate window but inside the 300 s cooldown."""
    person = api.employee("LINGER", name="Lin")
    earlier = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
    stored = api.ok("POST", "/api/v1/punches", "hr", status=201,
                    json={"employee_id": person["id"], "at": earlier})
    again = api.post("/internal/clock-ins", "service", json={
        "employee_id": person["id"], "actor": "kiosk:3", "device_id": "3",
        "device_name": "Front door"}, **SERVICE)
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True and again.json()["punch_id"] == stored["id"]
    punches = api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")
    assert punches["total"] == 1
    # Later, the kiosk's punch carries its name for readers (issue 15: names, not ids).
    other = api.employee("NAMED", name="Nam")
    taken = api.post("/internal/clock-ins", "service", json={
        "employee_id": other["id"], "actor": "kiosk:3", "device_id": "3",
        "device_name": "Front door"}, **SERVICE)
    assert taken.status_code == 201, taken.text
    listed = api.ok("GET", f"/api/v1/punches?employee_id={other['id']}", "hr")["items"]
    assert [(p["device_id"], p["device_name"]) for p in listed] == [("3", "Front door")]
