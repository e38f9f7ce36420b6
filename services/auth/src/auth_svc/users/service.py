"""Administration of accounts: roles, activation, and the link to an employee record."""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from auth_svc.accounts.models import User
from auth_svc.accounts.service import (
    create_user,
    end_access_tokens,
    has_role,
    revoke_all_refresh_tokens,
)
from auth_svc.runtime import Runtime
from auth_svc.users.schemas import UserCreate, UserUpdate
from faceclock_common.errors import ApiError
from faceclock_common.security import Principal

logger = logging.getLogger(__name__)

# What hr may change on an account: the employee link only; roles and activation are admin's.
HR_FIELDS = frozenset({"employee_id", "department_id"})


def list_users(session: Session, *, limit: int, offset: int, q: str | None = None,
               role: str | None = None, employee_id: int | None = None,
               active: bool | None = None) -> tuple[list[User], int]:
    query = select(User)
    if q:
        needle = q.strip().lower()
        query = query.where(or_(User.username.contains(needle, autoescape=True),
                                func.lower(User.email).contains(needle, autoescape=True)))
    if role:
        query = query.where(has_role(role))
    if employee_id is not None:
        query = query.where(User.employee_id == employee_id)
    if active is not None:
        query = query.where(User.active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(User.id).limit(limit).offset(offset)).all()
    return list(items), total


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ApiError(404, "not_found", "No such user.")
    return user


def admin_create_user(session: Session, *, runtime: Runtime, data: UserCreate) -> User:
    if data.employee_id is not None:
        ensure_employee_free(session, employee_id=data.employee_id, user_id=None)
    user = create_user(session, runtime=runtime, username=data.username, email=str(data.email),
                       password=data.password, roles=sorted(set(data.roles)),
                       language=data.language, employee_id=data.employee_id)
    user.department_id = data.department_id
    return user


def ensure_employee_free(session: Session, *, employee_id: int, user_id: int | None) -> None:
    other = session.scalars(select(User.id).where(User.employee_id == employee_id)).first()
    if other is not None and other != user_id:
        raise ApiError(409, "employee_already_linked",
                       "Another account is already linked to this employee.")


def _would_remove_last_admin(session: Session, user: User, data: UserUpdate) -> bool:
    loses_admin = (data.roles is not None and "admin" not in data.roles) or data.active is False
    if "admin" not in user.roles or not loses_admin:
        return False
    others = session.scalars(
        select(User.id).where(User.id != user.id, User.active.is_(True), has_role("admin"))
    ).first()
    return others is None


def _comparable(name: str, value: object) -> object:
    if name == "roles" and isinstance(value, list):
        return sorted(set(value))
    if name == "email" and value is not None:
        return str(value)
    return value


def update_user(session: Session, *, user_id: int, data: UserUpdate, actor: Principal) -> User:
    user = get_user(session, user_id=user_id)
    # Fields sent with their current value are not changes: a form may send the whole record.
    changed = {name for name in data.model_fields_set
               if _comparable(name, getattr(data, name)) != _comparable(name, getattr(user, name))}
    if not actor.is_admin and changed - HR_FIELDS:
        raise ApiError(403, "forbidden", "Only an admin may change roles, activation or contact data.")
    for name in ("roles", "active", "email", "language"):
        if name in changed and getattr(data, name) is None:
            raise ApiError(422, "validation_error", f"{name}: may not be null")
    if _would_remove_last_admin(session, user, data):
        raise ApiError(409, "last_admin", "This is the last active admin; appoint another first.")
    if "employee_id" in changed and data.employee_id is not None:
        ensure_employee_free(session, employee_id=data.employee_id, user_id=user.id)
    if "roles" in changed and data.roles is not None:
        user.roles = sorted(set(data.roles))
    if "active" in changed and data.active is not None:
        user.active = data.active
        if not data.active:
            revoke_all_refresh_tokens(session, user.id)
    if "employee_id" in changed:
        user.employee_id = data.employee_id
    if "department_id" in changed:
        user.department_id = data.department_id
    if "email" in changed and data.email is not None:
        user.email = str(data.email)
    if "language" in changed and data.language is not None:
        user.language = data.language
    if changed & {"roles", "active", "employee_id", "department_id"}:
        # Access tokens carry these: the ones already out must not outlive the change.
        end_access_tokens(session, user.id)
    logger.info("account updated", extra={"event": "auth.user_updated", "user_id": user.id,
                                          "fields": sorted(changed), "by": actor.subject})
    return user


def unlink_employee(session: Session, *, employee_id: int) -> int:
    """The employee was erased: accounts linked to them lose the link (and their access tokens),
    so no later employee can be reached through it. Returns how many accounts were linked."""
    users = session.scalars(select(User).where(User.employee_id == employee_id)).all()
    for user in users:
        user.employee_id = None
        user.department_id = None
        end_access_tokens(session, user.id)
    if users:
        logger.info("accounts unlinked from an erased employee",
                    extra={"event": "auth.employee_unlinked", "employee_id": employee_id,
                           "user_ids": [u.id for u in users]})
    return len(users)
