"""The issue's "must show", through the public API: a shift, employees, synced punches, approved
leave, overtime and a correction, and the daily and monthly answers RULES.md prescribes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

PARIS = ZoneInfo("Europe/Paris")


def local(day: str, hhmm: str) -> str:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=PARIS).isoformat()


def punch(api: Any, employee_id: int, day: str, *times: str) -> None:
    for hhmm in times:
        api.ok("POST", "/api/v1/punches", "kiosk", status=201,
               json={"employee_id": employee_id, "at": local(day, hhmm), "device_id": "k1"})


def daily(api: Any, day: str, employee_id: int) -> dict[str, Any]:
    page = api.ok("GET", f"/api/v1/attendance/daily?date={day}&employee_id={employee_id}", "hr")
    assert page["total"] == 1
    return dict(page["items"][0])


def test_month_through_the_public_api(api: Any) -> None:
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201,
                 json={"code": "OPS", "name": "Operations"})
    day_shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Ops day", "periods": [{"start": "09:00", "end": "13:00"},
                                       {"start": "14:00", "end": "18:00"}],
        "early_checkin_minutes": 60, "late_grace_minutes": 5, "absent_after_late_minutes": 120,
        "early_leave_grace_minutes": 5, "absent_if_early_minutes": 120,
        "checkout_until_minutes": 240})
    night = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Night", "periods": [{"start": "22:00", "end": "06:00"}],
        "workdays": [1, 2, 3, 4, 5, 6, 7]})
    alice = api.employee("A1", name="Alice", department_id=ops["id"], timezone="Europe/Paris",
                         hired_on="2026-01-01")
    bob = api.employee("B1", name="Bob", department_id=ops["id"], timezone="Europe/Paris",
                       hired_on="2026-01-01")
    api.ok("POST", "/api/v1/shift-assignments", "hr", status=201,
           json={"department_id": ops["id"], "shift_id": day_shift["id"], "from": "2026-03-01"})
    own = api.ok("POST", "/api/v1/shift-assignments", "hr", status=201,
                 json={"employee_id": bob["id"], "shift_id": night["id"], "from": "2026-03-01",
                       "to": "2026-03-31"})
    assert own["from"] == "2026-03-01" and own["to"] == "2026-03-31"
    api.ok("POST", "/api/v1/holidays", "hr", status=201,
           json={"date": "2026-03-06", "name": "Founders day"})

    a = alice["id"]
    punch(api, a, "2026-03-02", "08:58", "13:01", "13:59", "18:02")
    punch(api, a, "2026-03-03", "09:20", "13:00", "14:00", "18:00")
    punch(api, a, "2026-03-04", "14:00", "17:30")
    punch(api, a, "2026-03-05", "09:00", "13:00", "14:00", "20:30")
    punch(api, a, "2026-03-09", "09:00", "14:00", "18:00")
    punch(api, bob["id"], "2026-03-02", "21:55")
    punch(api, bob["id"], "2026-03-03", "06:05")

    manager = {"token_claims": {"sub": "77", "department_id": ops["id"]}}
    me = {"token_claims": {"sub": "55", "employee_id": a}}
    leave = api.ok("POST", "/api/v1/leave-requests", "employee", status=201, json={
        "kind": "leave", "leave_type": "annual", "start": "2026-03-04T09:00",
        "end": "2026-03-04T13:00", "reason": "dentist"}, **me)
    assert leave["employee_id"] == a and leave["status"] == "pending" and leave["hours"] == 4
    assert api.post(f"/api/v1/leave-requests/{leave['id']}/approve", "employee",
                    **me).status_code == 403
    approved = api.ok("POST", f"/api/v1/leave-requests/{leave['id']}/approve", "manager",
                      json={"note": "ok"}, **manager)
    assert approved["status"] == "approved" and approved["decided_by"] == "77"
    again = api.post(f"/api/v1/leave-requests/{leave['id']}/reject", "hr")
    assert again.status_code == 409

    overtime = api.ok("POST", "/api/v1/overtime", "employee", status=201, json={
        "date": "2026-03-05", "start": "18:00", "end": "20:00", "reason": "release"}, **me)
    assert overtime["hours"] == 2
    api.ok("POST", f"/api/v1/overtime/{overtime['id']}/approve", "hr")
    correction = api.ok("POST", "/api/v1/corrections", "employee", status=201, json={
        "at": local("2026-03-09", "13:00"), "kind": "out", "reason": "forgot"}, **me)
    fixed = api.ok("POST", f"/api/v1/corrections/{correction['id']}/approve", "hr",
                   token_claims={"sub": "hr-1"})
    assert fixed["punch_id"] is not None

    monday = daily(api, "2026-03-02", a)
    assert monday["status"] == "present" and monday["worked_minutes"] == 480
    assert monday["final"] is True and len(monday["periods"]) == 2
    tuesday = daily(api, "2026-03-03", a)
    assert tuesday["status"] == "late" and tuesday["late_minutes"] == 20
    assert "late: first in 09:20, start 09:00, grace 5 min" in tuesday["explanation"]
    wednesday = daily(api, "2026-03-04", a)
    assert wednesday["status"] == "early_leave" and wednesday["early_leave_minutes"] == 30
    assert wednesday["leave_minutes"] == 240 and wednesday["leave_by_type"] == {"annual": 240}
    assert "approved annual leave" in wednesday["explanation"]
    thursday = daily(api, "2026-03-05", a)
    assert thursday["status"] == "present" and thursday["overtime_minutes"] == 120
    assert thursday["worked_minutes"] == 480
    friday = daily(api, "2026-03-06", a)
    assert friday["status"] == "holiday" and "Founders day" in friday["explanation"]
    corrected = daily(api, "2026-03-09", a)
    assert corrected["status"] == "present" and corrected["missing_checkouts"] == 0
    assert daily(api, "2026-03-10", a)["status"] == "absent"
    night_day = daily(api, "2026-03-02", bob["id"])
    assert night_day["status"] == "present" and night_day["worked_minutes"] == 480
    assert night_day["shift_id"] == night["id"]

    log = api.ok("GET", f"/api/v1/punches?employee_id={a}&from=2026-03-09T00:00:00Z"
                        "&to=2026-03-10T00:00:00Z", "hr")
    sources = sorted(p["source"] for p in log["items"])
    assert sources == ["correction", "device", "device", "device"]
    assert next(p for p in log["items"] if p["source"] == "correction")["approved_by"] == "hr-1"

    month = api.ok("GET", f"/api/v1/attendance/monthly?month=2026-03&employee_id={a}", "hr")
    row = month["items"][0]
    assert month["total"] == 1 and row["name"] == "Alice" and row["department"] == "Operations"
    assert row["days_present"] == 5 and row["days_absent"] == 16
    assert row["late_count"] == 1 and row["early_leave_count"] == 1
    assert row["leave_hours"] == 4 and row["leave_hours_by_type"] == {"annual": 4}
    assert row["overtime_hours"] == 2 and row["holidays"] == 10
    assert row["worked_hours"] == round((480 + 460 + 210 + 480 + 480) / 60, 2)
    assert row["days_counted"] == 31

    whole = api.ok("GET", "/api/v1/attendance/monthly?month=2026-03&limit=1&offset=1", "service",
                   token_claims={"sub": "service:reporting"})
    assert whole["total"] == 2 and whole["items"][0]["employee_id"] == bob["id"]
    days = api.ok("GET", "/api/v1/attendance/daily?from=2026-03-01&to=2026-03-07&limit=5&offset=5",
                  "hr")
    assert days["total"] == 14 and [d["date"] for d in days["items"]] == [
        "2026-03-06", "2026-03-07", "2026-03-01", "2026-03-02", "2026-03-03"]

    audit = api.ok("GET", f"/api/v1/audit?employee_id={a}", "hr")
    actions = [(e["entity"], e["action"], e["actor"]) for e in audit["items"]]
    assert ("leave_request", "approved", "77") in actions
    assert ("correction", "approved", "hr-1") in actions
    assert ("overtime_request", "create", "55") in actions


def test_results_follow_changes_and_the_nightly_job(api: Any) -> None:
    alice = api.employee("N1", timezone="Europe/Paris")
    a = alice["id"]
    punch(api, a, "2026-04-01", "08:00", "12:00", "14:00", "18:00")
    assert daily(api, "2026-04-01", a)["status"] == "present"
    api.ok("POST", "/api/v1/holidays", "hr", status=201, json={"date": "2026-04-01",
                                                              "name": "Spring"})
    assert daily(api, "2026-04-01", a)["status"] == "holiday"
    shifts = api.ok("GET", "/api/v1/shifts", "hr")["items"]
    default = next(s for s in shifts if s["is_default"])
    api.ok("PATCH", f"/api/v1/shifts/{default['id']}", "hr", json={"late_grace_minutes": 30,
                                                                    "workdays": [1, 2, 3]})
    punch(api, a, "2026-04-07", "08:20", "12:00", "14:00", "18:00")
    assert daily(api, "2026-04-07", a)["status"] == "present"  # 20 min within the new grace
    api.ok("PATCH", f"/api/v1/shifts/{default['id']}", "hr", json={"late_grace_minutes": 10})
    assert daily(api, "2026-04-07", a)["status"] == "late"
    assert daily(api, "2026-04-09", a)["status"] == "holiday"  # Thursday is now a rest day
    restored = api.ok("POST", "/api/v1/shifts/restore-default", "hr")
    assert restored["periods"] == [{"start": "08:00", "end": "12:00"},
                                   {"start": "14:00", "end": "18:00"}]
    assert restored["late_grace_minutes"] == 0 and restored["workdays"] == [1, 2, 3, 4, 5]
    assert daily(api, "2026-04-09", a)["status"] == "absent"


def test_request_rules_and_balances(api: Any) -> None:
    ops = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "X", "name": "X"})
    other = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "Y", "name": "Y"})
    worker = api.employee("W1", department_id=ops["id"])
    boss = api.employee("M1", department_id=ops["id"])
    outsider = api.employee("Z1", department_id=other["id"])
    api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker["id"], "year": 2026, "leave_type": "annual", "entitled_hours": 16})
    me = {"token_claims": {"sub": "200", "employee_id": worker["id"]}}
    boss_token = {"token_claims": {"sub": "300", "employee_id": boss["id"],
                                   "department_id": ops["id"]}}
    first = api.ok("POST", "/api/v1/leave-requests", "employee", status=201, json={
        "leave_type": "annual", "start": "2026-05-04", "end": "2026-05-05"}, **me)
    assert first["hours"] == 16 and first["days"] == 2 and first["start"] == "2026-05-04"
    # Filing beyond the balance is refused: the pending 16 h already take all of it.
    over = api.post("/api/v1/leave-requests", "employee", json={
        "leave_type": "annual", "start": "2026-05-06", "end": "2026-05-06"}, **me)
    assert over.status_code == 409 and over.json()["error"]["code"] == "insufficient_leave_balance"
    second = api.ok("POST", "/api/v1/leave-requests", "employee", status=201, json={
        "leave_type": "personal", "start": "2026-05-06", "end": "2026-05-06"}, **me)
    api.ok("POST", f"/api/v1/leave-requests/{first['id']}/approve", "manager", **boss_token)
    # An allocation lowered after filing is checked again when approving.
    api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker["id"], "year": 2026, "leave_type": "personal", "entitled_hours": 4})
    refused = api.post(f"/api/v1/leave-requests/{second['id']}/approve", "hr")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "insufficient_leave_balance"
    balances = api.ok("GET", f"/api/v1/leave-balances?employee_id={worker['id']}&year=2026",
                      "hr")["items"]
    assert balances == [
        {"employee_id": worker["id"], "year": 2026, "leave_type": "annual",
         "entitled_days": None, "used_days": 2, "pending_days": 0, "remaining_days": None,
         "entitled_hours": 16, "used_hours": 16, "pending_hours": 0, "remaining_hours": 0},
        {"employee_id": worker["id"], "year": 2026, "leave_type": "personal",
         "entitled_days": None, "used_days": 0, "pending_days": 1, "remaining_days": None,
         "entitled_hours": 4, "used_hours": 0, "pending_hours": 8, "remaining_hours": 4}]
    api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker["id"], "year": 2026, "leave_type": "personal", "entitled_hours": 40})
    sick = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": worker["id"], "leave_type": "sick", "start": "2026-05-07",
        "end": "2026-05-07"})
    api.ok("POST", f"/api/v1/leave-requests/{sick['id']}/approve", "hr",
           token_claims={"sub": "hr-2"})  # not capped (a second hr: the filer never approves)

    # Employees see and touch only their own; managers their department; not their own.
    assert api.post("/api/v1/leave-requests", "employee", json={
        "employee_id": outsider["id"], "start": "2026-05-04", "end": "2026-05-04"},
        **me).status_code == 404
    assert api.get(f"/api/v1/leave-requests/{first['id']}", "employee",
                   token_claims={"employee_id": outsider["id"]}).status_code == 404
    mine = api.ok("POST", "/api/v1/leave-requests", "manager", status=201, json={
        "start": "2026-06-01", "end": "2026-06-01"}, **boss_token)
    own = api.post(f"/api/v1/leave-requests/{mine['id']}/approve", "manager", **boss_token)
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_request"
    hr_self = {"token_claims": {"sub": "301", "employee_id": boss["id"]}}
    assert api.post(f"/api/v1/leave-requests/{mine['id']}/approve", "hr",
                    **hr_self).status_code == 403
    foreign = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": outsider["id"], "start": "2026-06-02", "end": "2026-06-02"})
    assert api.post(f"/api/v1/leave-requests/{foreign['id']}/approve", "manager",
                    **boss_token).status_code == 404
    assert api.post("/api/v1/leave-requests", "kiosk", json={
        "start": "2026-06-01", "end": "2026-06-01"}).status_code == 403
    listed = api.ok("GET", "/api/v1/leave-requests", "employee", **me)
    assert {r["employee_id"] for r in listed["items"]} == {worker["id"]}

    # Pending requests can be changed or withdrawn by their author; decided ones cannot.
    moved = api.ok("PATCH", f"/api/v1/leave-requests/{second['id']}", "employee",
                   json={"start": "2026-05-11", "end": "2026-05-11"}, **me)
    assert moved["start"] == "2026-05-11" and moved["hours"] == 8
    assert api.patch(f"/api/v1/leave-requests/{first['id']}", "employee",
                     json={"reason": "x"}, **me).status_code == 409
    api.ok("DELETE", f"/api/v1/leave-requests/{second['id']}", "employee", status=204, **me)
    bad = api.post("/api/v1/leave-requests", "hr", json={
        "employee_id": worker["id"], "start": "2026-05-08", "end": "2026-05-01"})
    assert bad.status_code == 422
    assert api.post("/api/v1/leave-requests", "hr", json={
        "employee_id": worker["id"], "start": "tomorrow", "end": "2026-05-01"}).status_code == 422
    trip = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": worker["id"], "kind": "business_trip", "start": "2026-05-12",
        "end": "2026-05-13"})
    assert trip["leave_type"] is None and trip["hours"] == 16
    overtime = api.post("/api/v1/overtime", "hr", json={
        "employee_id": worker["id"], "date": "2026-05-12", "start": "18:00"})
    assert overtime.status_code == 422
    by_hours = api.ok("POST", "/api/v1/overtime", "hr", status=201, json={
        "employee_id": worker["id"], "date": "2026-05-12", "start": "22:00", "hours": 3})
    assert by_hours["hours"] == 3 and by_hours["end_at"] > by_hours["start_at"]
    overnight = api.ok("POST", "/api/v1/overtime", "hr", status=201, json={
        "employee_id": worker["id"], "date": "2026-05-12", "start": "23:00", "end": "01:00"})
    assert overnight["hours"] == 2


def test_naming_a_department_manager_gives_them_its_approval_queue(api: Any) -> None:
    """Issue 15: a manager account without a department of its own on the account, and an
    employee account, each named manager on the department, see and decide its requests; the
    neighbouring department's stay out of reach."""
    sales = api.ok("POST", "/api/v1/departments", "hr", status=201,
                   json={"code": "SAL", "name": "Sales"})
    other = api.ok("POST", "/api/v1/departments", "hr", status=201,
                   json={"code": "OTH", "name": "Other"})
    boss = api.employee("B1", name="Boss", department_id=sales["id"])
    seller = api.employee("S1", name="Seller", department_id=sales["id"])
    stranger = api.employee("O1", name="Stranger", department_id=other["id"])
    api.ok("PATCH", f"/api/v1/departments/{sales['id']}", "hr",
           json={"manager_employee_id": boss["id"]})
    filed = {person["id"]: api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": person["id"], "leave_type": "sick", "start": "2026-07-01",
        "end": "2026-07-01"}) for person in (seller, stranger)}
    for role in ("manager", "employee"):
        boss_token = {"token_claims": {"sub": f"9{role}", "employee_id": boss["id"]}}
        queue = api.ok("GET", "/api/v1/leave-requests?status=pending", role, **boss_token)
        assert {r["employee_id"] for r in queue["items"]} == {seller["id"]}, role
        assert [d["id"] for d in api.ok("GET", "/api/v1/departments", role,
                                        **boss_token)["items"]] == [sales["id"]]
        assert api.post(f"/api/v1/leave-requests/{filed[stranger['id']]['id']}/approve", role,
                        **boss_token).status_code == 404
    boss_token = {"token_claims": {"sub": "9", "employee_id": boss["id"]}}
    decided = api.ok("POST", f"/api/v1/leave-requests/{filed[seller['id']]['id']}/approve",
                     "employee", json={"note": "ok"}, **boss_token)
    assert decided["status"] == "approved"
    # Names a person reads (issue 15): whose request, and who decided it.
    assert (decided["employee_name"], decided["decided_by_name"]) == ("Seller", "Boss")
    # A plain employee of the department manages nothing: their own requests only.
    seller_token = {"token_claims": {"sub": "8", "employee_id": seller["id"]}}
    assert api.ok("GET", "/api/v1/departments", "employee", **seller_token)["items"] == []


