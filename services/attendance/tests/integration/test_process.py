"""`python -m attendance_svc` as a real process: it migrates, serves, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from faceclock_dev.testing import TokenMint, free_port, wait_for_port


@pytest.fixture
def served(tmp_path: Path, token_mint: TokenMint) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ATTENDANCE_PORT": str(port),
           "ATTENDANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'attendance.db'}",
           "FACECLOCK_JWKS_URL": token_mint.jwks_url, "FACECLOCK_ENV": "test"}
    process = subprocess.Popen([sys.executable, "-m", "attendance_svc"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert process.returncode in (0, -signal.SIGTERM)
        assert b"Shutting down" in output


def test_process_migrates_serves_and_clocks_in(served: str, token_mint: TokenMint) -> None:
    assert httpx.get(f"{served}/readyz").json() == {"status": "ready"}
    hr = token_mint.headers("hr")
    employee = httpx.post(f"{served}/api/v1/employees", headers=hr,
                          json={"employee_no": "P-1", "name": "Live"})
    assert employee.status_code == 201, employee.text
    service = token_mint.headers("service", sub="service:gateway")
    clock = httpx.post(f"{served}/internal/clock-ins", headers=service,
                       json={"employee_id": employee.json()["id"], "actor": "9"})
    assert clock.status_code == 201, clock.text
    assert clock.json()["name"] == "Live"
    # The default office shift exists from the first migration.
    openapi = httpx.get(f"{served}/api/v1/openapi.json").json()
    assert "/api/v1/employees" in openapi["paths"]
    assert "X-Request-ID".lower() in {k.lower() for k in clock.headers}


def test_mark_absent_command_runs(tmp_path: Path) -> None:
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    done = subprocess.run([sys.executable, "-m", "attendance_svc", "mark-absent"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "mark-absent done" in done.stdout


def test_recompute_command(tmp_path: Path) -> None:
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    bad = subprocess.run([sys.executable, "-m", "attendance_svc", "recompute"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--from and --to" in bad.stderr
    done = subprocess.run([sys.executable, "-m", "attendance_svc", "recompute", "--from",
                           "2026-01-01", "--to", "2026-01-31", "--workers", "2"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "recompute done" in done.stdout
