"""Celery tasks. They receive a report id only; the reports row says what to do and records
what happened, so a task delivered twice, late, or after its worker died does the right thing."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from faceclock_common.db import session_scope
from faceclock_common.logging import request_id_var
from reporting_svc import deps
from reporting_svc.attendance import PeerError, PeerRefused
from reporting_svc.csvfile import atomic_csv
from reporting_svc.db import utcnow
from reporting_svc.reports import service
from reporting_svc.reports.kinds import BUILDERS, Context
from reporting_svc.reports.models import DONE, FAILED, RUNNING
from reporting_svc.runtime import Runtime

logger = logging.getLogger(__name__)

GENERATE = "reporting.generate"
SCHEDULER_SUBJECT = "system:scheduler"
HEARTBEAT_EVERY_SECONDS = 1.0


class Outcome(Enum):
    DONE = "done"
    SKIPPED = "skipped"  # already finished, or another worker holds it
    FAILED = "failed"
    RETRY = "retry"


class ReportTaken(Exception):
    """This attempt lost the report (the sweeper gave it to another worker): stop writing."""


class _Heartbeat:
    """Beats on a thread of the process running the report, whatever the report waits on: a slow
    page must not make a live worker look dead. The beat stops when the process dies, which is
    what the sweeper looks for. The builder's progress goes out with the next beat."""

    def __init__(self, runtime: Runtime, report_id: int, attempt: int) -> None:
        self.runtime = runtime
        self.report_id = report_id
        self.attempt = attempt
        self.interval = min(HEARTBEAT_EVERY_SECONDS, runtime.settings.stale_after_seconds / 4)
        self._progress = 0.0
        self._taken = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat_until_stopped, daemon=True,
                                        name=f"report-{report_id}-heartbeat")

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def __call__(self, progress: float) -> None:
        """The builder's progress callback; stops an attempt that lost its report. At 1.0 it asks
        the database, not the thread, so a taken report is never renamed into place."""
        self._progress = progress
        if self._taken or (progress >= 1.0 and not self._beat()):
            raise ReportTaken(f"report {self.report_id} attempt {self.attempt} was taken over")

    def _beat(self) -> bool:
        with session_scope(self.runtime.sessions) as session:
            return service.beat(session, report_id=self.report_id, attempt=self.attempt,
                                progress=self._progress)

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                owned = self._beat()
            except Exception:  # a database hiccup: the next beat tries again
                logger.exception("report heartbeat failed", extra={"report_id": self.report_id})
                continue
            if not owned:
                self._taken = True
                return


def generate_report(runtime: Runtime, report_id: int) -> Outcome:
    """Claim, build the file under a temporary name, rename it into place, record it done."""
    settings = runtime.settings
    with session_scope(runtime.sessions) as session:
        report = service.get_report(session, report_id=report_id)
        if report is None or report.status in (DONE, FAILED):
            return Outcome.SKIPPED
        attempt = service.claim(session, report_id=report_id,
                                stale_after=timedelta(seconds=settings.stale_after_seconds))
        if attempt is None:
            return Outcome.SKIPPED
        kind, params, request_id = report.kind, dict(report.params), report.request_id
    token = request_id_var.set(request_id)
    logger.info("report started", extra={"report_id": report_id, "attempt": attempt})
    final = service.file_path(settings.files_dir, report_id)
    try:
        with (_Heartbeat(runtime, report_id, attempt) as heartbeat,
              runtime.attendance() as client, atomic_csv(final, attempt) as out):
            client.language = str(params.get("language", "en"))
            file_name = BUILDERS[kind](Context(params=params, client=client, out=out,
                                               progress=heartbeat,
                                               tz=ZoneInfo(settings.timezone)))
            heartbeat(1.0)  # still ours? checked before atomic_csv renames the file into place
        with session_scope(runtime.sessions) as session:
            service.finish(session, report_id=report_id, attempt=attempt, file_name=file_name,
                           rows=out.rows, size_bytes=final.stat().st_size)
        logger.info("report done", extra={"report_id": report_id, "rows": out.rows})
        return Outcome.DONE
    except ReportTaken:
        logger.warning("report taken over by another worker", extra={"report_id": report_id})
        return Outcome.SKIPPED
    except PeerRefused as exc:
        return _fail(runtime, report_id, attempt, str(exc))
    except SoftTimeLimitExceeded:
        return _fail(runtime, report_id, attempt,
                     f"time limit of {settings.soft_time_limit_seconds} s exceeded")
    except PeerError as exc:
        logger.warning("report will be retried", extra={"report_id": report_id, "reason": str(exc)})
        if attempt >= settings.max_attempts:
            return _fail(runtime, report_id, attempt, f"gave up after {attempt} attempts: {exc}")
        with session_scope(runtime.sessions) as session:
            service.release(session, report_id=report_id, attempt=attempt)
        return Outcome.RETRY
    except Exception as exc:
        logger.exception("report crashed", extra={"report_id": report_id})
        return _fail(runtime, report_id, attempt, f"internal error ({type(exc).__name__})")
    finally:
        request_id_var.reset(token)


def _fail(runtime: Runtime, report_id: int, attempt: int, reason: str) -> Outcome:
    logger.warning("report failed", extra={"report_id": report_id, "reason": reason})
    with session_scope(runtime.sessions) as session:
        service.fail(session, report_id=report_id, attempt=attempt, reason=reason)
    return Outcome.FAILED