@pytest.mark.parametrize("kind", ["corrections", "leave-requests", "overtime"])
def test_whoever_files_a_request_never_approves_it(sqlite_api, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 item 6: a manager (or hr, or an admin) who files a correction - a new punch - or
    any other request for someone cannot approve it alone; someone else can."""
    api = sqlite_api
    team = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "T", "name": "T"})
    worker = api.employee("W-4E", department_id=team["id"])
    boss = {"token_claims": {"sub": "501", "department_id": team["id"]}}
    body = {"corrections": {"employee_id": worker["id"], "at": "2026-02-03T08:00:00Z",
                            "kind": "in", "reason": "forgot"},
            "leave-requests": {"employee_id": worker["id"], "start": "2026-02-03",
                               "end": "2026-02-03"},
            "overtime": {"employee_id": worker["id"], "date": "2026-02-02", "start": "18:00",
                         "hours": 1}}[kind]
    filed = api.ok("POST", f"/api/v1/{kind}", "manager", status=201, json=body, **boss)
    for role in ("manager", "hr", "admin"):
        alone = api.post(f"/api/v1/{kind}/{filed['id']}/approve", role, **boss)
        assert alone.status_code == 403, (role, alone.text)
        assert alone.json()["error"]["code"] == "own_filing"
    assert api.ok("GET", f"/api/v1/punches?employee_id={worker['id']}", "hr")["total"] == 0
    approved = api.ok("POST", f"/api/v1/{kind}/{filed['id']}/approve", "hr",
                      token_claims={"sub": "502"})
    assert approved["status"] == "approved" and approved["decided_by"] == "502"
