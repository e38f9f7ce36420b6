"""Fixtures of the reporting tests: an attendance-like HTTP peer, settings, real Celery workers.

The peer is a real HTTP server on a free port serving the JSON of docs/contracts.md (roll calls,
paged daily/monthly/punch lists, departments) and auth's service-token endpoint. It checks the
bearer token of every attendance call, so a report that forgot the service token fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest

from faceclock_common.contracts import MonthlyRead, RollCallRead
from faceclock_dev.testing import (
    TokenMint,
    mysql_database,
    redis_database,
)

CLIENT_ID = "reporting"
CLIENT_SECRET = "test-reporting-client-secret"


def monthly_row(i: int, department_id: int = 1) -> dict[str, Any]:
    """A row as attendance's MonthlyRead (faceclock_common.contracts) sends it."""
    return MonthlyRead(
        employee_id=i + 1, employee_no=f"E{i + 1:05d}", name=f"Employee {i + 1}",
        department_id=department_id, department=f"Dept {department_id}", month="2026-10",
        days_present=20 - i % 3, days_absent=i % 3, half_days=0, late_count=i % 4,
        early_leave_count=i % 2, leave_days=1, leave_hours=8.0 + i % 5,
        leave_hours_by_type={"annual": 8.0, "sick": float(i % 5)},
        business_trip_days=0, holidays=1, overtime_hours=1.5, worked_hours=160.25,
        missing_checkouts=i % 2, days_counted=22,
    ).model_dump(mode="json")


@dataclass
class AttendancePeer:
    mint: TokenMint
    roll_calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    monthly_count: int = 0
    daily: list[dict[str, Any]] = field(default_factory=list)
    punches: list[dict[str, Any]] = field(default_factory=list)
    departments: list[dict[str, Any]] = field(default_factory=list)
    page_delay: float = 0.0
    fail_next: int = 0
    unauthorized_next: int = 0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    tokens_issued: int = 0
    url: str = ""

    def add_roll_call(self, roll_call_id: int, actor: str) -> None:
        """A stored roll call taken by `actor`, as attendance's RollCallRead sends it."""
        self.roll_calls[roll_call_id] = RollCallRead(
            id=roll_call_id, at=datetime(2026, 11, 21, 1, 30, tzinfo=UTC), department_id=None,
            actor=actor, present=[], absent=[], unknown_faces=0).model_dump(mode="json")

    def items_for(self, path: str, query: dict[str, str]) -> list[dict[str, Any]] | None:
        if path == "/api/v1/attendance/daily":
            return [d for d in self.daily if d["date"] == query.get("date")]
        if path == "/api/v1/punches":
            return self.punches
        if path == "/api/v1/departments":
            return self.departments
        return None


def _serve(peer: AttendancePeer) -> ThreadingHTTPServer:
    public_key = peer.mint.private_key.public_key()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # A worker killed mid-request is what some tests are about.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/internal/service-token":
                return self._send(404, {"error": {"code": "not_found", "message": "no"}})
            if body != {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}:
                return self._send(401, {"error": {"code": "unauthorized", "message": "bad"}})
            peer.tokens_issued += 1
            token = peer.mint.token("service", sub=f"service:{CLIENT_ID}", ttl=600)
            return self._send(200, {"access_token": token, "expires_in": 600})

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
            peer.requests.append((parsed.path, query))
            scheme, _, token = self.headers.get("Authorization", "").partition(" ")
            try:
                claims = jwt.decode(token, public_key, algorithms=["EdDSA"], audience="faceclock")
            except jwt.PyJWTError:
                return self._send(401, {"error": {"code": "unauthorized", "message": "token"}})
            if scheme != "Bearer" or "service" not in claims.get("roles", []):
                return self._send(403, {"error": {"code": "forbidden", "message": "role"}})
            if peer.unauthorized_next > 0:
                peer.unauthorized_next -= 1
                return self._send(401, {"error": {"code": "unauthorized", "message": "revoked"}})
            if peer.fail_next > 0:
                peer.fail_next -= 1
                return self._send(503, {"error": {"code": "unavailable", "message": "busy"}})
            if peer.page_delay:
                time.sleep(peer.page_delay)
            if parsed.path.startswith("/internal/roll-calls/"):
                roll_call = peer.roll_calls.get(int(parsed.path.rsplit("/", 1)[1]))
                if roll_call is None:
                    return self._send(404, {"error": {"code": "roll_call_not_found",
                                                      "message": "No such roll call."}})
                return self._send(200, roll_call)
            limit, offset = int(query.get("limit", "50")), int(query.get("offset", "0"))
            if parsed.path == "/api/v1/attendance/monthly":
                department = int(query.get("department_id", "1"))
                end = min(offset + limit, peer.monthly_count)
                items = [monthly_row(i, department) for i in range(offset, end)]
                return self._send(200, {"items": items, "total": peer.monthly_count})
            rows = peer.items_for(parsed.path, query)
            if rows is None:
                return self._send(404, {"error": {"code": "not_found", "message": "no route"}})
            return self._send(200, {"items": rows[offset:offset + limit], "total": len(rows)})

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    peer.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture
def peer(token_mint: TokenMint) -> Iterator[AttendancePeer]:
    attendance = AttendancePeer(mint=token_mint)
    server = _serve(attendance)
    yield attendance
    server.shutdown()


