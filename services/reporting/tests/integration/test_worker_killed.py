"""SECURITY.md: killing a worker mid-report loses no report. The report still completes, once,
with exactly one file whose content is whole."""

from __future__ import annotations

import csv
import io
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from faceclock_common.db import session_scope
from faceclock_dev.testing import TokenMint
from reporting_svc.__main__ import migrate
from reporting_svc.config import Settings
from reporting_svc.main import create_app
from reporting_svc.reports import service
from reporting_svc.reports.models import Report

pytestmark = pytest.mark.slow

EMPLOYEES = 2000


def _process_writing(parent: int, suffix: str) -> int:
    """The pool process among the worker's children (beat is one too) that has the file open."""
    for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
        for fd in Path(f"/proc/{child}/fd").iterdir():
            try:
                if os.readlink(fd).endswith(suffix):
                    return int(child)
            except OSError:
                continue
    raise AssertionError("no child of the worker writes the report")


def _report(app: Any, report_id: int) -> Report:
    with session_scope(app.extensions["reporting"].sessions) as session:
        report = session.get(Report, report_id)
        assert report is not None
        session.expunge(report)
        return report


@pytest.mark.parametrize(("broker", "victim"), [
    ("embedded", "whole_worker"),
    ("redis", "whole_worker"),
    ("redis", "pool_process"),
])
def test_sigkill_mid_report_still_completes_with_one_right_file(
        broker: str, victim: str, request: pytest.FixtureRequest, tmp_path: Path, peer: Any,
        token_mint: TokenMint, helpers: Any, start_worker: Callable[..., Any],
        apply_env: Callable[[dict[str, str]], None]) -> None:
    broker_url = (helpers.embedded_broker(tmp_path) if broker == "embedded"
                  else request.getfixturevalue("redis_url"))
    peer.monthly_count = EMPLOYEES
    peer.page_delay = 0.15  # 20 pages of 100: the report runs for about 3 s
    env = helpers.reporting_env(
        tmp_path, peer=peer, mint=token_mint, broker_url=broker_url,
        REPORTING_WORKER_BEAT="true", REPORTING_SWEEP_INTERVAL_SECONDS="0.5",
        REPORTING_STALE_AFTER_SECONDS="2", REPORTING_FILES_DIR=str(tmp_path / "reports"))
    apply_env(env)
    settings = Settings()
    migrate(settings)
    app = create_app(settings)
    client = app.test_client()
    first = start_worker(env, "worker-a")

    response = client.post("/api/v1/reports", headers=token_mint.headers("hr"),
                           json={"kind": "monthly", "params": {"month": "2026-10"}})
    assert response.status_code == 202
    report_id = response.get_json()["id"]

    def well_under_way() -> bool:
        report = _report(app, report_id)
        return report.status == "running" and report.progress >= 0.2

    helpers.wait_until(well_under_way, timeout=60, what="the report to be under way")
    if victim == "whole_worker":
        first.kill()
    else:
        os.kill(_process_writing(first.process.pid, ".tmp"), signal.SIGKILL)
    killed_at = _report(app, report_id)
    assert killed_at.status == "running" and killed_at.attempts == 1
    assert killed_at.progress < 1.0
    leftovers = list(settings.files_dir.glob(".*.tmp"))
    assert leftovers, "the killed attempt should have left its partial temporary file"

    if victim == "whole_worker":
        start_worker(env, "worker-b")
    done = helpers.wait_until(lambda: _report(app, report_id).status in ("done", "failed")
                              and _report(app, report_id), timeout=90, what="the report")
    assert done.status == "done", done.error
    assert done.attempts == 2 and done.rows == EMPLOYEES
    assert sorted(p.name for p in settings.files_dir.iterdir()) == [f"{report_id}.csv"]

    raw = service.file_path(settings.files_dir, report_id).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "Employee ID"
    assert [r[1] for r in rows[1:]] == [f"E{i:05d}" for i in range(1, EMPLOYEES + 1)]
    download = client.get(f"/api/v1/reports/{report_id}/download",
                          headers=token_mint.headers("hr"))
    assert download.status_code == 200 and download.data == raw
    app.extensions["reporting"].engine.dispose()


def test_standalone_beat_sweeps_a_report_whose_worker_vanished(
        tmp_path: Path, peer: Any, token_mint: TokenMint, helpers: Any, redis_url: str,
        start_worker: Callable[..., Any], apply_env: Callable[[dict[str, str]], None]) -> None:
    """Production layout: workers without beat, one `python -m reporting_svc beat` process."""
    from datetime import timedelta

    from sqlalchemy import update

    from reporting_svc.db import utcnow

    peer.monthly_count = 30
    env = helpers.reporting_env(
        tmp_path, peer=peer, mint=token_mint, broker_url=redis_url,
        REPORTING_WORKER_BEAT="false", REPORTING_SWEEP_INTERVAL_SECONDS="0.5",
        REPORTING_STALE_AFTER_SECONDS="5")
    apply_env(env)
    settings = Settings()
    migrate(settings)
    app = create_app(settings)
    runtime = app.extensions["reporting"]
    with session_scope(runtime.sessions) as session:
        report_id = service.create_report(session, kind="monthly", params={"month": "2026-10"},
                                          owner_subject="1").id
        assert service.claim(session, report_id=report_id, stale_after=timedelta(0)) == 1
        # Its worker died long ago, and its message is gone: only the sweeper can save it.
        session.execute(update(Report).where(Report.id == report_id)
                        .values(heartbeat_at=utcnow() - timedelta(minutes=10)))
    start_worker(env, "worker")
    log = tmp_path / "beat.log"
    beat = helpers.Worker(helpers.start_process("beat", env, log), log)
    try:
        done = helpers.wait_until(lambda: _report(app, report_id).status == "done"
                                  and _report(app, report_id), timeout=60, what="the sweep")
    finally:
        beat.stop()
    assert done.attempts == 2 and done.rows == 30
    assert sorted(p.name for p in settings.files_dir.iterdir()) == [f"{report_id}.csv"]
    runtime.engine.dispose()


def test_a_report_over_its_soft_time_limit_fails_with_the_reason_and_no_file(
        tmp_path: Path, peer: Any, token_mint: TokenMint, helpers: Any,
        start_worker: Callable[..., Any], apply_env: Callable[[dict[str, str]], None]) -> None:
    peer.monthly_count = 2000
    peer.page_delay = 0.3  # 20 pages: about 6 s, over the 1 s soft limit
    env = helpers.reporting_env(
        tmp_path, peer=peer, mint=token_mint, broker_url=helpers.embedded_broker(tmp_path),
        REPORTING_SOFT_TIME_LIMIT_SECONDS="1", REPORTING_HARD_TIME_LIMIT_SECONDS="10",
        REPORTING_VISIBILITY_TIMEOUT_SECONDS="20")
    apply_env(env)
    settings = Settings()
    migrate(settings)
    app = create_app(settings)
    start_worker(env)
    response = app.test_client().post("/api/v1/reports", headers=token_mint.headers("hr"),
                                      json={"kind": "monthly", "params": {"month": "2026-10"}})
    report_id = response.get_json()["id"]
    failed = helpers.wait_until(lambda: _report(app, report_id).status in ("done", "failed")
                                and _report(app, report_id), timeout=60, what="the report")
    assert failed.status == "failed"
    assert failed.error == "time limit of 1 s exceeded"
    assert failed.attempts == 1
    assert list(settings.files_dir.iterdir()) == []
    app.extensions["reporting"].engine.dispose()