def enqueue(celery: Celery, runtime: Runtime, report_id: int) -> None:
    """Send a report to the workers. A broker that is down loses nothing: the row stays queued
    and the sweeper sends it again."""
    try:
        celery.send_task(GENERATE, args=[report_id])
    except Exception:  # any broker failure: the row is the source of truth
        logger.exception("could not enqueue report", extra={"report_id": report_id})


def sweep(celery: Celery, runtime: Runtime) -> int:
    """Send again the reports whose worker died (stale heartbeat) or whose message was lost."""
    settings = runtime.settings
    stale_after = timedelta(seconds=settings.stale_after_seconds)
    sent = 0
    with session_scope(runtime.sessions) as session:
        lost = service.lost_reports(
            session, stale_after=stale_after,
            queued_after=timedelta(seconds=settings.requeue_queued_after_seconds))
        for report in lost:
            if report.status == RUNNING and report.attempts >= settings.max_attempts:
                service.fail(session, report_id=report.id,
                             reason=f"worker lost {report.attempts} times; giving up")
            elif service.mark_enqueued(session, report_id=report.id, stale_after=stale_after):
                session.commit()
                enqueue(celery, runtime, report.id)
                sent += 1
    if sent:
        logger.info("lost reports sent again", extra={"count": sent})
    return sent


class WorkerSweeper:
    """The sweep, every sweep_interval_seconds, on a thread of each worker's main process.

    Beat schedules it too, but beat is one process (or, in the embedded run, a child of the
    worker): if it dies, reports whose worker died must still be taken up again. Sweeps that
    overlap are harmless: re-sending is a conditional update, and a report is claimed once.
    """

    def __init__(self, celery: Celery, runtime: Runtime) -> None:
        self.celery = celery
        self.runtime = runtime
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="report-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.runtime.settings.sweep_interval_seconds):
            try:
                sweep(self.celery, self.runtime)
            except Exception:  # a database or broker hiccup: the next round tries again
                logger.exception("sweep failed")


def purge(runtime: Runtime) -> int:
    """Retention: delete the files of reports finished more than retention_days ago."""
    cutoff = utcnow() - timedelta(days=runtime.settings.retention_days)
    deleted = 0
    with session_scope(runtime.sessions) as session:
        for report in service.expired_reports(session, older_than=cutoff):
            service.file_path(runtime.settings.files_dir, report.id).unlink(missing_ok=True)
            service.mark_file_deleted(session, report_id=report.id)
            deleted += 1
    if deleted:
        logger.info("expired report files deleted", extra={"count": deleted})
    purge_delivered_messages(runtime.settings.broker_url)
    return deleted


DELIVERED_KEPT = timedelta(days=1)


def purge_delivered_messages(broker_url: str, *, older_than: timedelta = DELIVERED_KEPT) -> int:
    """kombu's SQLAlchemy transport keeps every delivered message (visible = false) forever;
    the embedded broker's file would only grow. Redis needs nothing of the kind."""
    if not broker_url.startswith("sqla+"):
        return 0
    engine = create_engine(broker_url.removeprefix("sqla+"))
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("kombu_message"):
                return 0
            # kombu stamps a message with its local naive time when it is delivered.
            cutoff = datetime.now() - older_than
            result = connection.execute(
                text("DELETE FROM kombu_message WHERE visible = :no AND timestamp < :cutoff"),
                {"no": False, "cutoff": cutoff})
            return int(result.rowcount)
    finally:
        engine.dispose()


def previous_month(today: date) -> str:
    first = today.replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def schedule_monthly(celery: Celery, runtime: Runtime, *, month: str | None = None) -> list[int]:
    """A monthly summary of last month for every department; a second run creates nothing."""
    now = datetime.now(ZoneInfo(runtime.settings.timezone))
    month = month or previous_month(now.date())
    created: list[int] = []
    with runtime.attendance() as client:
        departments = [d for page in client.pages("/api/v1/departments", {}) for d in page.items]
    for department in departments:
        department_id = int(department["id"])
        try:
            with session_scope(runtime.sessions) as session:
                report = service.create_report(
                    session, kind="monthly", owner_subject=SCHEDULER_SUBJECT,
                    params={"month": month, "department_id": department_id},
                    schedule_key=f"monthly:{month}:{department_id}")
                created.append(report.id)
        except IntegrityError:
            continue  # already created by an earlier run of this schedule
        enqueue(celery, runtime, created[-1])
    logger.info("monthly summaries scheduled", extra={"month": month, "count": len(created)})
    return created


def register_tasks(celery: Celery) -> None:
    # Attempts are bounded by Settings.max_attempts in the row, not by Celery's retry count.
    @celery.task(name=GENERATE, bind=True, acks_late=True, reject_on_worker_lost=True,
                 max_retries=None)
    def generate(self: Task, report_id: int) -> str:
        outcome = generate_report(deps.runtime(), int(report_id))
        if outcome is Outcome.RETRY:
            retries = min(int(self.request.retries), 3)
            raise self.retry(countdown=deps.runtime().settings.retry_delay_seconds * 6**retries)
        return outcome.value

    @celery.task(name="reporting.sweep")
    def sweep_task() -> int:
        return sweep(deps.celery_app(), deps.runtime())

    @celery.task(name="reporting.purge")
    def purge_task() -> int:
        return purge(deps.runtime())

    @celery.task(name="reporting.monthly_summaries", bind=True, acks_late=True,
                 reject_on_worker_lost=True, max_retries=5)
    def monthly_summaries(self: Task, month: str | None = None) -> list[int]:
        try:
            return schedule_monthly(deps.celery_app(), deps.runtime(), month=month)
        except PeerError as exc:
            raise self.retry(exc=exc, countdown=60) from exc
