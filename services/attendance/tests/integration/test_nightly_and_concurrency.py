from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from attendance_svc.results.service import mark_absences
from faceclock_common.db import make_engine, make_session_factory
from faceclock_dev.testing import TokenMint, free_port, wait_for_port


def test_nightly_job_marks_finished_days_once(api: Any, database_url: str) -> None:
    present = api.employee("J1", timezone="UTC")
    gone = api.employee("J2", timezone="UTC", status="left")
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    wednesday_noon = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    try:
        stored = mark_absences(factory, lookback_days=3, default_timezone="UTC",
                               now=wednesday_noon)
        # Sunday (rest day), Monday, Tuesday are over; Wednesday is not; the leaver is skipped.
        assert stored == 3
        assert mark_absences(factory, lookback_days=3, default_timezone="UTC",
                             now=wednesday_noon) == 0
    finally:
        engine.dispose()

    def day(date: str, employee_id: int) -> dict[str, Any]:
        page = api.ok("GET", f"/api/v1/attendance/daily?date={date}&employee_id={employee_id}",
                      "hr")
        return dict(page["items"][0])

    monday = day("2026-03-02", present["id"])
    assert monday["status"] == "absent" and monday["final"] is True
    assert "no punch in the window" in monday["explanation"]
    assert day("2026-03-01", present["id"])["status"] == "holiday"
    # A punch synced later for that Monday recomputes the stored result.
    for hhmm in ("07:58", "12:01", "13:59", "18:00"):
        api.ok("POST", "/api/v1/punches", "hr", status=201,
               json={"employee_id": present["id"], "at": f"2026-03-02T{hhmm}:00+00:00"})
    assert day("2026-03-02", present["id"])["status"] == "present"
    # Nothing was stored for the leaver; judged on the fly they were absent.
    assert day("2026-03-02", gone["id"])["status"] == "absent"


def test_daily_and_monthly_respect_object_scope(api: Any) -> None:
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "S", "name": "S"})
    mine = api.employee("K1", department_id=dept["id"])
    api.employee("K2", department_id=dept["id"])
    api.employee("K3")
    own = {"token_claims": {"employee_id": mine["id"]}}
    page = api.ok("GET", "/api/v1/attendance/monthly?month=2026-02", "employee", **own)
    assert [r["employee_id"] for r in page["items"]] == [mine["id"]]
    boss = {"token_claims": {"department_id": dept["id"]}}
    assert api.ok("GET", "/api/v1/attendance/daily?date=2026-02-02", "manager", **boss
                  )["total"] == 2
    assert api.get("/api/v1/attendance/daily?date=2026-02-02", "kiosk").status_code == 403
    assert api.get("/api/v1/attendance/monthly?month=2026-13", "hr").status_code == 422
    assert api.get("/api/v1/attendance/monthly", "hr").status_code == 422
    assert api.get("/api/v1/attendance/daily?from=2026-01-01&to=2026-06-01",
                   "hr").status_code == 422


@pytest.fixture
def served(database_url: str, tmp_path: Path, token_mint: TokenMint) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ATTENDANCE_PORT": str(port), "ATTENDANCE_DATABASE_URL": database_url,
           "FACECLOCK_JWKS_URL": token_mint.jwks_url, "FACECLOCK_ENV": "test"}
    process = subprocess.Popen([sys.executable, "-m", "attendance_svc"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.slow
def test_concurrent_retries_store_one_punch(served: str, token_mint: TokenMint) -> None:
    """Eight simultaneous retries of one clock-in (same key, same actor): one punch, one answer."""
    employee = httpx.post(f"{served}/api/v1/employees", headers=token_mint.headers("hr"),
                          json={"employee_no": "C-1", "name": "Racer"}).json()
    headers = token_mint.headers("service", sub="service:gateway")
    body = {"employee_id": employee["id"], "actor": "kiosk:1", "idempotency_key": "same"}

    def clock(_: int) -> httpx.Response:
        return httpx.post(f"{served}/internal/clock-ins", headers=headers, json=body, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(clock, range(8)))
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["punch_id"] for a in answers}) == 1
    log = httpx.get(f"{served}/api/v1/punches?employee_id={employee['id']}",
                    headers=token_mint.headers("hr")).json()
    assert log["total"] == 1


@pytest.mark.slow
def test_simultaneous_clock_ins_without_key_store_one_punch(served: str,
                                                            token_mint: TokenMint) -> None:
    """Two kiosks seeing the same person at the same moment: one punch, the other a duplicate."""
    employee = httpx.post(f"{served}/api/v1/employees", headers=token_mint.headers("hr"),
                          json={"employee_no": "C-2", "name": "Twin"}).json()
    headers = token_mint.headers("service", sub="service:gateway")

    def clock(index: int) -> httpx.Response:
        return httpx.post(f"{served}/internal/clock-ins", headers=headers, timeout=60,
                          json={"employee_id": employee["id"], "actor": f"kiosk:{index}"})

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(clock, range(6)))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["punch_id"] for a in answers}) == 1


