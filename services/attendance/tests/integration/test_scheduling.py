from __future__ import annotations

from typing import Any

GOOD = {"name": "Split", "periods": [{"start": "07:00", "end": "11:00"},
                                     {"start": "12:00", "end": "16:00"}]}


def test_shift_validation(api: Any) -> None:
    # RULES.md v2: an end equal to the start is a 24-hour period, only as the shift's one period.
    for periods in ([{"start": "25:00", "end": "26:00"}],
                    [{"start": "08:00", "end": "08:00"}, {"start": "09:00", "end": "10:00"}],
                    [], [{"start": "08:00", "end": "20:00"}, {"start": "21:00", "end": "09:00"}],
                    [{"start": "8:00", "end": "12:00"}]):
        response = api.post("/api/v1/shifts", "hr", json={"name": "x", "periods": periods})
        assert response.status_code == 422, periods
    assert api.post("/api/v1/shifts", "hr", json={**GOOD, "late_grace_minutes": -1}
                    ).status_code == 422
    assert api.post("/api/v1/shifts", "hr", json={**GOOD, "workdays": [0]}).status_code == 422
    assert api.post("/api/v1/shifts", "hr", json={**GOOD, "timezone": "Nowhere/City"}
                    ).status_code == 422
    created = api.ok("POST", "/api/v1/shifts", "hr", status=201,
                     json={**GOOD, "workdays": [5, 1, 1], "half_day_hours": 6})
    assert created["workdays"] == [1, 5] and created["half_day_hours"] == 6
    assert created["is_default"] is False and created["early_checkin_minutes"] == 60
    dup = api.post("/api/v1/shifts", "hr", json=GOOD)
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate_shift_name"
    assert api.post("/api/v1/shifts", "manager", json={**GOOD, "name": "m"}).status_code == 403
    assert api.patch(f"/api/v1/shifts/{created['id']}", "hr", json={"periods": None}
                     ).status_code == 422
    assert api.get("/api/v1/shifts/999999", "hr").status_code == 404


def test_default_shift_is_unique_and_restorable(api: Any) -> None:
    shifts = api.ok("GET", "/api/v1/shifts", "employee")["items"]
    assert [s["name"] for s in shifts if s["is_default"]] == ["Office day"]
    office = shifts[0]
    other = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={**GOOD, "is_default": True})
    assert other["is_default"] is True
    assert api.ok("GET", f"/api/v1/shifts/{office['id']}", "hr")["is_default"] is False
    api.ok("DELETE", f"/api/v1/shifts/{office['id']}", "hr", status=204)
    restored = api.ok("POST", "/api/v1/shifts/restore-default", "hr")
    assert restored["is_default"] is True and restored["name"] == "Office day"
    assert restored["id"] != office["id"]  # deleted, so made again
    assert restored["periods"][0] == {"start": "08:00", "end": "12:00"}
    assert [s["id"] for s in api.ok("GET", "/api/v1/shifts", "hr")["items"]
            if s["is_default"]] == [restored["id"]]
    split = api.ok("GET", f"/api/v1/shifts/{other['id']}", "hr")
    assert split["is_default"] is False and split["periods"] == GOOD["periods"]


def test_the_default_shift_is_served_as_stored_and_as_seeded(api: Any) -> None:
    """One office day: what the web UI fills in is what restore-default stores, what the first
    migration seeded, and a valid new shift."""
    served = api.ok("GET", "/api/v1/shifts/default", "employee")
    assert served["periods"] == [{"start": "08:00", "end": "12:00"},
                                 {"start": "14:00", "end": "18:00"}]
    seeded = api.ok("GET", "/api/v1/shifts", "hr")["items"][0]
    restored = api.ok("POST", "/api/v1/shifts/restore-default", "hr")
    fields = set(served) - {"is_default"}
    assert {k: seeded[k] for k in fields} == {k: served[k] for k in fields}
    assert {k: restored[k] for k in fields} == {k: served[k] for k in fields}
    copy = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={**served, "name": "Copy"})
    assert {k: copy[k] for k in fields - {"name"}} == {k: served[k] for k in fields - {"name"}}


