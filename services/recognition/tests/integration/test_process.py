"""`python -m recognition_svc` as a real process: migrates, serves, drains on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from faceclock_dev.testing import free_port

from ..conftest import TEST_KEY


@pytest.mark.slow
def test_module_migrates_serves_and_stops_on_sigterm(tmp_path, token_mint) -> None:
    port = free_port()
    env = {**os.environ, "RECOGNITION_PORT": str(port), "RECOGNITION_METRICS_PORT": "0",
           "RECOGNITION_DATABASE_URL": f"sqlite:///{tmp_path / 'rec.db'}",
           "RECOGNITION_ENCRYPTION_KEY": TEST_KEY, "FACECLOCK_JWKS_URL": token_mint.jwks_url,
           "FACECLOCK_ENV": "test"}
    env.pop("FACECLOCK_REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "recognition_svc"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            # Two worker processes load their models first: generous on a shared machine.
            deadline = time.monotonic() + 180
            status = None
            while time.monotonic() < deadline:
                try:
                    status = health.Check(health_pb2.HealthCheckRequest(
                        service="faceclock.recognition.v1.Recognition"), timeout=1).status
                    if status == health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.RpcError:
                    pass
                time.sleep(0.1)
            assert status == health_pb2.HealthCheckResponse.SERVING
        assert (tmp_path / "rec.db").exists()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert any(line["message"] == "recognition serving" for line in lines)
    assert all(line["service"] == "recognition" for line in lines)


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(line) for line in found.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_worker_processes_exit_when_the_server_is_killed(start_process) -> None:
    """kill -9 of the server (what a supervisor restart or the OOM killer does) must not leave
    its encoding workers behind, each holding its models."""
    process, _ = start_process(RECOGNITION_ENCODE_PROCESSES="2")
    workers = _children(process.pid)
    assert len(workers) >= 2
    process.kill()
    process.wait(10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leak them from the test run either
        os.kill(pid, signal.SIGKILL)
    assert left == []
