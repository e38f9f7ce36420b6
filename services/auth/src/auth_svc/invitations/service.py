"""HR invites an employee: an e-mailed single-use link that expires; accepting it creates the
account, linked to that employee, with the address the invitation went to."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from auth_svc.accounts.service import DEFAULT_ROLES, check_password_policy, create_user
from auth_svc.db import utcnow
from auth_svc.invitations.models import Invitation
from auth_svc.invitations.schemas import AccountCreated, InvitationAccept, InvitationCreate
from auth_svc.mail.messages import Recipient, invitation_message
from auth_svc.runtime import Runtime
from auth_svc.secrets_util import digest, new_secret
from auth_svc.users.service import ensure_employee_free
from faceclock_common.errors import ApiError

logger = logging.getLogger(__name__)


def invite(session: Session, *, runtime: Runtime, data: InvitationCreate,
           invited_by: int | None) -> tuple[Invitation, str]:
    """Stores the invitation; returns it and the link to e-mail (after the answer)."""
    ensure_employee_free(session, employee_id=data.employee_id, user_id=None)
    secret = new_secret()
    row = Invitation(token_hash=digest(secret), employee_id=data.employee_id,
                     email=str(data.email).strip(), language=data.language,
                     invited_by=invited_by, expires_at=utcnow() + timedelta(
                         seconds=runtime.settings.invitation_ttl_seconds))
    session.add(row)
    session.flush()  # the answer shows its id
    link = f"{runtime.settings.public_base_url.rstrip('/')}/accept-invitation?token={secret}"
    return row, link


def send_invitation(runtime: Runtime, data: InvitationCreate, link: str) -> None:
    recipient = Recipient(username=data.name, email=str(data.email), language=data.language)
    try:
        runtime.mailer.send(invitation_message(
            recipient, sender=runtime.settings.mail_from, link=link,
            days=max(1, runtime.settings.invitation_ttl_seconds // 86400)))
    except OSError:
        logger.exception("could not send an invitation")


def invalid_invitation() -> ApiError:
    return ApiError(400, "invalid_invitation",
                    "This invitation link is invalid, expired or already used; ask HR for a new one.")


def accept(session: Session, *, runtime: Runtime, data: InvitationAccept) -> AccountCreated:
    row = session.scalars(select(Invitation).where(
        Invitation.token_hash == digest(data.token))).first()
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise invalid_invitation()
    # The policy before the link is spent, so a weak choice can be corrected.
    check_password_policy(runtime, data.password, username=data.username)
    ensure_employee_free(session, employee_id=row.employee_id, user_id=None)
    claimed = session.execute(update(Invitation).where(
        Invitation.id == row.id, Invitation.used_at.is_(None)).values(used_at=now))
    if getattr(claimed, "rowcount", 0) != 1:  # a second acceptance raced this one
        raise invalid_invitation()
    # The claim commits with the account or not at all: a taken name spends nothing.
    user = create_user(session, runtime=runtime, username=data.username, email=row.email,
                       password=data.password, roles=DEFAULT_ROLES, language=row.language,
                       check_policy=False, employee_id=row.employee_id)
    logger.info("invitation accepted", extra={"event": "auth.invitation_accepted",
                                              "user_id": user.id})
    return AccountCreated(username=user.username, employee_id=row.employee_id)
