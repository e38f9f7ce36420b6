"""The gateway served by several worker processes (issue 18): the rate budgets hold across them
(exactly with Redis, never more than the budget in memory), and workers stop with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from faceclock_dev.testing import free_port

DOWN = "http://127.0.0.1:9"
BUDGET = 4


def _fresh_window(needed_seconds: float = 20.0) -> None:
    """Budgets are counted in one-minute windows: start where the whole test fits in one."""
    left = 60 - time.time() % 60
    if left < needed_seconds:
        time.sleep(left + 0.1)


@contextmanager
def gateway(tmp_path: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    log = open(tmp_path / "gateway.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway_svc"], stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "GATEWAY_PORT": str(port), "GATEWAY_WORKERS": "2",
             "GATEWAY_AUTH_URL": DOWN, "GATEWAY_ATTENDANCE_URL": DOWN,
             "GATEWAY_REPORTING_URL": DOWN, "GATEWAY_RECOGNITION_TARGETS": "127.0.0.1:9",
             "GATEWAY_AUTH_RATE_PER_MINUTE": str(BUDGET), "FACECLOCK_JWKS_URL": DOWN,
             "GATEWAY_WEB_DIR": str(tmp_path), **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (tmp_path / "gateway.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "gateway.log").read_text()
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        log.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _sign_ins(base: str, count: int) -> list[int]:
    """Each on a new connection, so the kernel spreads them over the worker processes."""
    statuses = []
    for _ in range(count):
        with httpx.Client(base_url=base, timeout=10) as client:
            statuses.append(client.post("/api/v1/auth/login", json={}).status_code)
    return statuses


def test_with_redis_the_sign_in_budget_is_exact_across_workers(tmp_path: Path,
                                                                 redis_url: str) -> None:
    _fresh_window()
    with gateway(tmp_path, FACECLOCK_REDIS_URL=redis_url) as (base, process):
        assert len(_children(process.pid)) >= 2  # the parent and its workers
        statuses = _sign_ins(base, 12)
    # auth is down: an allowed sign-in is its 503; the budget's end is a 429
    assert statuses == [503] * BUDGET + [429] * (12 - BUDGET), statuses


def test_in_memory_the_workers_together_never_exceed_the_budget(tmp_path: Path) -> None:
    _fresh_window()
    with gateway(tmp_path) as (base, _):
        statuses = _sign_ins(base, 12)
    allowed = statuses.count(503)
    assert set(statuses) == {503, 429} and 1 <= allowed <= BUDGET, statuses


def test_workers_stop_when_their_parent_is_killed(tmp_path: Path) -> None:
    with gateway(tmp_path) as (base, process):
        workers = [pid for pid in _children(process.pid)]
        assert workers
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() and "zombie" not in
                  Path(f"/proc/{pid}/status").read_text(errors="replace") for pid in workers):
            assert time.monotonic() < deadline, "orphaned workers still running"
            time.sleep(0.2)
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            raise AssertionError("the port still answers after every process stopped")
        except httpx.ConnectError:
            pass
