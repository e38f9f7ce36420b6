"""`python -m reporting_svc web`: migrations then gunicorn; and the attendance client's paging
and error mapping against the real HTTP peer; and the atomic file writer."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from faceclock_common.service_auth import ServiceTokenClient
from faceclock_dev.testing import TokenMint, free_port, wait_for_port
from reporting_svc.attendance import AttendanceClient, PeerError, PeerRefused
from reporting_svc.csvfile import atomic_csv

pytestmark = pytest.mark.slow


def test_web_command_migrates_and_serves_with_gunicorn(tmp_path: Path, peer: Any,
                                                       token_mint: TokenMint,
                                                       helpers: Any) -> None:
    port = free_port()
    env = helpers.reporting_env(tmp_path, peer=peer, mint=token_mint,
                                broker_url=helpers.embedded_broker(tmp_path),
                                REPORTING_PORT=str(port), REPORTING_WEB_WORKERS="1")
    process = helpers.start_process("web", env, tmp_path / "web.log")
    try:
        wait_for_port(port, process=process)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
        response = httpx.post(f"{base}/api/v1/reports", headers=token_mint.headers("hr"),
                              json={"kind": "roll_call", "params": {"roll_call_id": 5}},
                              timeout=10)
        assert response.status_code == 202
        assert response.json()["status"] == "queued"
        assert response.headers["X-Request-ID"]
        assert "gunicorn" in (tmp_path / "web.log").read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def _client(peer: Any, page_size: int = 10, url: str | None = None) -> AttendanceClient:
    tokens = ServiceTokenClient(peer.url, "reporting", "test-reporting-client-secret")
    return AttendanceClient(url or peer.url, tokens, timeout=5, page_size=page_size)


def test_attendance_client_pages_until_the_total(peer: Any) -> None:
    peer.monthly_count = 25
    with _client(peer) as client:
        pages = list(client.pages("/api/v1/attendance/monthly", {"month": "2026-10",
                                                                 "department_id": None}))
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert [q["offset"] for _, q in peer.requests] == ["0", "10", "20"]
    assert all("department_id" not in q for _, q in peer.requests)
    assert peer.tokens_issued == 1  # cached between pages
    peer.monthly_count = 20
    with _client(peer) as client:
        exact = list(client.pages("/api/v1/attendance/monthly", {"month": "2026-10"}))
    assert [len(p.items) for p in exact] == [10, 10]


def test_attendance_errors_are_mapped_to_retry_or_fail(peer: Any) -> None:
    with _client(peer) as client, pytest.raises(PeerRefused, match="404"):
        client.get_json("/internal/roll-calls/77")
    peer.fail_next = 1
    with _client(peer) as client, pytest.raises(PeerError, match="503"):
        client.get_json("/internal/roll-calls/77")
    with _client(peer, url=f"http://127.0.0.1:{free_port()}") as client, \
            pytest.raises(PeerError, match="unreachable"):
        client.get_json("/internal/roll-calls/1")


def test_atomic_csv_leaves_one_whole_file_or_none(tmp_path: Path) -> None:
    final = tmp_path / "reports" / "9.csv"
    final.parent.mkdir()
    (final.parent / ".9.csv.1.tmp").write_text("partial from a dead attempt")
    with atomic_csv(final, attempt=2) as out:
        out.header(["Name"])
        out.row(["张伟"])
        assert not final.exists()
    assert final.read_bytes() == '\ufeff"Name"\r\n"张伟"\r\n'.encode()
    assert sorted(p.name for p in final.parent.iterdir()) == ["9.csv"]
    with pytest.raises(RuntimeError), atomic_csv(tmp_path / "reports" / "10.csv", 1) as out:
        out.row(["half"])
        raise RuntimeError("worker code failed")
    assert sorted(p.name for p in final.parent.iterdir()) == ["9.csv"]
