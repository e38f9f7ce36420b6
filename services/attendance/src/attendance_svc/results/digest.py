"""The nightly digest of missing check-outs: the people who checked in on a day and, by the
rules (the stored day results, so a night shift counts on the day it started), never out.
Auth tells each department's managers and hr, once per day (it keeps which days it sent)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from attendance_svc.notify import Notifier
from attendance_svc.organisation.models import Department, Employee
from attendance_svc.results.models import DayResult
from attendance_svc.results.reports import Zones, department_names
from faceclock_common.contracts import DigestIn, MissingCheckout

logger = logging.getLogger(__name__)


def digest_days(now: datetime, zone_name: str) -> list[date]:
    """Yesterday, and the day before for a day that was not over at the last run (a night
    shift still running, a later zone): sending a day twice sends nothing twice."""
    today = now.astimezone(ZoneInfo(zone_name)).date()
    return [today - timedelta(days=2), today - timedelta(days=1)]


def settled(session: Session, day: date) -> bool:
    """Every active employee's day has its stored result: it is over for everyone."""
    unjudged = select(func.count()).select_from(Employee).where(
        Employee.status == "active",
        or_(Employee.hired_on.is_(None), Employee.hired_on <= day),
        ~exists().where(DayResult.employee_id == Employee.id, DayResult.date == day))
    return (session.scalar(unjudged) or 0) == 0


def _checked_in(periods: list[dict[str, Any]], zone: str) -> str | None:
    """The local time of the day's first check-in (first_last keeps it on the first period
    attended, not on the one left open)."""
    first_in = min((datetime.fromisoformat(p["first_in"]) for p in periods if p.get("first_in")),
                   default=None)
    return None if first_in is None else first_in.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def missing_checkouts(session: Session, day: date, default_timezone: str) -> DigestIn:
    rows = session.execute(
        select(DayResult.shift_id, DayResult.periods, Employee)
        .join(Employee, Employee.id == DayResult.employee_id)
        .where(DayResult.date == day, DayResult.missing_checkouts > 0)
        .order_by(Employee.department_id, Employee.name, Employee.id)).all()
    names = department_names(session)
    zones = Zones(session, default_timezone)
    people = [MissingCheckout(employee_id=e.id, employee_no=e.employee_no, name=e.name,
                              department_id=e.department_id,
                              department=names.get(e.department_id or -1),
                              checked_in=_checked_in(periods, zones.of(e, shift_id)))
              for shift_id, periods, e in rows]
    managers = {d: m for d, m in session.execute(
        select(Department.id, Department.manager_employee_id).where(
            Department.manager_employee_id.is_not(None)))}
    return DigestIn(day=day, people=people, managers=managers)


def send_digests(session: Session, notifier: Notifier, *, default_timezone: str,
                 now: datetime | None = None) -> int:
    """Sends the digest of each recent day that is over; returns how many days auth took
    (a day it had already sent does not count)."""
    now = now or datetime.now(UTC)
    sent = 0
    days = digest_days(now, default_timezone)
    for day in days:
        # The older day goes anyway: whoever is still unjudged then is not in a shift.
        if day != days[0] and not settled(session, day):
            logger.info("digest waits: the day is not over for everyone",
                        extra={"day": day.isoformat()})
            continue
        answer = notifier.send_digest(missing_checkouts(session, day, default_timezone))
        if answer is not None and not answer.already_sent:
            sent += 1
            logger.info("digest of missing check-outs sent",
                        extra={"day": day.isoformat(), "in_app": answer.in_app,
                               "emails": answer.emails})
    return sent
