"""Request dependencies as Annotated aliases, and the object-level access scope of a caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Session

from attendance_svc.config import Settings
from attendance_svc.organisation.models import Employee
from faceclock_common.errors import ApiError
from faceclock_common.security import SERVICE_ROLE, CurrentPrincipal, Principal


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

# Roles that read everything (the service role: reporting pages through the public GETs).
READ_ALL = ("hr", SERVICE_ROLE)
# Everyone who may call a read route at all; what they then see is narrowed by AccessScope.
READERS = ("hr", "manager", "employee", SERVICE_ROLE)


def require_service(principal: CurrentPrincipal) -> Principal:
    """Internal routes: the `service` role only (not even admin, whose token a user holds)."""
    if SERVICE_ROLE not in principal.roles:
        raise ApiError(403, "forbidden", "Only other services may call internal routes.")
    return principal


require_service.__access_rule__ = "roles:service"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AccessScope:
    """Which employees a caller may see: all, one department (managers), and/or themselves."""

    everything: bool
    department_id: int | None = None
    employee_id: int | None = None

    @classmethod
    def of(cls, principal: Principal) -> AccessScope:
        if principal.is_admin or principal.has_any(READ_ALL):
            return cls(everything=True)
        department = principal.department_id if "manager" in principal.roles else None
        own = principal.employee_id if principal.has_any(("manager", "employee")) else None
        return cls(everything=False, department_id=department, employee_id=own)

    def employee_filter(self) -> ColumnElement[bool]:
        if self.everything:
            return true()
        conditions: list[ColumnElement[bool]] = []
        if self.department_id is not None:
            conditions.append(Employee.department_id == self.department_id)
        if self.employee_id is not None:
            conditions.append(Employee.id == self.employee_id)
        return or_(*conditions) if conditions else false()

    def sees(self, employee: Employee) -> bool:
        if self.everything:
            return True
        if self.employee_id is not None and employee.id == self.employee_id:
            return True
        return self.department_id is not None and employee.department_id == self.department_id


def get_scope(principal: CurrentPrincipal) -> AccessScope:
    return AccessScope.of(principal)


ScopeDep = Annotated[AccessScope, Depends(get_scope)]
