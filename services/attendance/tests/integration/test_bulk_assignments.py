"""Bulk shift assignment: one request, one transaction; a conflict or an unknown employee is a
clear 4xx and stores nothing; the stored days of everyone assigned are judged again."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

NIGHT = {"name": "Bulk night", "periods": [{"start": "22:00", "end": "06:00"}]}


def _assignments(api: Any, shift_id: int) -> list[dict[str, Any]]:
    return list(api.ok("GET", "/api/v1/shift-assignments", "hr",
                       params={"shift_id": shift_id, "limit": 1000})["items"])


def test_many_employees_get_one_shift_at_once_or_none_do(api: Any) -> None:
    shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json=NIGHT)
    people = [api.employee(f"B{n}", timezone="UTC", hired_on="2026-01-01") for n in range(5)]
    ids = [p["id"] for p in people]
    body = {"employee_ids": ids[:3], "shift_id": shift["id"], "from": "2026-03-01"}
    created = api.ok("POST", "/api/v1/shift-assignments/bulk", "hr", status=201, json=body)
    assert created["total"] == 3
    assert sorted(a["employee_id"] for a in created["items"]) == sorted(ids[:3])
    assert {a["from"] for a in created["items"]} == {"2026-03-01"}

    # B2 already has an assignment from that day: nobody of this request is assigned.
    clash = api.post("/api/v1/shift-assignments/bulk", "hr",
                     json={**body, "employee_ids": [ids[3], ids[2], ids[4]]})
    assert clash.status_code == 409
    error = clash.json()["error"]
    assert error["code"] == "assignment_exists" and error["employee_ids"] == [ids[2]]
    assert "Person B2" in error["message"]
    assert len(_assignments(api, shift["id"])) == 3
    chinese = api.post("/api/v1/shift-assignments/bulk", "hr",
                       headers={"Accept-Language": "zh-CN"},
                       json={**body, "employee_ids": [ids[2]]})
    assert chinese.json()["error"]["message"] == (
        "以下员工已有从 2026-03-01 开始的排班：Person B2。请改为编辑这些排班。")

    # An unknown employee: 422 naming it, nothing stored.
    unknown = api.post("/api/v1/shift-assignments/bulk", "hr",
                       json={**body, "employee_ids": [ids[3], 999_999]})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["employee_ids"] == [999_999]
    assert len(_assignments(api, shift["id"])) == 3

    rest = api.ok("POST", "/api/v1/shift-assignments/bulk", "hr", status=201,
                  json={**body, "employee_ids": ids[3:], "to": "2026-03-31"})
    assert rest["total"] == 2 and {a["to"] for a in rest["items"]} == {"2026-03-31"}
    assert len(_assignments(api, shift["id"])) == 5


def test_bad_bulk_requests_are_4xx_never_500(api: Any) -> None:
    shift = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={**NIGHT, "name": "Bulk 2"})
    person = api.employee("BX")
    good = {"employee_ids": [person["id"]], "shift_id": shift["id"], "from": "2026-04-01"}
    for bad in ({**good, "employee_ids": []}, {**good, "employee_ids": [person["id"]] * 2},
                {**good, "employee_ids": list(range(1, 1002))},
                {**good, "employee_ids": ["x"]}, {**good, "employee_ids": [0]},
                {**good, "to": "2026-03-01"}, {**good, "roster_id": 1},
                {k: v for k, v in good.items() if k != "shift_id"}, {**good, "from": 20260401},
                {**good, "extra": 1}, [good]):
        reply = api.post("/api/v1/shift-assignments/bulk", "hr", json=bad)
        assert reply.status_code == 422, (bad, reply.status_code, reply.text)
        assert reply.json()["error"]["message"]
    missing_shift = api.post("/api/v1/shift-assignments/bulk", "hr",
                             json={**good, "shift_id": 999_999})
    assert missing_shift.status_code == 404
    assert api.post("/api/v1/shift-assignments/bulk", "manager", json=good).status_code == 403
    assert api.post("/api/v1/shift-assignments/bulk", "employee", json=good).status_code == 403
    assert api.post("/api/v1/shift-assignments/bulk", json=good).status_code == 401


def test_the_stored_days_of_everyone_assigned_are_judged_again(api: Any) -> None:
    late = api.ok("POST", "/api/v1/shifts", "hr", status=201, json={
        "name": "Bulk late", "periods": [{"start": "14:00", "end": "22:00"}], "timezone": "UTC"})
    people = [api.employee(f"BR{n}", timezone="UTC", hired_on="2026-01-01") for n in range(2)]
    for person in people:
        api.ok("POST", "/api/v1/punches", "hr", status=201, json={
            "employee_id": person["id"], "at": "2026-02-02T14:00:00Z", "source": "import"})
        api.ok("POST", "/api/v1/punches", "hr", status=201, json={
            "employee_id": person["id"], "at": "2026-02-02T22:00:00Z", "source": "import"})

    def statuses() -> list[str]:
        rows = api.ok("GET", "/api/v1/attendance/daily", "hr", params={
            "date": "2026-02-02", "limit": 1000})["items"]
        return [r["status"] for r in rows if r["employee_id"] in {p["id"] for p in people}]

    before = statuses()
    assert before and all(s != "present" for s in before)  # judged by the default office day
    api.ok("POST", "/api/v1/shift-assignments/bulk", "hr", status=201, json={
        "employee_ids": [p["id"] for p in people], "shift_id": late["id"], "from": "2026-02-01"})
    assert statuses() == ["present", "present"]
