"""The six bugs of issue #12 through the HTTP API: punches synced with `source: import`, then
GET /attendance/daily (the same scenarios run through the pure rules in
tests/unit/test_rules_issue12.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
# Requests are filed by one hr account and decided by another (nobody approves their own).
APPROVER = {"token_claims": {"sub": "hr-approver"}}


def local(day: str, hhmm: str, tz: ZoneInfo = BERLIN) -> str:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=tz).isoformat()


def punch(api: Any, employee_id: int, *moments: tuple[str, str], tz: ZoneInfo = BERLIN) -> None:
    for day, hhmm in moments:
        api.ok("POST", "/api/v1/punches", "hr", status=201, json={
            "employee_id": employee_id, "at": local(day, hhmm, tz), "source": "import"})


def daily(api: Any, employee_id: int, day: str) -> dict[str, Any]:
    page = api.ok("GET", f"/api/v1/attendance/daily?date={day}&employee_id={employee_id}", "hr")
    return dict(page["items"][0])


def night_worker(api: Any, number: str) -> int:
    night = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": f"Night {number}", "periods": [{"start": "22:00", "end": "06:00"}]})
    person = api.employee(number, timezone="Europe/Berlin", hired_on="2025-01-01")
    api.ok("POST", "/api/v1/shift-assignments", "hr", status=201, json={
        "employee_id": person["id"], "shift_id": night["id"], "from": "2025-01-01"})
    return int(person["id"])


def approve_overtime(api: Any, employee_id: int, day: str, start: str, end: str) -> None:
    request = api.ok("POST", "/api/v1/overtime", "hr", status=201, json={
        "employee_id": employee_id, "date": day, "start": start, "end": end})
    api.ok("POST", f"/api/v1/overtime/{request['id']}/approve", "hr", **APPROVER)


def test_bug1_night_shift_next_to_a_rest_day(api: Any) -> None:
    worker = night_worker(api, "N1")
    punch(api, worker, ("2025-10-10", "21:55"), ("2025-10-11", "02:00"),
          ("2025-10-11", "02:30"), ("2025-10-11", "06:05"))
    friday, saturday = daily(api, worker, "2025-10-10"), daily(api, worker, "2025-10-11")
    assert (friday["status"], friday["worked_minutes"]) == ("present", 480)
    assert (saturday["status"], saturday["worked_minutes"]) == ("holiday", 0)
    month = api.ok("GET", f"/api/v1/attendance/monthly?month=2025-10&employee_id={worker}", "hr")
    assert month["items"][0]["overtime_hours"] == 0


def test_bug2_overnight_work_starting_on_a_holiday(api: Any) -> None:
    person = api.employee("H2", timezone="Europe/Berlin", hired_on="2025-01-01")["id"]
    api.ok("POST", "/api/v1/holidays", "hr", status=201,
           json={"date": "2025-10-01", "name": "Company day"})
    approve_overtime(api, person, "2025-10-01", "22:00", "06:00")
    punch(api, person, ("2025-10-01", "21:58"), ("2025-10-02", "06:02"),
          ("2025-10-02", "08:00"), ("2025-10-02", "18:00"))
    holiday = daily(api, person, "2025-10-01")
    assert holiday["status"] == "holiday"
    assert (holiday["worked_minutes"], holiday["overtime_minutes"]) == (484, 480)
    assert daily(api, person, "2025-10-02")["status"] == "present"


def test_bug3_rest_day_on_the_dst_fall_back(api: Any) -> None:
    person = api.employee("D3", timezone="Europe/Berlin", hired_on="2025-01-01")["id"]
    for sunday in ("2025-10-26", "2025-11-02"):
        approve_overtime(api, person, sunday, "19:00", "23:59")
        punch(api, person, (sunday, "20:00"), (sunday, "23:30"))
        day = daily(api, person, sunday)
        assert day["status"] == "holiday", sunday
        assert (day["worked_minutes"], day["overtime_minutes"]) == (210, 210), sunday


def test_bug4_one_punch_belongs_to_one_day(api: Any) -> None:
    shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Long day", "periods": [{"start": "07:00", "end": "03:00"}],
        "workdays": [1, 2, 3, 4, 5, 6, 7]})
    person = api.employee("L4", timezone="Europe/Berlin", hired_on="2025-01-01")["id"]
    api.ok("POST", "/api/v1/shift-assignments", "hr", status=201,
           json={"employee_id": person, "shift_id": shift["id"], "from": "2025-10-01"})
    punch(api, person, ("2025-10-06", "06:50"), ("2025-10-07", "06:50"), ("2025-10-08", "03:02"))
    monday, tuesday = daily(api, person, "2025-10-06"), daily(api, person, "2025-10-07")
    assert (monday["missing_checkouts"], monday["worked_minutes"]) == (1, 0)
    assert (tuesday["status"], tuesday["worked_minutes"]) == ("present", 1200)


def test_bug5_a_day_of_leave_is_the_night_that_starts_on_it(api: Any) -> None:
    worker = night_worker(api, "N5")
    punch(api, worker, ("2025-10-06", "21:55"), ("2025-10-07", "06:05"))
    leave = api.ok("POST", "/api/v1/leave-requests", "hr", status=201, json={
        "employee_id": worker, "kind": "leave", "leave_type": "annual",
        "start": "2025-10-07", "end": "2025-10-07"})
    assert (leave["days"], leave["hours"]) == (1, 8)
    api.ok("POST", f"/api/v1/leave-requests/{leave['id']}/approve", "hr", **APPROVER)
    monday, tuesday = daily(api, worker, "2025-10-06"), daily(api, worker, "2025-10-07")
    assert (monday["status"], monday["worked_minutes"], monday["leave_minutes"]) == (
        "present", 480, 0)
    assert (tuesday["status"], tuesday["leave_minutes"]) == ("leave", 480)


def test_bug6_a_day_result_follows_its_current_inputs(api: Any) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    person = api.employee("Z6", timezone="Asia/Shanghai", hired_on="2025-01-01")["id"]
    punch(api, person, ("2025-10-14", "07:58"), ("2025-10-14", "18:02"), tz=shanghai)
    assert daily(api, person, "2025-10-14")["status"] == "present"
    api.ok("PATCH", f"/api/v1/employees/{person}", "hr", json={"timezone": "Europe/Paris"})
    moved = daily(api, person, "2025-10-14")
    assert moved["final"] is True
    assert (moved["status"], moved["missing_checkouts"]) == ("half_day", 1)
    approve_overtime(api, person, "2025-10-15", "18:00", "20:00")  # unrelated to the 14th
    assert daily(api, person, "2025-10-14") == moved
    # The zone changed back by a CSV import judges the stored day again too.
    csv = "employee_no,name,timezone\nZ6,Person Z6,Asia/Shanghai\n"
    report = api.ok("POST", "/api/v1/employees/import?update_existing=true", "hr",
                    files={"file": ("people.csv", csv, "text/csv")})
    assert report["updated"] == 1
    assert daily(api, person, "2025-10-14")["status"] == "present"
