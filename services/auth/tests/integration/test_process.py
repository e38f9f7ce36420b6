"""`python -m auth_svc` migrates, creates the dev admin, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from faceclock_dev.testing import free_port, wait_for_port


@pytest.mark.slow
def test_module_entry_point_serves_and_stops(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "FACECLOCK_"))}
    env.update({
        "FACECLOCK_ENV": "development",
        "AUTH_PORT": str(port),
        "AUTH_DATABASE_URL": database_url,
        "AUTH_KEYS_DIR": str(tmp_path / "keys"),
        "AUTH_BOOTSTRAP_ADMIN_USERNAME": "admin",
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": "admin12345",
        "AUTH_SERVICE_CLIENTS": '{"gateway": "gateway-secret-0123456789"}',
    })
    process = subprocess.Popen([sys.executable, "-m", "auth_svc"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process=process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while httpx.get(base + "/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(base + "/readyz").json() == {"status": "ready"}
        login = httpx.post(base + "/api/v1/auth/login",
                           json={"username": "admin", "password": "admin12345"})
        assert login.status_code == 200
        token = httpx.post(base + "/internal/service-token", json={
            "client_id": "gateway", "client_secret": "gateway-secret-0123456789"})
        assert token.status_code == 200
        assert len(list((tmp_path / "keys").glob("*.pem"))) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    # uvicorn re-raises the SIGTERM it handled, after a graceful shutdown.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert '"level": "INFO"' in output  # JSON logs


def test_production_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "FACECLOCK_"))}
    env.update({
        "FACECLOCK_ENV": "production",
        "AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}",
        "AUTH_KEYS_DIR": str(tmp_path / "keys"),
        "AUTH_SMTP_HOST": "smtp.example.com",
        "AUTH_PORT": str(free_port()),
    })
    result = subprocess.run([sys.executable, "-m", "auth_svc"], env=env, cwd=tmp_path,
                            capture_output=True, timeout=60, check=False)
    assert result.returncode != 0
    assert b"NoSigningKey" in result.stderr + result.stdout


def test_rotate_keys_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "FACECLOCK_"))}
    env.update({"FACECLOCK_ENV": "production", "AUTH_KEYS_DIR": str(tmp_path / "keys")})
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "auth_svc", "rotate-keys"], env=env, cwd=tmp_path,
                       check=True, capture_output=True, timeout=60)
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 2  # previous kept for the grace
    subprocess.run([sys.executable, "-m", "auth_svc", "rotate-keys", "--revoke-previous"],
                   env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 1