@pytest.fixture(scope="module")
def module_peer(token_mint: TokenMint) -> Iterator[AttendancePeer]:
    attendance = AttendancePeer(mint=token_mint)
    server = _serve(attendance)
    yield attendance
    server.shutdown()


@pytest.fixture(scope="module")
def module_redis_url() -> Iterator[str]:
    yield from redis_database()


@pytest.fixture(scope="module")
def module_mysql_url() -> Iterator[str]:
    """A fresh MariaDB database shared by one module's tests (one worker serves them all)."""
    yield from mysql_database("reporting")


def reporting_env(base: Path, *, peer: AttendancePeer, mint: TokenMint, broker_url: str,
                  database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The variables a reporting process gets (as stack.py sets them), for a test stack."""
    env = {
        "FACECLOCK_ENV": "test",
        "FACECLOCK_JWKS_URL": mint.jwks_url,
        "FACECLOCK_LOG_LEVEL": "WARNING",
        "REPORTING_DATABASE_URL": database_url or f"sqlite:///{base / 'reporting.db'}",
        "REPORTING_BROKER_URL": broker_url,
        "REPORTING_FILES_DIR": str(base / "reports"),
        "REPORTING_BEAT_SCHEDULE_FILE": str(base / "beat-schedule"),
        "REPORTING_AUTH_URL": peer.url,
        "REPORTING_ATTENDANCE_URL": peer.url,
        "REPORTING_CLIENT_ID": CLIENT_ID,
        "REPORTING_CLIENT_SECRET": CLIENT_SECRET,
        "REPORTING_BROKER_POLLING_INTERVAL": "0.1",
        "REPORTING_RETRY_DELAY_SECONDS": "0.2",
        "REPORTING_PAGE_SIZE": "100",
        "REPORTING_WORKER_BEAT": "false",
    }
    env.update(extra)
    return env


def embedded_broker(base: Path) -> str:
    return f"sqla+sqlite:///{base / 'celery-broker.db'}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no shutdown code runs anywhere."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            # Cold shutdown: the test is over, nothing in flight needs to finish.
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_process(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "reporting_svc", command], env={**os.environ, **env},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )


@pytest.fixture
def start_worker() -> Iterator[Callable[..., Worker]]:
    """Starts `python -m reporting_svc worker` processes; stops whatever is left at the end."""
    started: list[Worker] = []

    def start(env: dict[str, str], name: str = "worker") -> Worker:
        log = Path(env["REPORTING_FILES_DIR"]).parent / f"{name}.log"
        worker = Worker(start_process("worker", env, log), log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


@pytest.fixture
def make_env(tmp_path: Path, token_mint: TokenMint) -> Callable[..., dict[str, str]]:
    def make(peer: AttendancePeer, broker_url: str | None = None, **extra: str) -> dict[str, str]:
        return reporting_env(tmp_path, peer=peer, mint=token_mint,
                             broker_url=broker_url or embedded_broker(tmp_path), **extra)

    return make


@pytest.fixture
def apply_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], None]:
    def apply(env: dict[str, str]) -> None:
        for key, value in env.items():
            monkeypatch.setenv(key, value)

    return apply


@pytest.fixture(scope="session")
def helpers() -> Any:
    """Module-level helpers for the test files (importlib mode has no shared test package)."""
    import types

    return types.SimpleNamespace(
        wait_until=wait_until, reporting_env=reporting_env, embedded_broker=embedded_broker,
        monthly_row=monthly_row, start_process=start_process, Worker=Worker,
    )
