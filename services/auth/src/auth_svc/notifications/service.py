"""Who hears of a request, in the list and by e-mail.

Filed: hr, the managers of the employee's department (a manager account of that department, or
the account of the employee named its manager). Approved or rejected: whoever filed it and the
employee it is for. Nobody hears of what they did themselves; each account may turn either
channel off.

The digest of a day's missing check-outs: each department's managers (as for a filing) get the
people of their departments, hr everyone; once per day, however often attendance sends it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auth_svc.accounts.models import User
from auth_svc.mail.messages import Recipient, digest_message, request_message
from auth_svc.notifications.models import DigestSent, Notification
from auth_svc.notifications.schemas import NotificationSettings
from auth_svc.runtime import Runtime
from faceclock_common.contracts import DigestIn, MissingCheckout, NoticeIn

logger = logging.getLogger(__name__)


def _recipients(session: Session, notice: NoticeIn) -> list[User]:
    facts = notice.request
    active = select(User).where(User.active.is_(True))
    if notice.event == "request_filed":
        # Roles are a JSON list: read in Python (accounts are few; hr are found among them).
        candidates = [u for u in session.scalars(active)
                      if "hr" in u.roles
                      or ("manager" in u.roles and facts.department_id is not None
                          and u.department_id == facts.department_id)
                      or (facts.manager_employee_id is not None
                          and u.employee_id == facts.manager_employee_id)]
    else:
        requester = int(facts.requester) if facts.requester.isdigit() else None
        candidates = list(session.scalars(active.where(or_(
            User.employee_id == facts.employee_id, User.id == requester))))
    # Not the person who acted, nor (for a filing) the employee it is for.
    return [u for u in candidates if str(u.id) != notice.actor
            and not (notice.event == "request_filed" and u.employee_id == facts.employee_id)]


def deliver(session: Session, notice: NoticeIn) -> tuple[int, list[Recipient]]:
    """Stores the in-app notices; returns how many, and whom to e-mail (after the answer)."""
    users = _recipients(session, notice)
    payload = notice.request.model_dump()
    listed = [u for u in users if u.notify_in_app]
    for user in listed:
        session.add(Notification(user_id=user.id, event=notice.event, request=payload))
    return len(listed), [Recipient(username=u.username, email=u.email, language=u.language)
                         for u in users if u.notify_email and u.email]


def send_emails(runtime: Runtime, notice: NoticeIn, recipients: list[Recipient]) -> None:
    link = runtime.settings.public_base_url.rstrip("/") + (
        "/requests?tab=approve" if notice.event == "request_filed" else "/requests?tab=mine")
    for recipient in recipients:
        try:
            runtime.mailer.send(request_message(recipient, sender=runtime.settings.mail_from,
                                                event=notice.event, request=notice.request,
                                                link=link))
        except OSError:
            logger.exception("could not send a request notice", extra={"event": notice.event})


DIGEST = "checkout_digest"
Digest = list[tuple[Recipient, list[MissingCheckout]]]


def _digest_scope(user: User, digest: DigestIn) -> list[MissingCheckout]:
    if "hr" in user.roles:
        return list(digest.people)
    departments = {d for d, manager in digest.managers.items()
                   if user.employee_id is not None and manager == user.employee_id}
    if "manager" in user.roles and user.department_id is not None:
        departments.add(user.department_id)
    return [p for p in digest.people if p.department_id in departments]


def deliver_digest(session: Session, digest: DigestIn) -> tuple[bool, int, Digest]:
    """Stores each recipient's notice, once per day; returns whether the day was sent before,
    how many were listed, and whom to e-mail with which people (after the answer). A day with
    nobody to report is not kept: a correction that leaves someone without a check-out before
    the day is sent again makes it worth sending."""
    if not digest.people:
        return False, 0, []
    # The day's row is the claim: a second run (or a racing one) stops here, its duplicate
    # undone alone in a savepoint.
    try:
        with session.begin_nested():
            session.add(DigestSent(kind=DIGEST, day=digest.day))
    except IntegrityError:
        return True, 0, []
    listed, mails = 0, []
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        people = _digest_scope(user, digest)
        if not people:
            continue
        if user.notify_in_app:
            session.add(Notification(user_id=user.id, event=DIGEST, request={
                "day": digest.day.isoformat(),
                "people": [p.model_dump() for p in people]}))
            listed += 1
        if user.notify_email and user.email:
            mails.append((Recipient(username=user.username, email=user.email,
                                    language=user.language), people))
    return False, listed, mails


def send_digest_emails(runtime: Runtime, digest: DigestIn, mails: Digest) -> None:
    link = runtime.settings.public_base_url.rstrip("/") + (
        f"/attendance?date={digest.day.isoformat()}")
    for recipient, people in mails:
        try:
            runtime.mailer.send(digest_message(recipient, sender=runtime.settings.mail_from,
                                               day=digest.day, people=people, link=link))
        except OSError:
            logger.exception("could not send a digest", extra={"day": digest.day.isoformat()})


def list_for(session: Session, user_id: int, *, limit: int, offset: int
             ) -> tuple[list[Notification], int, int]:
    mine = select(Notification).where(Notification.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    unread = session.scalar(select(func.count()).select_from(
        mine.where(Notification.read_at.is_(None)).subquery())) or 0
    rows = session.scalars(mine.order_by(Notification.id.desc()).limit(limit).offset(offset))
    return list(rows), total, unread


def mark_read(session: Session, user_id: int) -> None:
    session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(
        read_at=datetime.now(UTC)))


def settings_of(user: User) -> NotificationSettings:
    return NotificationSettings(in_app=user.notify_in_app, email=user.notify_email)


def set_settings(session: Session, user: User, data: NotificationSettings) -> NotificationSettings:
    user.notify_in_app, user.notify_email = data.in_app, data.email
    return settings_of(user)