def test_assignments_and_holidays(api: Any) -> None:
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "Q", "name": "Q"})
    person = api.employee("Q1", department_id=dept["id"])
    other = api.employee("Q2")
    shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json=GOOD)
    both = {"employee_id": person["id"], "department_id": dept["id"], "shift_id": shift["id"],
            "from": "2026-01-01"}
    assert api.post("/api/v1/shift-assignments", "hr", json=both).status_code == 422
    backwards = {"employee_id": person["id"], "shift_id": shift["id"], "from": "2026-02-01",
                 "to": "2026-01-01"}
    assert api.post("/api/v1/shift-assignments", "hr", json=backwards).status_code == 422
    assert api.post("/api/v1/shift-assignments", "hr", json={
        "employee_id": person["id"], "shift_id": 4242, "from": "2026-01-01"}).status_code == 404
    row = api.ok("POST", "/api/v1/shift-assignments", "hr", status=201, json={
        "employee_id": person["id"], "shift_id": shift["id"], "from": "2026-01-01"})
    api.ok("POST", "/api/v1/shift-assignments", "hr", status=201, json={
        "department_id": dept["id"], "shift_id": shift["id"], "from": "2026-01-01"})
    moved = api.ok("PATCH", f"/api/v1/shift-assignments/{row['id']}", "hr",
                   json={"to": "2026-06-30"})
    assert moved["to"] == "2026-06-30" and moved["from"] == "2026-01-01"
    assert api.patch(f"/api/v1/shift-assignments/{row['id']}", "hr",
                     json={"to": "2025-01-01"}).status_code == 422
    own = {"token_claims": {"employee_id": person["id"]}}
    visible = api.ok("GET", "/api/v1/shift-assignments", "employee", **own)
    assert visible["total"] == 2  # their own and their department's
    stranger = {"token_claims": {"employee_id": other["id"]}}
    assert api.ok("GET", "/api/v1/shift-assignments", "employee", **stranger)["total"] == 0
    assert api.get(f"/api/v1/shift-assignments/{row['id']}", "employee",
                   **stranger).status_code == 404
    api.ok("DELETE", f"/api/v1/shift-assignments/{row['id']}", "hr", status=204)

    holiday = api.ok("POST", "/api/v1/holidays", "hr", status=201,
                     json={"date": "2026-12-25", "name": "Christmas"})
    dup = api.post("/api/v1/holidays", "hr", json={"date": "2026-12-25", "name": "Again"})
    assert dup.status_code == 409
    api.ok("POST", "/api/v1/holidays", "hr", status=201, json={"date": "2027-01-01",
                                                              "name": "New year"})
    assert api.ok("GET", "/api/v1/holidays?year=2026", "employee")["total"] == 1
    renamed = api.ok("PATCH", f"/api/v1/holidays/{holiday['id']}", "hr", json={"name": "Noël"})
    assert renamed["name"] == "Noël"
    api.ok("DELETE", f"/api/v1/holidays/{holiday['id']}", "hr", status=204)
    assert api.get(f"/api/v1/holidays/{holiday['id']}", "hr").status_code == 404


def test_rejections_and_withdrawals_leave_results_alone(api: Any) -> None:
    person = api.employee("R1", timezone="UTC")
    for hhmm in ("08:00", "12:00", "14:00", "18:00"):
        api.ok("POST", "/api/v1/punches", "hr", status=201,
               json={"employee_id": person["id"], "at": f"2026-02-02T{hhmm}:00Z"})
    leave = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": person["id"], "leave_type": "sick", "start": "2026-02-03",
        "end": "2026-02-03"})
    rejected = api.ok("POST", f"/api/v1/leave-requests/{leave['id']}/reject", "hr",
                      json={"note": "no certificate"})
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "no certificate"
    day = api.ok("GET", f"/api/v1/attendance/daily?date=2026-02-03&employee_id={person['id']}",
                 "hr")["items"][0]
    assert day["status"] == "absent"
    correction = api.ok("POST", "/api/v1/corrections", "hr", status=201, json={
        "employee_id": person["id"], "at": "2026-02-03T08:00:00Z", "kind": "in"})
    api.ok("POST", f"/api/v1/corrections/{correction['id']}/reject", "hr")
    assert api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")["total"] == 4
    overtime = api.ok("POST", "/api/v1/overtime", "hr", status=201, json={
        "employee_id": person["id"], "date": "2026-02-02", "start": "18:00", "hours": 1.5})
    changed = api.ok("PATCH", f"/api/v1/overtime/{overtime['id']}", "hr", json={"end": "20:00"})
    assert changed["hours"] == 2 and changed["end"] == "20:00"
    api.ok("POST", f"/api/v1/overtime/{overtime['id']}/approve", "hr",
           token_claims={"sub": "hr-2"})  # not the hr who filed it
    api.ok("DELETE", f"/api/v1/overtime/{overtime['id']}", "hr", status=204)  # hr cancels
    trail = api.ok("GET", f"/api/v1/audit?entity=overtime_request&entity_id={overtime['id']}",
                   "hr")["items"]
    assert [e["action"] for e in trail] == ["delete", "approved", "update", "create"]
    assert api.get("/api/v1/audit", "employee").status_code == 403


def test_hr_changes_are_in_the_audit_trail(api: Any) -> None:
    hr = {"token_claims": {"sub": "hr-9"}}
    person = api.ok("POST", "/api/v1/employees", "hr", status=201,
                    json={"employee_no": "AU1", "name": "Audited"}, **hr)
    api.ok("PATCH", f"/api/v1/employees/{person['id']}", "hr", json={"title": "Lead"}, **hr)
    shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json=GOOD, **hr)
    api.ok("PATCH", f"/api/v1/shifts/{shift['id']}", "hr", json={"late_grace_minutes": 3}, **hr)
    api.ok("POST", "/api/v1/holidays", "hr", status=201, json={"date": "2026-05-01",
                                                              "name": "May day"}, **hr)
    api.ok("POST", "/api/v1/punches", "hr", status=201, json={
        "employee_id": person["id"], "at": "2026-05-04T08:00:00Z"}, **hr)
    entries = api.ok("GET", "/api/v1/audit?limit=50", "hr")["items"]
    seen = {(e["entity"], e["action"]) for e in entries if e["actor"] == "hr-9"}
    assert {("employee", "create"), ("employee", "update"), ("shift", "create"),
            ("shift", "update"), ("holiday", "create"), ("punch", "create")} <= seen
    update = next(e for e in entries if e["entity"] == "shift" and e["action"] == "update")
    assert update["details"] == {"changes": {"late_grace_minutes": 3}}
    mine = api.ok("GET", f"/api/v1/audit?employee_id={person['id']}", "hr")["items"]
    assert {e["entity"] for e in mine} == {"employee", "punch"}
