"""A database or Redis outage is a 503 with Retry-After, never a 500, and whatever does not need
the failed part keeps working (issue 17 item 5).

The stack keeps attendance's and reporting's databases on a MariaDB server of this test's own
and uses a Redis server of its own; the test kills them with SIGKILL (the shared servers on
3306/6379 are never touched). Auth and recognition keep their SQLite files: sign-in and the
gateway's revocation check (which asks auth) must go on working while the others' database is
down.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack
from faceclock_dev.testing import PrivateServer, private_mariadb, private_redis

from .conftest import Api, photo

SIGN_IN_BUDGET = 8  # per address and minute, small so that the test can reach it


@dataclass
class OutageStack:
    processes: StackProcesses
    mariadb: PrivateServer
    redis: PrivateServer


@pytest.fixture(scope="module")
def outage_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutageStack]:
    work = tmp_path_factory.mktemp("outages")
    redis_server = private_redis(work)
    mariadb = private_mariadb(work)
    try:
        redis = next(redis_server)
        database = next(mariadb)
        server_url = f"mysql+pymysql://root@127.0.0.1:{database.port}"
        engine = sa.create_engine(server_url)
        with engine.connect() as conn:
            for name in ("fc_attendance", "fc_reporting"):
                conn.execute(sa.text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
        engine.dispose()
        definition = Stack(
            var_dir=work / "var", ports=free_ports(),
            redis_url=f"redis://127.0.0.1:{redis.port}/0",
            extra_env={"GATEWAY_AUTH_RATE_PER_MINUTE": str(SIGN_IN_BUDGET),
                       "ATTENDANCE_DATABASE_URL": f"{server_url}/fc_attendance?charset=utf8mb4",
                       "REPORTING_DATABASE_URL": f"{server_url}/fc_reporting?charset=utf8mb4"})
        with running_stack(definition, work / "logs", timeout=300) as processes:
            yield OutageStack(processes, database, redis)
    finally:
        redis_server.close()
        mariadb.close()


def _assert_unavailable(reply: httpx.Response, code: str) -> None:
    assert reply.status_code == 503, (reply.request.url, reply.status_code, reply.text)
    assert reply.json()["error"]["code"] == code, reply.text
    assert int(reply.headers["Retry-After"]) >= 1


def _enrolled(admin: Api, faces_dir: Path, name: str, sample: str) -> int:
    created = admin.client.post("/api/v1/employees", headers=admin.headers(), json={
        "employee_no": f"O-{uuid.uuid4().hex[:8]}", "name": name})
    assert created.status_code == 201, created.text
    employee = int(created.json()["id"])
    enrolled = admin.client.post(f"/api/v1/employees/{employee}/faces", headers=admin.headers(),
                                 files={"image": photo(faces_dir, sample)})
    assert enrolled.status_code == 201, enrolled.text
    return employee


def test_database_down_is_503_and_the_rest_keeps_answering(outage_stack: OutageStack,
                                                          faces_dir: Path) -> None:
    base_url = outage_stack.processes.base_url
    with httpx.Client(base_url=base_url, timeout=30) as client:
        admin = Api(client)
        admin.login("admin", "admin12345")
        obama = _enrolled(admin, faces_dir, "Barack Obama", "people/obama/obama_1.jpg")

        outage_stack.mariadb.kill()
        started = time.monotonic()
        _assert_unavailable(client.get("/api/v1/employees", headers=admin.headers()),
                            "database_unavailable")
        _assert_unavailable(client.post("/api/v1/reports", headers=admin.headers(), json={
            "kind": "daily", "params": {"date": "2026-01-05"}}), "database_unavailable")
        # Auth's database is fine: signing in and token checks go on.
        Api(client).login("admin", "admin12345")
        # The face is found (the index is in memory); only the punch cannot be written.
        identified = client.post("/api/v1/recognition/identify", headers=admin.headers(),
                                 files={"image": photo(faces_dir, "people/obama/obama_2.jpg")})
        assert identified.status_code == 200, identified.text
        assert identified.json()["faces"][0]["employee_id"] == obama
        _assert_unavailable(client.post(
            "/api/v1/clock-ins", headers=admin.headers(), data={"employee_id": str(obama)},
            files={"image": photo(faces_dir, "people/obama/obama_2.jpg")}), "database_unavailable")
        assert client.get("/").status_code == 200
        status = client.get("/api/v1/status")
        assert status.status_code == 503 and status.json()["status"] == "degraded"
        assert time.monotonic() - started < 20, "answers during the outage were not prompt"

        outage_stack.mariadb.start()
        deadline = time.monotonic() + 30
        while client.get("/api/v1/employees", headers=admin.headers()).status_code != 200:
            assert time.monotonic() < deadline, "the database came back but the API did not"
            time.sleep(0.5)
        clocked = client.post("/api/v1/clock-ins", headers=admin.headers(),
                              data={"employee_id": str(obama)},
                              files={"image": photo(faces_dir, "people/obama/obama_2.jpg")})
        assert clocked.status_code == 201, clocked.text


def test_redis_down_keeps_the_api_working_and_sign_ins_limited(outage_stack: OutageStack,
                                                               faces_dir: Path) -> None:
    base_url = outage_stack.processes.base_url
    with httpx.Client(base_url=base_url, timeout=30) as client:
        admin = Api(client)
        admin.login("admin", "admin12345")
        biden = _enrolled(admin, faces_dir, "Joe Biden", "people/biden/biden_1.jpg")

        outage_stack.redis.kill()
        # The general API budget fails open: lists, faces and clock-ins work.
        employees = client.get("/api/v1/employees", headers=admin.headers())
        assert employees.status_code == 200, employees.text
        clocked = client.post("/api/v1/clock-ins", headers=admin.headers(),
                              data={"employee_id": str(biden)},
                              files={"image": photo(faces_dir, "people/biden/biden_2.jpg")})
        assert clocked.status_code == 201, clocked.text
        assert clocked.json()["employee_id"] == biden
        # A report is accepted; its queue message is sent again once the broker is back.
        report = client.post("/api/v1/reports", headers=admin.headers(),
                             json={"kind": "daily", "params": {"date": "2026-01-05"}})
        assert report.status_code in (201, 202), report.text

        # Signing in works (auth counts failures in its database meanwhile) and stays limited:
        # the gateway counts the per-address sign-in budget in its own process.
        signed_in = Api(client)
        signed_in.login("admin", "admin12345")
        # (Unknown names, so auth's own per-account lockout is not what answers 429; twice the
        # budget, in case a minute window ends in between.)
        answers = []
        for _ in range(2 * SIGN_IN_BUDGET + 2):
            reply = client.post("/api/v1/auth/login", json={
                "username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "wrong password"})
            answers.append((reply.status_code, reply.json()["error"]["code"]))
            if reply.status_code == 429:
                break
        assert {status for status, _ in answers} <= {401, 429}, answers
        assert answers[-1] == (429, "rate_limited"), answers
