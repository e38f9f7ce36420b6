"""The report state machine on a real database (SQLite and MariaDB): claims, stale workers,
the sweeper and the scheduler's once-only rule."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from faceclock_common.db import session_scope
from reporting_svc.__main__ import migrate
from reporting_svc.config import Settings
from reporting_svc.db import utcnow
from reporting_svc.main import create_app
from reporting_svc.reports import service
from reporting_svc.reports.models import Report
from reporting_svc.reports.tasks import schedule_monthly, sweep
from reporting_svc.runtime import Runtime

MINUTE = timedelta(seconds=60)


@pytest.fixture
def app(database_url: str, peer: Any, make_env: Callable[..., dict[str, str]],
        apply_env: Callable[[dict[str, str]], None]) -> Iterator[Flask]:
    apply_env(make_env(peer, REPORTING_DATABASE_URL=database_url, REPORTING_MAX_ATTEMPTS="2",
                       REPORTING_STALE_AFTER_SECONDS="60",
                       REPORTING_REQUEUE_QUEUED_AFTER_SECONDS="300"))
    settings = Settings()
    migrate(settings)
    flask_app = create_app(settings)
    yield flask_app
    flask_app.extensions["reporting"].engine.dispose()


@pytest.fixture
def runtime(app: Flask) -> Runtime:
    found: Runtime = app.extensions["reporting"]
    return found


def _new(runtime: Runtime, **kwargs: Any) -> int:
    with session_scope(runtime.sessions) as session:
        report = service.create_report(session, kind="monthly", params={"month": "2026-10"},
                                       owner_subject="1", **kwargs)
        return report.id


def _age(runtime: Runtime, report_id: int, **columns: timedelta) -> None:
    with session_scope(runtime.sessions) as session:
        session.execute(update(Report).where(Report.id == report_id).values(
            **{name: utcnow() - delta for name, delta in columns.items()}))


def _get(runtime: Runtime, report_id: int) -> Report:
    with session_scope(runtime.sessions) as session:
        report = session.get(Report, report_id)
        assert report is not None
        session.expunge(report)
        return report


def _queued_messages(settings: Settings) -> int:
    path = settings.broker_url.removeprefix("sqla+sqlite:///")
    with sqlite3.connect(path) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'kombu_message'").fetchone():
            return 0  # kombu creates its tables on the first send
        return int(db.execute("SELECT count(*) FROM kombu_message WHERE visible = 1")
                   .fetchone()[0])


def test_a_report_is_claimed_once_while_its_worker_beats(runtime: Runtime) -> None:
    report_id = _new(runtime)
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=report_id, stale_after=MINUTE) == 1
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=report_id, stale_after=MINUTE) is None
        assert service.beat(session, report_id=report_id, attempt=1, progress=0.5)
    assert _get(runtime, report_id).progress == 0.5


def test_a_stale_report_is_taken_over_and_the_old_attempt_cannot_write(runtime: Runtime) -> None:
    report_id = _new(runtime)
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=report_id, stale_after=MINUTE) == 1
    _age(runtime, report_id, heartbeat_at=timedelta(minutes=5))
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=report_id, stale_after=MINUTE) == 2
    with session_scope(runtime.sessions) as session:
        assert not service.beat(session, report_id=report_id, attempt=1, progress=0.9)
        assert not service.finish(session, report_id=report_id, attempt=1, file_name="old.csv",
                                  rows=1, size_bytes=1)
        assert service.finish(session, report_id=report_id, attempt=2, file_name="new.csv",
                              rows=2, size_bytes=2)
    report = _get(runtime, report_id)
    assert (report.status, report.file_name, report.attempts) == ("done", "new.csv", 2)
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=report_id, stale_after=timedelta(0)) is None


def test_the_sweeper_resends_lost_reports_and_gives_up_after_max_attempts(app: Flask,
                                                                           runtime: Runtime) -> None:
    celery = app.extensions["celery"]
    fresh = _new(runtime)
    lost_message = _new(runtime)
    _age(runtime, lost_message, enqueued_at=timedelta(minutes=10))
    dead_worker = _new(runtime)
    hopeless = _new(runtime)
    with session_scope(runtime.sessions) as session:
        for report_id in (dead_worker, hopeless):
            assert service.claim(session, report_id=report_id, stale_after=MINUTE) == 1
    _age(runtime, hopeless, heartbeat_at=timedelta(minutes=5))
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=hopeless, stale_after=MINUTE) == 2
    _age(runtime, dead_worker, heartbeat_at=timedelta(minutes=5))
    _age(runtime, hopeless, heartbeat_at=timedelta(minutes=5))

    before = _queued_messages(runtime.settings)
    assert sweep(celery, runtime) == 2
    assert _queued_messages(runtime.settings) == before + 2
    assert _get(runtime, fresh).status == "queued"
    assert _get(runtime, lost_message).status == "queued"
    assert _get(runtime, dead_worker).status == "queued"
    gave_up = _get(runtime, hopeless)
    assert gave_up.status == "failed" and "worker lost 2 times" in (gave_up.error or "")
    assert sweep(celery, runtime) == 0


def test_schedule_keys_make_scheduled_reports_unique(runtime: Runtime) -> None:
    _new(runtime, schedule_key="monthly:2026-10:1")
    with pytest.raises(IntegrityError), session_scope(runtime.sessions) as session:
        service.create_report(session, kind="monthly", params={}, owner_subject="x",
                              schedule_key="monthly:2026-10:1")


def test_monthly_schedule_creates_one_report_per_department(app: Flask, runtime: Runtime,
                                                            peer: Any) -> None:
    peer.departments = [{"id": i, "name": f"D{i}"} for i in (3, 4, 5)]
    created = schedule_monthly(app.extensions["celery"], runtime, month="2026-10")
    assert len(created) == 3
    params = sorted(_get(runtime, i).params["department_id"] for i in created)
    assert params == [3, 4, 5]
    assert schedule_monthly(app.extensions["celery"], runtime, month="2026-10") == []
    assert all(_get(runtime, i).owner_subject == "system:scheduler" for i in created)
    assert peer.tokens_issued >= 1


def test_files_are_keyed_by_report_id(tmp_path: Path) -> None:
    assert service.file_path(tmp_path, 42) == tmp_path / "42.csv"


def test_purge_drops_delivered_messages_of_the_embedded_broker(app: Flask,
                                                                runtime: Runtime) -> None:
    from datetime import datetime

    from reporting_svc.reports.tasks import purge_delivered_messages

    assert purge_delivered_messages(runtime.settings.broker_url) == 0  # no kombu tables yet
    celery = app.extensions["celery"]
    for report_id in (_new(runtime), _new(runtime), _new(runtime)):
        celery.send_task("reporting.generate", args=[report_id])
    path = runtime.settings.broker_url.removeprefix("sqla+sqlite:///")
    with sqlite3.connect(path) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM kombu_message ORDER BY id")]
        assert len(ids) == 3
        # Two were delivered: one two days ago, one just now. One is still waiting.
        two_days_ago = (datetime.now() - timedelta(days=2)).isoformat(sep=" ")
        db.execute("UPDATE kombu_message SET visible = 0, timestamp = ? WHERE id = ?",
                   (two_days_ago, ids[0]))
        db.execute("UPDATE kombu_message SET visible = 0, timestamp = ? WHERE id = ?",
                   (datetime.now().isoformat(sep=" "), ids[1]))
    assert purge_delivered_messages(runtime.settings.broker_url) == 1
    with sqlite3.connect(path) as db:
        left = [row[0] for row in db.execute("SELECT id FROM kombu_message ORDER BY id")]
    assert left == ids[1:]
    assert purge_delivered_messages("redis://127.0.0.1:6379/0") == 0


def test_a_retaken_report_replaces_the_dead_attempts_files(runtime: Runtime, peer: Any) -> None:
    """The first worker died after writing (even after renaming) but before recording `done`:
    the next attempt leaves exactly one file, its own."""
    from reporting_svc.reports.tasks import Outcome, generate_report

    peer.monthly_count = 3
    report_id = _new(runtime)
    with session_scope(runtime.sessions) as session:
        assert service.claim(session, report_id=report_id, stale_after=MINUTE) == 1
    final = service.file_path(runtime.settings.files_dir, report_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    final.write_text("renamed by the dead attempt\r\n")
    (final.parent / f".{final.name}.1.tmp").write_text("partial")
    _age(runtime, report_id, heartbeat_at=timedelta(minutes=5))
    assert generate_report(runtime, report_id) is Outcome.DONE
    assert sorted(p.name for p in final.parent.iterdir()) == [final.name]
    lines = final.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[0].startswith('"Employee ID",')
    report = _get(runtime, report_id)
    assert (report.status, report.attempts, report.rows) == ("done", 2, 3)


def test_concurrent_requests_take_no_more_places_than_there_are(runtime: Runtime) -> None:
    """24 requests of one caller at once, 10 places: 10 admitted, never more (counting first
    and inserting after let 12 of 40 in); a finished report frees its place for the next."""
    barrier = threading.Barrier(24)

    def request(_: int) -> int | None:
        barrier.wait()
        with session_scope(runtime.sessions) as session:
            report = service.admit_report(session, limit=10, kind="monthly",
                                          params={"month": "2026-10"}, owner_subject="7")
            return None if report is None else report.id

    with ThreadPoolExecutor(24) as pool:
        admitted = [found for found in pool.map(request, range(24)) if found is not None]
    assert len(admitted) == 10
    first = _get(runtime, admitted[0])
    with session_scope(runtime.sessions) as session:
        slots = sorted(session.scalars(select(Report.active_slot).where(
            Report.owner_subject == "7")))
        assert slots == list(range(1, 11))
        assert service.admit_report(session, limit=10, kind="monthly", params={},
                                    owner_subject="7") is None
        attempt = service.claim(session, report_id=first.id, stale_after=MINUTE)
        assert attempt is not None
        assert service.finish(session, report_id=first.id, attempt=attempt, file_name="f.csv",
                              rows=0, size_bytes=0)
    assert _get(runtime, first.id).active_slot is None
    with session_scope(runtime.sessions) as session:
        again = service.admit_report(session, limit=10, kind="monthly", params={},
                                     owner_subject="7")
        assert again is not None and again.active_slot == first.active_slot
