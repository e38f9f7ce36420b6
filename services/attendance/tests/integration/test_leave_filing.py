"""Filing leave as an employee does it in the web UI: the cost and balance before filing
(preview), refusals that say what is wrong in the reader's language, withdrawing a pending
request."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

ZH = {"Accept-Language": "zh-CN"}


def test_preview_costs_the_request_and_shows_the_balance_without_filing(api: Any) -> None:
    worker = api.employee("P1")["id"]
    api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker, "year": 2025, "leave_type": "annual", "entitled_days": 5})
    own = {"token_claims": {"employee_id": worker, "sub": "p1"}}
    body = {"leave_type": "annual", "start": "2025-10-06", "end": "2025-10-08"}
    preview = api.ok("POST", "/api/v1/leave-requests/preview", "employee", json=body, **own)
    assert (preview["days"], preview["hours"]) == (3, 24)
    assert preview["balance"]["entitled_days"] == 5
    assert preview["balance"]["remaining_days"] == 5
    assert preview["balance"]["pending_days"] == 0
    half = api.ok("POST", "/api/v1/leave-requests/preview", "employee", **own,
                  json={**body, "end": "2025-10-06", "half": "second"})
    assert half["days"] == 0.5
    # Nothing was filed.
    listed = api.ok("GET", f"/api/v1/leave-requests?employee_id={worker}", "hr")
    assert listed["total"] == 0
    # A business trip has no balance.
    trip = api.ok("POST", "/api/v1/leave-requests/preview", "employee", **own, json={
        "kind": "business_trip", "start": "2025-10-06", "end": "2025-10-06"})
    assert (trip["days"], trip["balance"]) == (1, None)


def test_over_balance_and_overlap_are_refused_in_both_languages(api: Any) -> None:
    worker = api.employee("P2")["id"]
    api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker, "year": 2025, "leave_type": "annual", "entitled_days": 2})
    own = {"token_claims": {"employee_id": worker, "sub": "p2"}}
    first = api.ok("POST", "/api/v1/leave-requests", "employee", status=201, **own, json={
        "leave_type": "annual", "start": "2025-10-06", "end": "2025-10-06"})
    over = {"leave_type": "annual", "start": "2025-10-08", "end": "2025-10-09"}
    for path in ("/api/v1/leave-requests/preview", "/api/v1/leave-requests"):
        english = api.post(path, "employee", json=over, **own)
        assert english.status_code == 409, english.text
        error = english.json()["error"]
        assert error["code"] == "insufficient_leave_balance"
        assert error["message"] == ("annual leave: 2 days requested, only 1 day left of 2 in "
                                    "2025 (0 taken, 1 pending).")
        assert (error["requested"], error["left"], error["unit"]) == (2, 1, "day")
        chinese = api.post(path, "employee", json=over, headers=ZH, **own)
        assert chinese.json()["error"]["message"] == (
            "年假余额不足：本次申请 2 天，2025 年共 2 天（已休 0 天，1 天待审批），只剩 1 天。")
    clash = {"leave_type": "sick", "start": "2025-10-06", "end": "2025-10-06", "half": "first"}
    english = api.post("/api/v1/leave-requests", "employee", json=clash, **own)
    assert english.status_code == 409
    assert english.json()["error"]["message"] == (
        f"This request overlaps pending annual leave request #{first['id']} (2025-10-06).")
    chinese = api.post("/api/v1/leave-requests", "employee", json=clash, headers=ZH, **own)
    assert chinese.status_code == 409
    assert chinese.json()["error"]["message"] == "该申请与待审批的年假申请（2025-10-06）时间重叠。"
    assert api.ok("GET", f"/api/v1/leave-requests?employee_id={worker}", "hr")["total"] == 1


def test_the_employee_withdraws_a_pending_request_and_its_days_are_free_again(api: Any) -> None:
    worker = api.employee("P3")["id"]
    api.ok("PUT", "/api/v1/leave-balances", "hr", json={
        "employee_id": worker, "year": 2025, "leave_type": "annual", "entitled_days": 1})
    own = {"token_claims": {"employee_id": worker, "sub": "p3"}}
    filed = api.ok("POST", "/api/v1/leave-requests", "employee", status=201, **own, json={
        "leave_type": "annual", "start": "2025-10-06", "end": "2025-10-06"})
    stranger = {"token_claims": {"employee_id": api.employee("P4")["id"], "sub": "p4"}}
    refused = api.post(f"/api/v1/leave-requests/{filed['id']}/withdraw", "employee", **stranger)
    assert refused.status_code in (403, 404)
    withdrawn = api.ok("POST", f"/api/v1/leave-requests/{filed['id']}/withdraw", "employee",
                       **own)
    assert withdrawn["status"] == "withdrawn"
    again = api.post(f"/api/v1/leave-requests/{filed['id']}/withdraw", "employee", headers=ZH,
                     **own)
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "该申请已经处理过了。"
    balance = api.ok("POST", "/api/v1/leave-requests/preview", "employee", **own, json={
        "leave_type": "annual", "start": "2025-10-07", "end": "2025-10-07"})["balance"]
    assert (balance["pending_days"], balance["remaining_days"]) == (0, 1)
