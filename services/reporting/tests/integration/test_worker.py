"""Reports made end to end by a real Celery worker process, on the embedded broker and on Redis,
from a real HTTP peer that serves the attendance contract."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faceclock_common.db import session_scope
from faceclock_dev.testing import TokenMint
from reporting_svc.__main__ import migrate
from reporting_svc.config import Settings
from reporting_svc.main import create_app
from reporting_svc.reports import service
from reporting_svc.reports.models import Report
from reporting_svc.reports.tasks import GENERATE, Outcome, generate_report

pytestmark = pytest.mark.slow

ROLL_CALL = {
    "id": 1, "at": "2026-11-21T09:30:05+08:00", "unknown_faces": 1, "actor": "1",
    "department_id": None,
    "present": [
        {"employee_id": 2, "name": "张伟", "employee_no": "E002", "department": "研发部"},
        {"employee_id": 1, "name": "=HYPERLINK(\"http://x\")", "employee_no": "E001",
         "department": "Sales, EMEA"},
    ],
    "absent": [{"employee_id": 3, "name": "Ann \"The\" Doe", "employee_no": "E003",
                "department": None}],
}


@dataclass
class Stack:
    app: Flask
    client: FlaskClient
    peer: Any
    files_dir: Path
    mint: TokenMint

    def request(self, kind: str, params: dict[str, Any], *roles: str) -> int:
        response = self.client.post("/api/v1/reports", json={"kind": kind, "params": params},
                                    headers=self.mint.headers(*(roles or ("hr",))))
        assert response.status_code == 202, response.get_json()
        report_id: int = response.get_json()["id"]
        return report_id

    def wait(self, report_id: int, timeout: float = 60) -> dict[str, Any]:
        headers = self.mint.headers("admin")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body: dict[str, Any] = self.client.get(f"/api/v1/reports/{report_id}",
                                                   headers=headers).get_json()
            if body["status"] in ("done", "failed"):
                return body
            time.sleep(0.1)
        raise AssertionError(f"report {report_id} not finished after {timeout}s: {body}")

    def download(self, report_id: int) -> tuple[str, list[list[str]], bytes]:
        response = self.client.get(f"/api/v1/reports/{report_id}/download",
                                   headers=self.mint.headers("admin"))
        assert response.status_code == 200, response.get_json()
        raw = response.data
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        return response.headers["Content-Disposition"], rows, raw


# The local run (SQLite + embedded broker) and production's pair (MariaDB + Redis).
@pytest.fixture(scope="module", params=["sqlite-embedded", "mariadb-redis"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          module_peer: Any, token_mint: TokenMint, helpers: Any) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp(f"stack-{request.param}")
    broker = (helpers.embedded_broker(base) if request.param == "sqlite-embedded"
              else request.getfixturevalue("module_redis_url"))
    module_peer.roll_calls[1] = ROLL_CALL
    module_peer.monthly_count = 250
    module_peer.departments = [{"id": 1, "code": "S", "name": "Sales"},
                               {"id": 2, "code": "R", "name": "R&D"}]
    module_peer.daily = [
        {"employee_id": i, "employee_no": f"E{i:03d}", "name": f"P{i}", "department": "Ops",
         "date": "2026-11-20", "status": "late" if i % 2 else "present", "final": True,
         "scheduled_minutes": 480, "late_minutes": 7 if i % 2 else 0, "early_leave_minutes": 0,
         "worked_minutes": 473, "overtime_minutes": 0, "leave_minutes": 0,
         "leave_by_type": {"annual": 0}, "business_trip_minutes": 0, "missing_checkouts": 0,
         "explanation": "late: first in 08:07", "department_id": 3, "shift_id": 1,
         "periods": [], "timezone": "Asia/Shanghai"}
        for i in range(1, 131)
    ]
    # Punch rows name the employee and department (employee 7 has left: no number, name or
    # department any more).
    module_peer.punches = [
        {"id": i, "employee_id": 1 + i % 7, "at": f"2026-11-0{1 + i % 9}T08:0{i % 10}:00+08:00",
         "kind": "in", "source": "device", "device_id": "-kiosk" if i == 3 else "k1",
         "status": None, "correction_id": None, "approved_by": None, "created_by": "kiosk:1",
         "created_at": "2026-11-01T08:00:00+08:00",
         **({"employee_no": "", "name": "", "department": None} if 1 + i % 7 == 7 else
            {"employee_no": f"E{1 + i % 7:03d}", "name": f"Person {1 + i % 7}",
             "department": "R&D"})}
        for i in range(1, 121)
    ]
    database = (None if request.param == "sqlite-embedded"
                else request.getfixturevalue("module_mysql_url"))
    env = helpers.reporting_env(base, peer=module_peer, mint=token_mint, broker_url=broker,
                                database_url=database, REPORTING_TIMEZONE="Asia/Shanghai")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        settings = Settings()
    migrate(settings)
    app = create_app(settings)
    worker = helpers.Worker(helpers.start_process("worker", env, base / "worker.log"),
                            base / "worker.log")
    yield Stack(app=app, client=app.test_client(), peer=module_peer,
                files_dir=settings.files_dir, mint=token_mint)
    worker.stop()
    app.extensions["reporting"].engine.dispose()


def test_roll_call_report_end_to_end(stack: Stack) -> None:
    report_id = stack.request("roll_call", {"roll_call_id": 1}, "kiosk")
    body = stack.wait(report_id)
    assert body["status"] == "done", body
    assert body["file_name"] == "RollCall_2026-11-21_09-30-05.csv"
    assert body["progress"] == 1 and body["rows"] == 3
    disposition, rows, raw = stack.download(report_id)
    assert disposition == "attachment; filename=RollCall_2026-11-21_09-30-05.csv"
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    assert b"\r\n" in raw
    assert rows == [
        ["Employee No", "Name", "Department", "Status", "Time"],
        ["E001", "'=HYPERLINK(\"http://x\")", "Sales, EMEA", "present", "2026-11-21 09:30:05"],
        ["E002", "张伟", "研发部", "present", "2026-11-21 09:30:05"],
        ["E003", 'Ann "The" Doe', "", "absent", ""],
    ]
    assert b'"Ann ""The"" Doe"' in raw and b'"Sales, EMEA"' in raw  # RFC 4180 quoting


def test_monthly_report_is_fetched_page_by_page(stack: Stack) -> None:
    before = len(stack.peer.requests)
    report_id = stack.request("monthly", {"month": "2026-10", "department_id": 1})
    body = stack.wait(report_id)
    assert body["status"] == "done", body
    assert body["file_name"] == "Monthly_2026-10_dept1.csv"
    _, rows, _ = stack.download(report_id)
    assert len(rows) == 251
    assert rows[0][:4] == ["Employee ID", "Employee No", "Name", "Department"]
    assert [r[1] for r in rows[1:]] == [f"E{i:05d}" for i in range(1, 251)]
    assert rows[0][4:13] == ["Month", "Days present", "Days absent", "Half days", "Late count",
                             "Early leave count", "Leave days", "Leave hours",
                             "Leave hours by type"]
    assert rows[1][4:13] == ["2026-10", "20.0", "0.0", "0", "0", "0", "1", "8.0",
                             "annual: 8.0; sick: 0.0"]
    assert rows[1][3] == "Dept 1" and rows[1][-1] == "22"
    pages = [q for path, q in stack.peer.requests[before:] if path == "/api/v1/attendance/monthly"]
    assert [(q["offset"], q["limit"]) for q in pages] == [("0", "100"), ("100", "100"),
                                                          ("200", "100")]
    assert all(q == {**q, "month": "2026-10", "department_id": "1"} for q in pages)


def test_daily_and_punches_reports(stack: Stack) -> None:
    daily_id = stack.request("daily", {"date": "2026-11-20"})
    punches_id = stack.request("punches", {"from": "2026-11-01", "to": "2026-11-09"})
    assert stack.wait(daily_id)["file_name"] == "Daily_2026-11-20.csv"
    assert stack.wait(punches_id)["file_name"] == "Punches_2026-11-01_2026-11-09.csv"
    _, daily_rows, _ = stack.download(daily_id)
    assert len(daily_rows) == 131
    assert daily_rows[1] == ["1", "E001", "P1", "Ops", "2026-11-20", "late", "yes", "480", "7",
                             "0", "473", "0", "0", "annual: 0", "0", "0", "late: first in 08:07"]
    _, punch_rows, _ = stack.download(punches_id)
    assert len(punch_rows) == 121
    assert punch_rows[3][8] == "'-kiosk"  # a cell starting with - is escaped too
    # Punch rows carry the employee's number, name and department (7's are blank).
    # Times are the site's local time to the second, as a spreadsheet reads them.
    assert punch_rows[1][:6] == ["1", "2", "E002", "Person 2", "R&D", "2026-11-02 08:01:00"]
    assert next(r[2:5] for r in punch_rows[1:] if r[1] == "7") == ["", "", ""]
    punch_query = next(q for path, q in stack.peer.requests if path == "/api/v1/punches")
    assert (punch_query["from"], punch_query["to"]) == ("2026-11-01T00:00:00+08:00",
                                                        "2026-11-10T00:00:00+08:00")


def test_a_refusal_of_the_peer_fails_the_report_with_the_reason(stack: Stack) -> None:
    report_id = stack.request("roll_call", {"roll_call_id": 404}, "hr")
    body = stack.wait(report_id)
    assert body["status"] == "failed"
    assert "404" in body["error"] and "No such roll call." in body["error"]
    conflict = stack.client.get(f"/api/v1/reports/{report_id}/download",
                                headers=stack.mint.headers("admin"))
    assert conflict.status_code == 409
    assert not service.file_path(stack.files_dir, report_id).exists()


def test_a_manager_gets_no_roll_call_of_another_department(stack: Stack) -> None:
    response = stack.client.post(
        "/api/v1/reports", json={"kind": "roll_call", "params": {"roll_call_id": 1}},
        headers=stack.mint.headers("manager", sub="77", department_id=5))
    assert response.status_code == 202
    body = stack.wait(response.get_json()["id"])
    assert body["status"] == "failed"
    assert body["error"] == "roll call 1 is not a roll call of department 5"


def test_a_passing_peer_failure_is_retried(stack: Stack) -> None:
    stack.peer.fail_next = 1
    report_id = stack.request("roll_call", {"roll_call_id": 1}, "hr")
    body = stack.wait(report_id)
    assert body["status"] == "done", body
    assert body["attempts"] == 2
    assert stack.peer.fail_next == 0


def test_a_refused_token_is_replaced_on_retry(stack: Stack) -> None:
    issued = stack.peer.tokens_issued
    stack.peer.unauthorized_next = 1
    report_id = stack.request("roll_call", {"roll_call_id": 1}, "hr")
    body = stack.wait(report_id)
    assert body["status"] == "done" and body["attempts"] == 2
    assert stack.peer.tokens_issued == issued + 2


def test_duplicate_deliveries_make_one_attempt_and_one_file(stack: Stack) -> None:
    report_id = stack.request("monthly", {"month": "2026-09"})
    celery = stack.app.extensions["celery"]
    for _ in range(2):
        celery.send_task(GENERATE, args=[report_id])
    body = stack.wait(report_id)
    assert body["status"] == "done" and body["attempts"] == 1
    path = service.file_path(stack.files_dir, report_id)
    stamp = path.stat().st_mtime_ns
    runtime = stack.app.extensions["reporting"]
    assert generate_report(runtime, report_id) is Outcome.SKIPPED
    assert path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in stack.files_dir.glob(f"*{report_id}*")) == [f"{report_id}.csv"]


def test_scheduled_monthly_summaries_cover_every_department_once(stack: Stack) -> None:
    celery = stack.app.extensions["celery"]
    runtime = stack.app.extensions["reporting"]

    def scheduled() -> list[Report]:
        with session_scope(runtime.sessions) as session:
            return list(session.query(Report).filter(Report.owner_subject == "system:scheduler"))

    celery.send_task("reporting.monthly_summaries", kwargs={"month": "2026-08"})
    deadline = time.monotonic() + 60
    while len(scheduled()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    reports = scheduled()
    assert sorted(r.params["department_id"] for r in reports) == [1, 2]
    for report in reports:
        department = report.params["department_id"]
        assert stack.wait(report.id)["file_name"] == f"Monthly_2026-08_dept{department}.csv"
    celery.send_task("reporting.monthly_summaries", kwargs={"month": "2026-08"})
    time.sleep(3)
    assert len(scheduled()) == 2
