"""Report rows: creation, history, and the state machine queued → running → done / failed.

A worker owns a report only through a claim: a conditional UPDATE that moves it to running and
increments `attempts`. Every later write names that attempt, so a worker presumed dead that wakes
up again cannot overwrite the work of the one that took over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reporting_svc.db import utcnow
from reporting_svc.reports.models import DONE, FAILED, QUEUED, RUNNING, Report

ERROR_MAX = 500


def create_report(session: Session, *, kind: str, params: dict[str, Any], owner_subject: str,
                  request_id: str = "-", schedule_key: str | None = None,
                  active_slot: int | None = None) -> Report:
    now = utcnow()
    report = Report(kind=kind, params=params, owner_subject=owner_subject, request_id=request_id,
                    schedule_key=schedule_key, active_slot=active_slot, status=QUEUED,
                    progress=0.0, attempts=0, created_at=now, enqueued_at=now)
    session.add(report)
    session.flush()
    return report


def get_report(session: Session, *, report_id: int) -> Report | None:
    return session.get(Report, report_id)


def list_reports(session: Session, *, owner_subject: str | None, limit: int,
                 offset: int) -> tuple[list[Report], int]:
    query = select(Report)
    count = select(func.count()).select_from(Report)
    if owner_subject is not None:
        query = query.where(Report.owner_subject == owner_subject)
        count = count.where(Report.owner_subject == owner_subject)
    rows = session.scalars(
        query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(session.scalar(count) or 0)


def admit_report(session: Session, *, limit: int, kind: str, params: dict[str, Any],
                 owner_subject: str, request_id: str = "-") -> Report | None:
    """A requested report in one of its owner's `limit` places, or None when all are held by
    reports still queued or running. A place is taken by inserting under the unique
    (owner_subject, active_slot) key, so of concurrent requests for one place one gets it and
    the others try the next (counting first and inserting after let 12 of 40 in at a limit of
    10). A place that failed is not tried again: a MariaDB snapshot would still show it free."""
    held = set(session.scalars(select(Report.active_slot).where(
        Report.owner_subject == owner_subject, Report.active_slot.is_not(None))))
    for slot in range(1, limit + 1):
        if slot in held:
            continue
        try:
            with session.begin_nested():
                return create_report(session, kind=kind, params=params,
                                     owner_subject=owner_subject, request_id=request_id,
                                     active_slot=slot)
        except IntegrityError:
            continue
    return None


def file_path(files_dir: Path, report_id: int) -> Path:
    """One path per report id, whatever the attempt: a report can never leave two files."""
    return files_dir / f"{report_id}.csv"


def _takeable(now: datetime, stale_after: timedelta) -> ColumnElement[bool]:
    """Queued, or running with a worker that stopped beating: the same test for a claim and
    for a re-send, so the sweeper never re-sends what a worker could not claim."""
    return or_(Report.status == QUEUED,
               and_(Report.status == RUNNING, Report.heartbeat_at < now - stale_after))


def claim(session: Session, *, report_id: int, stale_after: timedelta) -> int | None:
    """Take a queued report, or a running one whose worker stopped beating; None if not ours."""
    now = utcnow()
    result = session.execute(
        update(Report)
        .where(Report.id == report_id)
        .where(_takeable(now, stale_after))
        .values(status=RUNNING, attempts=Report.attempts + 1, started_at=now, heartbeat_at=now,
                progress=0.0, error=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    attempts: int = session.scalar(select(Report.attempts).where(Report.id == report_id)) or 0
    return attempts


def _owned(report_id: int, attempt: int) -> Any:
    return and_(Report.id == report_id, Report.attempts == attempt, Report.status == RUNNING)


def beat(session: Session, *, report_id: int, attempt: int, progress: float) -> bool:
    """Progress and heartbeat in one write; False when the report is no longer ours."""
    result = session.execute(
        update(Report).where(_owned(report_id, attempt))
        .values(progress=max(0.0, min(progress, 1.0)), heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def finish(session: Session, *, report_id: int, attempt: int, file_name: str, rows: int,
           size_bytes: int) -> bool:
    result = session.execute(
        update(Report).where(_owned(report_id, attempt))
        .values(status=DONE, progress=1.0, file_name=file_name, rows=rows, size_bytes=size_bytes,
                finished_at=utcnow(), heartbeat_at=utcnow(), error=None, active_slot=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def fail(session: Session, *, report_id: int, reason: str, attempt: int | None = None) -> bool:
    """Failed with a reason; without an attempt, whatever state the report is in (sweeper)."""
    condition = (_owned(report_id, attempt) if attempt is not None
                 else and_(Report.id == report_id, Report.status.in_((QUEUED, RUNNING))))
    result = session.execute(
        update(Report).where(condition)
        .values(status=FAILED, error=reason[:ERROR_MAX], finished_at=utcnow(), active_slot=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(session: Session, *, report_id: int, attempt: int) -> bool:
    """Back to queued after a passing failure, for a retry."""
    result = session.execute(
        update(Report).where(_owned(report_id, attempt))
        .values(status=QUEUED, progress=0.0, enqueued_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_enqueued(session: Session, *, report_id: int, stale_after: timedelta) -> bool:
    """Before sending a report again: stale running → queued, and the send time recorded."""
    now = utcnow()
    result = session.execute(
        update(Report)
        .where(Report.id == report_id)
        .where(_takeable(now, stale_after))
        .values(status=QUEUED, progress=0.0, enqueued_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def lost_reports(session: Session, *, stale_after: timedelta,
                 queued_after: timedelta) -> list[Report]:
    """Running reports whose worker stopped beating, and queued ones whose message is lost."""
    now = utcnow()
    return list(session.scalars(
        select(Report).where(or_(
            and_(Report.status == RUNNING, Report.heartbeat_at < now - stale_after),
            and_(Report.status == QUEUED, Report.enqueued_at < now - queued_after),
        )).order_by(Report.id)
    ).all())


def expired_reports(session: Session, *, older_than: datetime) -> list[Report]:
    return list(session.scalars(
        select(Report).where(
            Report.status == DONE, Report.finished_at < older_than,
            Report.file_deleted_at.is_(None),
        ).order_by(Report.id)
    ).all())


def mark_file_deleted(session: Session, *, report_id: int) -> None:
    session.execute(
        update(Report).where(Report.id == report_id).values(file_deleted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
