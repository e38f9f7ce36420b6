"""RULES.md v2 through the HTTP API: the shift's new fields, rosters (with the calendar
preview), holiday calendars per department and site, employment dates, and leave in days and
half days with yearly allocations, refusals (409) and withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
# Requests are filed by one hr account and decided by another (nobody approves their own).
APPROVER = {"token_claims": {"sub": "hr-approver"}}


def local(day: str, hhmm: str) -> str:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=BERLIN).isoformat()


def punch(api: Any, employee_id: int, day: str, *times: str) -> None:
    for hhmm in times:
        api.ok("POST", "/api/v1/punches", "hr", status=201, json={
            "employee_id": employee_id, "at": local(day, hhmm), "source": "import"})


def daily(api: Any, employee_id: int, day: str) -> dict[str, Any]:
    page = api.ok("GET", f"/api/v1/attendance/daily?date={day}&employee_id={employee_id}", "hr")
    return dict(page["items"][0])


def person(api: Any, number: str, **fields: Any) -> int:
    return int(api.employee(number, timezone="Europe/Berlin", hired_on="2025-01-01",
                            **fields)["id"])


def test_shift_fields_round_trip_and_drive_the_day(api: Any) -> None:
    shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Pairs", "periods": [{"start": "08:00", "end": "12:00"},
                                     {"start": "13:00", "end": "17:00"}],
        "worked_time": "pairs", "auto_checkout": True, "overtime_without_approval": True,
        "overtime_min_minutes": 30, "overtime_rounding_minutes": 15,
        "absent_below_hours": 2, "work_on_holidays": True})
    assert (shift["punch_policy"], shift["worked_time"], shift["auto_checkout"]) == (
        "first_last", "pairs", True)
    worker = person(api, "S1")
    api.ok("POST", "/api/v1/shift-assignments", "hr", status=201,
           json={"employee_id": worker, "shift_id": shift["id"], "from": "2025-10-01"})
    punch(api, worker, "2025-10-06", "07:55", "10:00", "10:30", "17:50")
    day = daily(api, worker, "2025-10-06")
    assert (day["status"], day["worked_minutes"], day["overtime_minutes"]) == ("present", 450, 45)
    assert "worked by pairs" in day["explanation"]
    punch(api, worker, "2025-10-07", "07:58")
    closed = daily(api, worker, "2025-10-07")
    assert (closed["worked_minutes"], closed["missing_checkouts"]) == (480, 0)
    assert "automatic check-out at 17:00" in closed["explanation"]
    old = api.ok("PATCH", f"/api/v1/shifts/{shift['id']}", "hr",
                 json={"punch_policy": "every_period", "auto_checkout": False})
    assert old["punch_policy"] == "every_period"
    again = daily(api, worker, "2025-10-07")
    assert again["missing_checkouts"] == 1 and again["status"] == "half_day"
    bad = api.post("/api/v1/shifts", "hr", json={"name": "x", "periods": [],
                                                  "flexible": True})
    assert bad.status_code == 422 and "required_hours" in bad.json()["error"]["message"]
    day24 = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Day and night", "periods": [{"start": "08:00", "end": "08:00"}]})
    assert day24["periods"] == [{"start": "08:00", "end": "08:00"}]


def test_leaving_date_is_not_absent(api: Any) -> None:
    leaver = person(api, "L1", left_on="2025-10-08")
    assert daily(api, leaver, "2025-10-08")["status"] == "absent"
    after = daily(api, leaver, "2025-10-09")
    assert after["status"] == "not_employed" and "left on 2025-10-08" in after["explanation"]
    month = api.ok("GET", f"/api/v1/attendance/monthly?month=2025-10&employee_id={leaver}", "hr")
    assert month["items"][0]["days_absent"] == 6  # 1-8 October, weekdays only


def test_roster_four_on_four_off_with_preview(api: Any) -> None:
    day_shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Roster day", "periods": [{"start": "07:00", "end": "19:00"}]})
    pattern = [day_shift["id"]] * 4 + [None] * 4
    roster = api.ok("POST", "/api/v1/rosters", "hr", status=201, json={
        "name": "4 on 4 off", "anchor_date": "2025-10-01", "pattern": pattern})
    preview = api.ok("POST", "/api/v1/rosters/preview", "hr", json={
        "anchor_date": "2025-10-01", "pattern": pattern, "from": "2025-10-03",
        "to": "2025-10-10"})
    assert [d["shift_name"] for d in preview["items"]] == [
        "Roster day", "Roster day", None, None, None, None, "Roster day", "Roster day"]
    assert preview["items"][0]["position"] == 3
    worker = person(api, "R1")
    api.ok("POST", "/api/v1/shift-assignments", "hr", status=201,
           json={"employee_id": worker, "roster_id": roster["id"], "from": "2025-10-01"})
    # Saturday 4 October is a roster work day; Monday 6 October a roster rest day.
    punch(api, worker, "2025-10-04", "06:55", "19:05")
    saturday = daily(api, worker, "2025-10-04")
    assert saturday["status"] == "present" and "roster 4 on 4 off: day 4 of 8" in saturday[
        "explanation"]
    monday = daily(api, worker, "2025-10-06")
    assert monday["status"] == "holiday" and "rest day of the roster" in monday["explanation"]
    assert api.delete(f"/api/v1/rosters/{roster['id']}", "hr").status_code == 409
    shifted = api.ok("PATCH", f"/api/v1/rosters/{roster['id']}", "hr",
                     json={"anchor_date": "2025-10-05"})
    assert shifted["anchor_date"] == "2025-10-05"
    assert daily(api, worker, "2025-10-06")["status"] == "absent"  # now a work day
    unknown = api.post("/api/v1/rosters", "hr", json={
        "name": "bad", "anchor_date": "2025-10-01", "pattern": [999999]})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_shift"


def test_holiday_calendars_per_department_and_site(api: Any) -> None:
    bavaria = api.ok("POST", "/api/v1/holiday-calendars", "hr", status=201,
                     json={"name": "Bavaria"})
    api.ok("POST", "/api/v1/holidays", "hr", status=201,
           json={"date": "2025-11-01", "name": "Organisation day"})
    api.ok("POST", "/api/v1/holidays", "hr", status=201,
           json={"date": "2025-10-07", "name": "Bavarian day", "calendar_id": bavaria["id"]})
    api.ok("POST", "/api/v1/holidays", "hr", status=201,
           json={"date": "2025-10-07", "name": "Same date, other calendar"})
    dup = api.post("/api/v1/holidays", "hr", json={"date": "2025-10-07", "name": "again",
                                                   "calendar_id": bavaria["id"]})
    assert dup.status_code == 409
    munich = api.ok("POST", "/api/v1/departments", "hr", status=201,
                    json={"code": "MUC", "name": "Munich"})
    member = person(api, "C1", department_id=munich["id"])
    other = person(api, "C2")
    assert daily(api, member, "2025-10-07")["explanation"].startswith(
        "holiday: Same date, other calendar")
    api.ok("PATCH", f"/api/v1/departments/{munich['id']}", "hr",
           json={"holiday_calendar_id": bavaria["id"]})
    assert "Bavarian day" in daily(api, member, "2025-10-07")["explanation"]
    assert daily(api, member, "2025-10-08")["status"] == "absent"
    assert "Same date, other calendar" in daily(api, other, "2025-10-07")["explanation"]
    site = api.ok("POST", "/api/v1/sites", "hr", status=201, json={
        "name": "Plant", "timezone": "Europe/Berlin", "holiday_calendar_id": None})
    api.ok("PATCH", f"/api/v1/employees/{other}", "hr", json={"site_id": site["id"]})
    api.ok("PATCH", f"/api/v1/sites/{site['id']}", "hr",
           json={"holiday_calendar_id": bavaria["id"]})
    assert "Bavarian day" in daily(api, other, "2025-10-07")["explanation"]
    assert daily(api, other, "2025-11-03")["status"] == "absent"
    listed = api.ok("GET", f"/api/v1/holidays?calendar_id={bavaria['id']}", "hr")
    assert [h["name"] for h in listed["items"]] == ["Bavarian day"]
    # A day the organisation's calendar makes a holiday and Bavaria's does not: deleting Bavaria
    # hands its users back to the organisation's calendar, so that day changes too.
    api.ok("POST", "/api/v1/holidays", "hr", status=201,
           json={"date": "2025-10-08", "name": "Organisation's own day"})
    for hhmm in ("08:58", "18:02"):  # a punch makes the day's result a stored one
        api.ok("POST", "/api/v1/punches", "hr", status=201, json={
            "employee_id": member, "at": f"2025-10-08T{hhmm}:00+02:00", "source": "import"})
    assert daily(api, member, "2025-10-08")["status"] != "holiday"
    api.ok("DELETE", f"/api/v1/holiday-calendars/{bavaria['id']}", "hr", status=204)
    for who in (member, other):
        assert "Organisation's own day" in daily(api, who, "2025-10-08")["explanation"], who
        assert daily(api, who, "2025-10-07")["explanation"].startswith(
            "holiday: Same date, other calendar")


def test_leave_in_days_half_days_allocation_overlap_and_withdrawal(api: Any) -> None:
    worker = person(api, "V1")
    types = api.ok("GET", "/api/v1/leave-types", "hr")
    assert {"annual", "sick", "personal", "unpaid"} <= {t["code"] for t in types["items"]}
    balance = api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker, "year": 2025, "leave_type": "annual", "entitled_days": 2})
    assert balance["entitled_days"] == 2 and balance["remaining_days"] == 2

    def ask(**body: Any) -> Any:
        return api.post("/api/v1/leave-requests", "hr",
                        json={"employee_id": worker, "leave_type": "annual", **body})

    first = ask(start="2025-10-06", end="2025-10-07")
    assert first.status_code == 201 and (first.json()["days"], first.json()["hours"]) == (2, 16)
    over = ask(start="2025-10-09", end="2025-10-09", half="first")
    assert over.status_code == 409 and over.json()["error"]["code"] == "insufficient_leave_balance"
    assert over.json()["error"]["message"] == (
        "annual leave: 0.5 days requested, only 0 days left of 2 in 2025 (0 taken, 2 pending).")
    overlap = api.post("/api/v1/leave-requests", "hr", json={
        "employee_id": worker, "leave_type": "sick", "start": "2025-10-07", "end": "2025-10-08"})
    assert overlap.status_code == 409
    assert overlap.json()["error"]["message"] == (
        f"This request overlaps pending annual leave request #{first.json()['id']} "
        "(2025-10-06 to 2025-10-07).")
    api.ok("PUT", "/api/v1/leave-types/annual", "hr", json={
        "name": "Annual leave", "allow_hours": False, "allow_half_days": True,
        "allow_negative": False})
    hours = ask(start="2025-10-10T09:00", end="2025-10-10T11:00")
    assert hours.status_code == 422 and hours.json()["error"]["code"] == \
        "leave_in_hours_not_allowed"
    withdrawn = api.ok("POST", f"/api/v1/leave-requests/{first.json()['id']}/withdraw", "hr")
    assert withdrawn["status"] == "withdrawn"
    morning = ask(start="2025-10-09", end="2025-10-09", half="first")
    assert morning.status_code == 201 and morning.json()["days"] == 0.5
    afternoon = api.post("/api/v1/leave-requests", "hr", json={
        "employee_id": worker, "leave_type": "personal", "start": "2025-10-09",
        "end": "2025-10-09", "half": "second"})
    assert afternoon.status_code == 201  # the other half of the same day does not overlap
    api.ok("POST", f"/api/v1/leave-requests/{morning.json()['id']}/approve", "hr",
           **APPROVER)
    punch(api, worker, "2025-10-09", "13:58", "18:02")
    day = daily(api, worker, "2025-10-09")
    assert (day["status"], day["leave_minutes"]) == ("present", 240)
    left = api.ok("GET", f"/api/v1/leave-balances?employee_id={worker}&year=2025", "hr")
    annual = next(b for b in left["items"] if b["leave_type"] == "annual")
    assert (annual["used_days"], annual["remaining_days"]) == (0.5, 1.5)
    unknown = ask(start="2025-10-20", end="2025-10-20", leave_type="sabbatical")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_leave_type"


def test_attendance_request_overlap_from_frappe(api: Any) -> None:
    """Frappe HRMS hrms/hr/doctype/attendance_request/test_attendance_request.py::
    test_attendance_request_overlap: with an on-duty request (our business trip) over yesterday
    and today, requests over [-2, 0], [0, 0], [0, +1] and [-2, +2] overlap (409); [-3, -2] does
    not."""
    worker = person(api, "O1")

    def trip(first: str, last: str) -> Any:
        return api.post("/api/v1/leave-requests", "hr", json={
            "employee_id": worker, "kind": "business_trip", "start": first, "end": last})

    assert trip("2025-10-08", "2025-10-09").status_code == 201
    for first, last in (("2025-10-07", "2025-10-09"), ("2025-10-09", "2025-10-09"),
                        ("2025-10-09", "2025-10-10"), ("2025-10-07", "2025-10-11")):
        refused = trip(first, last)
        assert refused.status_code == 409, (first, last)
        assert refused.json()["error"]["code"] == "overlapping_request"
    assert trip("2025-10-06", "2025-10-07").status_code == 201
