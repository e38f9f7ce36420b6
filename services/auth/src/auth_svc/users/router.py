"""/api/v1/users: admins manage accounts; hr links accounts to employee records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from auth_svc.accounts.models import User
from auth_svc.accounts.schemas import UserRead
from auth_svc.deps import CurrentPrincipal, RuntimeDep, SessionDep
from auth_svc.users import service
from auth_svc.users.schemas import Role, UserCreate, UserPage, UserUpdate
from faceclock_common.bounds import ROW_ID_MAX
from faceclock_common.fastapi.params import PageLimit, PageOffset, RowId
from faceclock_common.fastapi.security import require_roles

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("", response_model=UserPage, dependencies=[Depends(require_roles("hr"))])
def list_users(session: SessionDep, limit: PageLimit = 50,
               offset: PageOffset = 0, q: str | None = Query(None, max_length=100),
               role: Role | None = None,
               employee_id: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
               active: bool | None = None) -> UserPage:
    items, total = service.list_users(session, limit=limit, offset=offset, q=q, role=role,
                                      employee_id=employee_id, active=active)
    return UserPage(items=[UserRead.model_validate(u) for u in items], total=total)


@router.post("", status_code=201, response_model=UserRead,
             dependencies=[Depends(require_roles("admin"))])
def create_user(body: UserCreate, session: SessionDep, runtime: RuntimeDep) -> User:
    return service.admin_create_user(session, runtime=runtime, data=body)


@router.get("/{user_id}", response_model=UserRead, dependencies=[Depends(require_roles("hr"))])
def get_user(user_id: RowId, session: SessionDep) -> User:
    return service.get_user(session, user_id=user_id)


@router.patch("/{user_id}", response_model=UserRead, dependencies=[Depends(require_roles("hr"))])
def update_user(user_id: RowId, body: UserUpdate, session: SessionDep,
                principal: CurrentPrincipal) -> User:
    return service.update_user(session, user_id=user_id, data=body, actor=principal)