def test_other_peoples_records_are_404_everywhere(api: Any) -> None:
    me = api.employee("V1")
    other = api.employee("V2")
    own = {"token_claims": {"employee_id": me["id"]}}
    for path in ("/api/v1/punches", "/api/v1/leave-requests", "/api/v1/overtime",
                 "/api/v1/corrections", "/api/v1/shift-assignments", "/api/v1/leave-balances",
                 "/api/v1/attendance/daily", "/api/v1/attendance/monthly?month=2026-01&x=1"):
        joiner = "&" if "?" in path else "?"
        theirs = api.get(f"{path}{joiner}employee_id={other['id']}", "employee", **own)
        assert theirs.status_code == 404, path
        mine = api.get(f"{path}{joiner}employee_id={me['id']}", "employee", **own)
        assert mine.status_code == 200, path


def test_recompute_in_processes_matches_one_process(api: Any, database_url: str) -> None:
    from attendance_svc.results.parallel import recompute_in_processes

    ids = [api.employee(f"P{n}", timezone="UTC")["id"] for n in range(3)]
    api.ok("POST", "/api/v1/punches", "hr", status=201,
           json={"employee_id": ids[0], "at": "2026-02-02T08:00:00Z"})
    one = recompute_in_processes(database_url, employee_ids=ids, start=datetime(2026, 2, 1).date(),
                                 end=datetime(2026, 2, 7).date(), default_timezone="UTC",
                                 workers=1, chunk=2)
    two = recompute_in_processes(database_url, employee_ids=ids, start=datetime(2026, 2, 1).date(),
                                 end=datetime(2026, 2, 7).date(), default_timezone="UTC",
                                 workers=2, chunk=2)
    assert one == two == 21
    day = api.ok("GET", f"/api/v1/attendance/daily?date=2026-02-02&employee_id={ids[0]}",
                 "hr")["items"][0]
    # A lone check-in on the default first_last shift: present, with its check-out missing.
    assert day["final"] is True and day["status"] == "present" and day["missing_checkouts"] == 1


@pytest.mark.slow
def test_simultaneous_decisions_on_one_request_apply_it_once(served: str,
                                                              token_mint: TokenMint) -> None:
    """A double click, or two approvers at once: one approval, one correction punch; the others
    hear 409, and a withdrawal racing them cannot leave a withdrawn correction whose punch counts."""
    employee = httpx.post(f"{served}/api/v1/employees", headers=token_mint.headers("hr"),
                          json={"employee_no": "C-3", "name": "Forgetful"}).json()
    own = token_mint.headers("employee", employee_id=employee["id"], sub="forgetful")
    correction = httpx.post(f"{served}/api/v1/corrections", headers=own, json={
        "at": "2026-03-02T08:00:00Z", "kind": "in", "reason": "forgot"}).json()

    def act(index: int) -> httpx.Response:
        if index == 7:
            return httpx.post(f"{served}/api/v1/corrections/{correction['id']}/withdraw",
                              headers=own, timeout=60)
        return httpx.post(f"{served}/api/v1/corrections/{correction['id']}/approve",
                          headers=token_mint.headers("hr", sub=f"hr-{index}"), timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(act, range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7, [a.text for a in answers]
    final = httpx.get(f"{served}/api/v1/corrections/{correction['id']}",
                      headers=token_mint.headers("hr")).json()
    punches = httpx.get(f"{served}/api/v1/punches?employee_id={employee['id']}",
                        headers=token_mint.headers("hr")).json()
    assert punches["total"] == (1 if final["status"] == "approved" else 0)
    assert final["status"] in ("approved", "withdrawn")


@pytest.mark.slow
def test_leave_filed_twice_at_once_is_stored_once(served: str, token_mint: TokenMint) -> None:
    employee = httpx.post(f"{served}/api/v1/employees", headers=token_mint.headers("hr"),
                          json={"employee_no": "C-4", "name": "Eager"}).json()
    own = token_mint.headers("employee", employee_id=employee["id"], sub="eager")

    def file(_: int) -> httpx.Response:
        return httpx.post(f"{served}/api/v1/leave-requests", headers=own, timeout=60, json={
            "kind": "business_trip", "start": "2026-03-03", "end": "2026-03-04"})

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(file, range(6)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5, [a.text for a in answers]
    listed = httpx.get(f"{served}/api/v1/leave-requests?employee_id={employee['id']}",
                       headers=token_mint.headers("hr")).json()
    assert listed["total"] == 1


def test_a_correction_cannot_be_moved_into_the_future(api: Any) -> None:
    worker = api.employee("C5")["id"]
    own = {"token_claims": {"employee_id": worker, "sub": "c5"}}
    filed = api.ok("POST", "/api/v1/corrections", "employee", status=201, **own,
                   json={"at": "2026-03-02T08:00:00Z", "kind": "in", "reason": "forgot"})
    moved = api.patch(f"/api/v1/corrections/{filed['id']}", "employee", **own,
                        json={"at": "2199-01-01T08:00:00Z"})
    assert moved.status_code == 422, moved.text
    assert "future" in moved.json()["error"]["message"]
    assert api.ok("GET", f"/api/v1/corrections/{filed['id']}", "hr")["at"].startswith("2026-03-02")
