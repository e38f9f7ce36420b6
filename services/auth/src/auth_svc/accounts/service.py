"""Accounts: registration, login, refresh rotation, logout, password change and reset."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, cast, func, select, update
from sqlalchemy.orm import Session

from auth_svc.accounts.models import PasswordResetToken, RefreshToken, User
from auth_svc.accounts.schemas import RegisterCreate, TokenPair
from auth_svc.db import utcnow
from auth_svc.mail.messages import (
    Recipient,
    changed_message,
    name_taken_message,
    reset_message,
    welcome_message,
)
from auth_svc.passwords import policy_problem
from auth_svc.runtime import Runtime
from auth_svc.secrets_util import digest, new_secret
from faceclock_common.db import conflict_on_duplicate, session_scope
from faceclock_common.errors import ApiError, Conflict, try_later
from faceclock_common.security import Principal

logger = logging.getLogger(__name__)

DEFAULT_ROLES = ["employee"]


def has_role(role: str) -> ColumnElement[bool]:
    """A filter on the JSON roles list that works on SQLite and MySQL alike (stored as text)."""
    return cast(User.roles, String).like(f'%"{role}"%')


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password_policy(runtime: Runtime, password: str, *, username: str = "") -> None:
    settings = runtime.settings
    problem = policy_problem(password, min_length=settings.password_min_length,
                             max_length=settings.password_max_length, username=username)
    if problem:
        raise ApiError(422, "weak_password", problem)


def too_many_attempts(retry_after: int) -> ApiError:
    return try_later(429, "too_many_attempts",
                     f"Too many failed attempts; try again in {retry_after} seconds.", retry_after)


def invalid_credentials() -> ApiError:
    return ApiError(401, "invalid_credentials", "Wrong user name or password.")


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.username == normalise_username(username))
    ).first()


def create_user(session: Session, *, runtime: Runtime, username: str, email: str, password: str,
                roles: list[str], language: str = "en", check_policy: bool = True,
                employee_id: int | None = None) -> User:
    username = normalise_username(username)
    if check_policy:
        check_password_policy(runtime, password, username=username)
    # Hash before looking the name up, so a taken name does not answer measurably faster.
    password_hash = runtime.passwords.hash(password)
    if user_by_username(session, username) is not None:
        raise username_taken()
    user = User(username=username, email=email.strip(), password_hash=password_hash,
                roles=list(roles), active=True, language=language, employee_id=employee_id)
    # Two registrations of one name can both pass the look-up: the second insert's duplicate
    # is undone alone, so a caller may still go on with the request.
    with conflict_on_duplicate(session, "username_taken", USERNAME_TAKEN):
        session.add(user)
    return user


USERNAME_TAKEN = "This user name is taken; choose another."


def username_taken() -> Conflict:
    return Conflict("username_taken", USERNAME_TAKEN)


def register(session: Session, *, runtime: Runtime, data: RegisterCreate,
             address: str) -> Recipient:
    """Creates the account if the user name is free. The caller answers the same either way
    (SECURITY.md: no enumeration); the returned recipient is mailed the outcome, so only the
    owner of the address learns that a name was taken."""
    if not runtime.settings.registration_open:
        raise ApiError(403, "registration_closed",
                       "Registration is closed; ask an administrator for an account.")
    wait = runtime.throttle.retry_after(account=None, address=address, bucket="register")
    if wait:
        raise too_many_attempts(wait)
    # Every attempt counts, taken name or not, so the throttle cannot tell them apart either.
    runtime.throttle.failure(account=None, address=address, action="register",
                             bucket="register")
    recipient = Recipient(username=normalise_username(data.username),
                          email=str(data.email).strip(), language=data.language)
    try:
        create_user(session, runtime=runtime, username=data.username, email=str(data.email),
                    password=data.password, roles=DEFAULT_ROLES, language=data.language)
    except Conflict:
        return replace(recipient, taken=True)
    return recipient


def notify_registration(runtime: Runtime, recipient: Recipient) -> None:
    """Runs after the answer went out: a welcome, or "that name is taken", to the address."""
    compose = name_taken_message if recipient.taken else welcome_message
    try:
        runtime.mailer.send(compose(recipient, sender=runtime.settings.mail_from))
    except OSError:
        logger.exception("could not send the registration e-mail")


def access_token_for(runtime: Runtime, user: User, session_id: str) -> str:
    """`sid` names the session (the refresh-token family): logging it out ends its access
    tokens and no other session's; `ver` ends every session's at once."""
    return runtime.signer.sign(
        subject=str(user.id), roles=list(user.roles), username=user.username,
        employee_id=user.employee_id, department_id=user.department_id,
        ttl_seconds=runtime.settings.access_token_ttl_seconds, ver=user.token_version or 0,
        sid=session_id,
    )


def end_access_tokens(session: Session, user_id: int) -> None:
    """Every access token issued to the user so far stops working at the gateway (which
    compares their `ver` with this one, docs/contracts.md); refresh tokens are separate."""
    session.execute(update(User).where(User.id == user_id)
                    .values(token_version=User.token_version + 1)
                    .execution_options(synchronize_session="fetch"))


def _new_refresh_token(session: Session, *, runtime: Runtime, user: User, family_id: str) -> str:
    secret = new_secret()
    session.add(RefreshToken(
        user_id=user.id, family_id=family_id, token_hash=digest(secret),
        expires_at=utcnow() + timedelta(seconds=runtime.settings.refresh_token_ttl_seconds),
    ))
    return secret


def issue_pair(session: Session, *, runtime: Runtime, user: User, family_id: str | None = None) -> TokenPair:
    family_id = family_id or uuid.uuid4().hex
    refresh = _new_refresh_token(session, runtime=runtime, user=user, family_id=family_id)
    access = access_token_for(runtime, user, family_id)
    return TokenPair(access_token=access, refresh_token=refresh,
                     expires_in=runtime.settings.access_token_ttl_seconds)


def login(session: Session, *, runtime: Runtime, username: str, password: str,
          address: str) -> TokenPair:
    account = normalise_username(username)
    wait = runtime.throttle.retry_after(account=account, address=address)
    if wait:
        raise too_many_attempts(wait)
    user = user_by_username(session, account)
    # An unknown user costs a hash too (verify spends one on a dummy).
    ok = runtime.passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        runtime.throttle.failure(account=account, address=address, action="login")
        raise invalid_credentials()
    runtime.throttle.success(account=account)
    if runtime.passwords.needs_rehash(user.password_hash):
        user.password_hash = runtime.passwords.hash(password)
        logger.info("password re-hashed with current argon2 parameters",
                    extra={"user_id": user.id})
    return issue_pair(session, runtime=runtime, user=user)


def invalid_refresh() -> ApiError:
    return ApiError(401, "invalid_refresh_token", "The refresh token is invalid or expired.")


def revoke_family(session: Session, family_id: str) -> None:
    session.execute(update(RefreshToken)
                    .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def revoke_all_refresh_tokens(session: Session, user_id: int) -> None:
    session.execute(update(RefreshToken)
                    .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def refresh(session: Session, *, runtime: Runtime, token: str) -> TokenPair:
    """The token is spent, or its family revoked, in a short transaction of its own before the
    request's session writes anything: a reuse's revocation must stand although the answer is
    401, and SQLite lets one writer in at a time. A token spent stays spent if the request then
    fails (its owner signs in again)."""
    row = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == digest(token))).first()
    if row is None:
        raise invalid_refresh()
    now = utcnow()
    if row.used_at is not None or row.revoked_at is not None:
        _reuse_detected(runtime, row)
    if row.expires_at <= now:
        raise invalid_refresh()
    # Claim the token atomically: of two concurrent uses only one wins, the other is a reuse.
    with session_scope(runtime.session_factory) as claim:
        claimed = claim.execute(
            update(RefreshToken)
            .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None),
                   RefreshToken.revoked_at.is_(None))
            .values(used_at=now)
        )
        won = getattr(claimed, "rowcount", 0) == 1
    if not won:
        _reuse_detected(runtime, row)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise invalid_refresh()
    return issue_pair(session, runtime=runtime, user=user, family_id=row.family_id)


def _reuse_detected(runtime: Runtime, row: RefreshToken) -> None:
    """A refresh token came back after it was rotated or revoked: the family is compromised."""
    logger.warning("refresh token reuse: revoking its family",
                   extra={"event": "auth.refresh_reuse", "user_id": row.user_id,
                          "family": row.family_id, "was_rotated": row.used_at is not None})
    with session_scope(runtime.session_factory) as revocation:
        revoke_family(revocation, row.family_id)
    raise invalid_refresh()


def logout_refresh_token(session: Session, *, token: str) -> None:
    """Revoke the session the refresh token belongs to; unknown tokens are ignored (no oracle)."""
    row = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == digest(token))).first()
    if row is not None:
        revoke_family(session, row.family_id)  # its access tokens carry it as `sid`: they end


def logout_everywhere(session: Session, *, user_id: int) -> None:
    revoke_all_refresh_tokens(session, user_id)
    end_access_tokens(session, user_id)


def _set_password(session: Session, *, runtime: Runtime, user: User, new_password: str) -> None:
    user.password_hash = runtime.passwords.hash(new_password)
    user.password_changed_at = utcnow()
    revoke_all_refresh_tokens(session, user.id)
    end_access_tokens(session, user.id)
    # Any other reset link still in someone's inbox is void once the password changed.
    session.execute(update(PasswordResetToken)
                    .where(PasswordResetToken.user_id == user.id,
                           PasswordResetToken.used_at.is_(None))
                    .values(used_at=utcnow()))


def recipient_of(user: User) -> Recipient:
    return Recipient(username=user.username, email=user.email, language=user.language)


def notify_password_changed(runtime: Runtime, recipient: Recipient, when: datetime) -> None:
    try:
        runtime.mailer.send(changed_message(recipient, sender=runtime.settings.mail_from, when=when))
    except OSError:
        logger.exception("could not send the password-changed notice")


def change_password(session: Session, *, runtime: Runtime, user_id: int, current_password: str,
                    new_password: str, address: str) -> Recipient:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ApiError(404, "not_found", "No such account.")
    wait = runtime.throttle.retry_after(account=user.username, address=address)
    if wait:
        raise too_many_attempts(wait)
    if not runtime.passwords.verify(user.password_hash, current_password):
        runtime.throttle.failure(account=user.username, address=address, action="password_change")
        raise ApiError(400, "wrong_password", "The current password is wrong.")
    check_password_policy(runtime, new_password, username=user.username)
    _set_password(session, runtime=runtime, user=user, new_password=new_password)
    return recipient_of(user)


def send_reset_links(*, runtime: Runtime, email: str) -> None:
    """Runs after the 202 went out, so whether the address exists never shows in the timing."""
    settings = runtime.settings
    with session_scope(runtime.session_factory) as session:
        users = session.scalars(
            select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True))
        ).all()
        outgoing = []
        for user in users:
            secret = new_secret()
            session.add(PasswordResetToken(
                user_id=user.id, token_hash=digest(secret),
                expires_at=utcnow() + timedelta(seconds=settings.password_reset_ttl_seconds),
            ))
            link = f"{settings.public_base_url}/reset-password?token={secret}"
            outgoing.append(reset_message(recipient_of(user), sender=settings.mail_from, link=link,
                                          minutes=settings.password_reset_ttl_seconds // 60))
    for message in outgoing:
        try:
            runtime.mailer.send(message)
        except OSError:
            logger.exception("could not send a password-reset e-mail")


def invalid_reset_token() -> ApiError:
    return ApiError(400, "invalid_token", "This reset link is invalid, expired or already used.")


def reset_password(session: Session, *, runtime: Runtime, token: str, new_password: str) -> Recipient:
    row = session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == digest(token))
    ).first()
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise invalid_reset_token()
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise invalid_reset_token()
    # The policy is checked before the token is spent, so a weak choice can be corrected.
    check_password_policy(runtime, new_password, username=user.username)
    # The throttle writes in its own transaction: before this request's first write (SQLite
    # has one writer at a time). The link proves the owner, whether or not a racing use wins.
    runtime.throttle.success(account=user.username)
    claimed = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise invalid_reset_token()
    _set_password(session, runtime=runtime, user=user, new_password=new_password)
    logger.info("password reset", extra={"event": "auth.password_reset", "user_id": user.id})
    return recipient_of(user)


def bootstrap_admin(session: Session, *, runtime: Runtime) -> None:
    """Create the configured admin when no admin exists (first start of a deployment)."""
    settings = runtime.settings
    username = normalise_username(settings.bootstrap_admin_username)
    password = settings.bootstrap_admin_password.get_secret_value()
    if not username or not password:
        return
    if session.scalars(select(User.id).where(User.active.is_(True), has_role("admin"))).first():
        return
    existing = user_by_username(session, username)
    if existing is not None:
        logger.warning("bootstrap admin name exists without the admin role; leaving it alone",
                       extra={"username": username})
        return
    try:
        create_user(session, runtime=runtime, username=username,
                    email=settings.bootstrap_admin_email, password=password, roles=["admin"],
                    check_policy=False)
    except Conflict:  # another replica created it first
        return
    logger.info("bootstrap admin created", extra={"username": username})


def own_user(session: Session, principal: Principal) -> User:
    """The active account a user token stands for (404 for a kiosk's or service's token)."""
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None or not user.active:
        raise ApiError(404, "not_found", "This token does not belong to an active user account.")
    return user
