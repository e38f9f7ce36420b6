"""Against the real attendance service (its own process, own database): the reports read its
actual answers — roll calls, punches, daily and monthly results — with a service token."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from faceclock_dev.testing import TokenMint, free_port, wait_for_port
from reporting_svc.__main__ import migrate
from reporting_svc.config import Settings
from reporting_svc.main import create_app

pytestmark = pytest.mark.slow


def test_reports_from_the_real_attendance_service(tmp_path: Path, peer: Any,
                                                  token_mint: TokenMint, helpers: Any,
                                                  start_worker: Any, apply_env: Any) -> None:
    port = free_port()
    attendance_env = {
        **os.environ, "FACECLOCK_ENV": "test", "FACECLOCK_JWKS_URL": token_mint.jwks_url,
        "FACECLOCK_LOG_LEVEL": "WARNING", "ATTENDANCE_PORT": str(port),
        "ATTENDANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'attendance.db'}",
    }
    with open(tmp_path / "attendance.log", "wb") as log:
        attendance = subprocess.Popen([sys.executable, "-m", "attendance_svc"], env=attendance_env,
                                      stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
    try:
        wait_for_port(port, process=attendance)
        _run_reports(f"http://127.0.0.1:{port}", tmp_path, peer, token_mint, helpers,
                     start_worker, apply_env)
    finally:
        os.killpg(attendance.pid, signal.SIGTERM)
        attendance.wait(timeout=30)


def _run_reports(attendance_url: str, tmp_path: Path, peer: Any, mint: TokenMint, helpers: Any,
                 start_worker: Any, apply_env: Any) -> None:
    hr = mint.headers("hr", sub="100")
    service = mint.headers("service", sub="service:gateway")
    with httpx.Client(base_url=attendance_url, timeout=30) as api:
        department = api.post("/api/v1/departments", headers=hr,
                              json={"code": "RD", "name": "研发部"})
        assert department.status_code == 201, department.text
        department_id = department.json()["id"]
        site = api.post("/api/v1/sites", headers=hr, json={"name": "Lab", "timezone": "UTC"})
        assert site.status_code == 201, site.text
        site_id = site.json()["id"]
        # Ann works at the lab; the others at no site in particular.
        people = [("E001", "张伟", None), ("E002", "=cmd|' /C calc'!A0", None),
                  ("E003", "Ann Doe", site_id)]
        ids = []
        for number, name, at_site in people:
            created = api.post("/api/v1/employees", headers=hr, json={
                "employee_no": number, "name": name, "department_id": department_id,
                "site_id": at_site})
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        roll = api.post("/internal/roll-calls", headers=service, json={
            "present_employee_ids": ids[:2], "unknown_faces": 1,
            "department_id": department_id, "actor": "kiosk:1"})
        assert roll.status_code == 201, roll.text
        for at in ("2026-11-02T08:00:00+00:00", "2026-11-02T17:59:00+00:00"):
            punch = api.post("/api/v1/punches", headers=hr,
                             json={"employee_id": ids[0], "at": at, "source": "import"})
            assert punch.status_code == 201, punch.text

    env = helpers.reporting_env(tmp_path, peer=peer, mint=mint,
                                broker_url=helpers.embedded_broker(tmp_path),
                                REPORTING_ATTENDANCE_URL=attendance_url)
    apply_env(env)
    settings = Settings()
    migrate(settings)
    app = create_app(settings)
    client = app.test_client()
    start_worker(env)

    def report(kind: str, params: dict[str, Any], language: str = "en") -> list[list[str]]:
        response = client.post("/api/v1/reports", headers={**hr, "Accept-Language": language},
                               json={"kind": kind, "params": params})
        assert response.status_code == 202, response.get_json()
        report_id = response.get_json()["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = client.get(f"/api/v1/reports/{report_id}", headers=hr).get_json()
            if body["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert body["status"] == "done", body
        data = client.get(f"/api/v1/reports/{report_id}/download", headers=hr).data
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))

    roll_rows = report("roll_call", {"roll_call_id": roll.json()["id"]})
    assert [r[:4] for r in roll_rows[1:]] == [
        ["E001", "张伟", "研发部", "present"],
        ["E002", "'=cmd|' /C calc'!A0", "研发部", "present"],
        ["E003", "Ann Doe", "研发部", "absent"],
    ]
    punch_rows = report("punches", {"from": "2026-11-01", "to": "2026-11-30"})
    # Local times (the report's zone, UTC here) to the second, as a spreadsheet shows them.
    assert [r[2:6] for r in punch_rows[1:]] == [
        ["E001", "张伟", "研发部", "2026-11-02 08:00:00"],
        ["E001", "张伟", "研发部", "2026-11-02 17:59:00"],
    ]
    daily_rows = report("daily", {"date": "2026-11-02", "department_id": department_id})
    assert sorted(r[1] for r in daily_rows[1:]) == ["E001", "E002", "E003"]
    assert {r[1]: r[3] for r in daily_rows[1:]}["E001"] == "研发部"
    # Asked in Chinese (issue 15): Chinese titles, status words and explanations, no English.
    chinese = report("daily", {"date": "2026-11-02", "department_id": department_id}, "zh-CN")
    assert chinese[0][:6] == ["员工ID", "工号", "姓名", "部门", "日期", "状态"]
    by_number = {r[1]: r for r in chinese[1:]}
    assert by_number["E001"][5] in ("出勤", "迟到", "早退", "迟到且早退", "半天")
    assert by_number["E003"][5] == "缺勤" and "no punch" not in by_number["E003"][-1]
    assert "缺勤" in by_number["E003"][-1]
    roll_zh = report("roll_call", {"roll_call_id": roll.json()["id"]}, "zh-CN")
    assert [r[3] for r in roll_zh[1:]] == ["出勤", "出勤", "缺勤"]
    monthly_rows = report("monthly", {"month": "2026-11"})
    assert sorted(r[1] for r in monthly_rows[1:]) == ["E001", "E002", "E003"]
    # Narrowed to one site: its people only, in every kind that takes a site.
    at_lab = {"site_id": site_id}
    assert [r[1] for r in report("daily", {"date": "2026-11-02", **at_lab})[1:]] == ["E003"]
    assert [r[1] for r in report("monthly", {"month": "2026-11", **at_lab})[1:]] == ["E003"]
    assert report("punches", {"from": "2026-11-01", "to": "2026-11-30", **at_lab})[1:] == []
    app.extensions["reporting"].engine.dispose()
