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
        REPORTING_STALE_AFTER_SECONDS="3", REPORTING_FILES_DIR=str(tmp_path / "reports"))
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


def _monthly_report_run_to_the_end(env: dict[str, str], apply_env: Callable[..., None],
                                   start_worker: Callable[..., Any], token_mint: TokenMint,
                                   helpers: Any) -> tuple[Report, Any, Settings]:
    """A monthly report asked of one worker, once it is done or failed."""
    apply_env(env)
    settings = Settings()
    migrate(settings)
    app = create_app(settings)
    start_worker(env)
    response = app.test_client().post("/api/v1/reports", headers=token_mint.headers("hr"),
                                      json={"kind": "monthly", "params": {"month": "2026-10"}})
    report_id = response.get_json()["id"]
    finished = helpers.wait_until(lambda: _report(app, report_id).status in ("done", "failed")
                              and _report(app, report_id), timeout=60, what="the report")
    return finished, app, settings


def test_a_page_slower_than_the_staleness_limit_does_not_look_like_a_dead_worker(
        tmp_path: Path, peer: Any, token_mint: TokenMint, helpers: Any,
        start_worker: Callable[..., Any], apply_env: Callable[[dict[str, str]], None]) -> None:
    """The heartbeat is the worker's, not the builder's: a report whose pages each take longer
    than the staleness limit (a busy attendance service) is never taken over and run again."""
    peer.monthly_count = 200
    peer.page_delay = 3.0  # two pages, each slower than the 2 s limit
    env = helpers.reporting_env(
        tmp_path, peer=peer, mint=token_mint, broker_url=helpers.embedded_broker(tmp_path),
        REPORTING_SWEEP_INTERVAL_SECONDS="0.2", REPORTING_STALE_AFTER_SECONDS="2")
    done, app, _ = _monthly_report_run_to_the_end(env, apply_env, start_worker, token_mint, helpers)
    assert done.status == "done", done.error
    assert done.attempts == 1 and done.rows == 200
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
    failed, app, settings = _monthly_report_run_to_the_end(env, apply_env, start_worker,
                                                           token_mint, helpers)
    assert failed.status == "failed"
    assert failed.error == "time limit of 1 s exceeded"
    assert failed.attempts == 1
    assert list(settings.files_dir.iterdir()) == []
    app.extensions["reporting"].engine.dispose()


def _beat_child(worker_pid: int) -> int:
    """The worker's embedded beat: of its two children (one pool process, concurrency 1) the
    one that closed every inherited descriptor when it started (celery.beat._Process.run)."""
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    if len(children) != 2:
        raise AssertionError(f"the worker has {len(children)} children, not a pool process and beat")
    return int(min(children, key=lambda pid: len(list(Path(f"/proc/{pid}/fd").iterdir()))))


def test_a_stuck_report_is_recovered_after_the_embedded_beat_died(
        tmp_path: Path, peer: Any, token_mint: TokenMint, helpers: Any,
        start_worker: Callable[..., Any], apply_env: Callable[[dict[str, str]], None]) -> None:
    """Issue 17 item 9, the embedded run: beat inside the worker is killed; a report whose
    worker vanished is still taken up again, by the worker's own sweeper."""
    from datetime import timedelta

    from sqlalchemy import update

    from reporting_svc.db import utcnow

    peer.monthly_count = 30
    env = helpers.reporting_env(
        tmp_path, peer=peer, mint=token_mint, broker_url=helpers.embedded_broker(tmp_path),
        REPORTING_WORKER_BEAT="true", REPORTING_SWEEP_INTERVAL_SECONDS="0.5",
        REPORTING_STALE_AFTER_SECONDS="5")
    apply_env(env)
    settings = Settings()
    migrate(settings)
    app = create_app(settings)
    runtime = app.extensions["reporting"]
    worker = start_worker(env, "worker")
    beat = helpers.wait_until(lambda: _try_beat_child(worker.process.pid),
                              timeout=60, what="the embedded beat")
    os.kill(beat, signal.SIGKILL)
    with session_scope(runtime.sessions) as session:
        report_id = service.create_report(session, kind="monthly", params={"month": "2026-10"},
                                          owner_subject="1").id
        assert service.claim(session, report_id=report_id, stale_after=timedelta(0)) == 1
        session.execute(update(Report).where(Report.id == report_id)
                        .values(heartbeat_at=utcnow() - timedelta(minutes=10)))
    done = helpers.wait_until(lambda: _report(app, report_id).status == "done"
                              and _report(app, report_id), timeout=60, what="the sweep")
    assert done.attempts == 2 and done.rows == 30
    assert not _running(beat)  # beat stayed dead: the sweep did not depend on it
    runtime.engine.dispose()


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed child stays listed until its parent reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _try_beat_child(worker_pid: int) -> int | None:
    try:
        return _beat_child(worker_pid)
    except (AssertionError, OSError):
        return None
