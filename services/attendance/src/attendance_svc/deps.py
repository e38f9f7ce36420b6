"""Request dependencies as Annotated aliases, and the object-level access scope of a caller."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from attendance_svc.config import Settings
from attendance_svc.organisation.models import Department, Employee, works_at
from attendance_svc.sites.models import Site
from attendance_svc.validation import Id
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.db import SessionDep as SessionDep
from faceclock_common.fastapi.security import CurrentPrincipal
from faceclock_common.i18n import negotiate
from faceclock_common.security import SERVICE_ROLE, Principal
from faceclock_common.throttle import Store


# `async def` although they never await: FastAPI would run a plain `def` in the thread pool.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_pin_lockout(request: Request) -> Store:
    """Where the badge + PIN lockout counts (clocking/lockout.py), built at start."""
    store: Store = request.app.state.pin_lockout
    return store


PinLockoutDep = Annotated[Store, Depends(get_pin_lockout)]


async def get_language(request: Request) -> str:
    """The reader's language ("en" or "zh-CN") from Accept-Language, for text we write."""
    return negotiate(request.headers.get("accept-language"))


LanguageDep = Annotated[str, Depends(get_language)]


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    """For a write that must stand whatever the request answers (faceclock_common.db's
    session_scope): a liveness challenge used up by a refused try."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]

# Roles that read everything (the service role: reporting pages through the public GETs).
READ_ALL = ("hr", SERVICE_ROLE)
# Everyone who may call a read route at all; what they then see is narrowed by AccessScope.
READERS = ("hr", "manager", "employee", SERVICE_ROLE)


async def require_service(principal: CurrentPrincipal) -> Principal:
    """Internal routes: the `service` role only (not even admin, whose token a user holds)."""
    if SERVICE_ROLE not in principal.roles:
        raise ApiError(403, "forbidden", "Only other services may call internal routes.")
    return principal


require_service.__access_rule__ = "roles:service"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AccessScope:
    """Which employees a caller may see: all, the departments they manage, and/or themselves;
    narrowed to one site's people when a list asks for it (`site_id`)."""

    everything: bool
    department_ids: frozenset[int] = frozenset()
    employee_id: int | None = None
    site_id: int | None = None

    @classmethod
    def of(cls, principal: Principal, managed: Iterable[int] = ()) -> AccessScope:
        """`managed`: the departments whose manager is the caller's employee. Being named a
        department's manager is enough; a manager account's own department counts too."""
        if principal.is_admin or principal.has_any(READ_ALL):
            return cls(everything=True)
        departments = set(managed)
        if "manager" in principal.roles and principal.department_id is not None:
            departments.add(principal.department_id)
        own = principal.employee_id if principal.has_any(("manager", "employee")) else None
        return cls(everything=False, department_ids=frozenset(departments), employee_id=own)

    def manages(self, department_id: int | None) -> bool:
        return department_id is not None and department_id in self.department_ids

    def at_site(self, site_id: int) -> AccessScope:
        return replace(self, site_id=site_id)

    def employee_filter(self) -> ColumnElement[bool]:
        allowed = self._allowed()
        return allowed if self.site_id is None else and_(allowed, works_at(self.site_id))

    def _allowed(self) -> ColumnElement[bool]:
        if self.everything:
            return true()
        conditions: list[ColumnElement[bool]] = []
        if self.department_ids:
            conditions.append(Employee.department_id.in_(sorted(self.department_ids)))
        if self.employee_id is not None:
            conditions.append(Employee.id == self.employee_id)
        return or_(*conditions) if conditions else false()


async def get_scope(principal: CurrentPrincipal, session: SessionDep) -> AccessScope:
    """On the event loop; only a caller who may manage departments costs a query (in a thread):
    as a plain `def` every read of every route took a thread-pool hop here."""
    managed: list[int] = []
    if principal.employee_id is not None and principal.has_any(("manager", "employee")):
        managed = await run_in_threadpool(lambda: list(session.scalars(select(Department.id).where(
            Department.manager_employee_id == principal.employee_id))))
    return AccessScope.of(principal, managed)


ScopeDep = Annotated[AccessScope, Depends(get_scope)]


SiteFilter = Annotated[Id | None, Query(
    description="only the people of this site (within what the caller may see)")]


def get_site_scope(scope: ScopeDep, session: SessionDep, site_id: SiteFilter = None
                   ) -> AccessScope:
    if site_id is None:
        return scope
    if session.get(Site, site_id) is None:
        raise ApiError(404, "site_not_found", "No such site.")
    return scope.at_site(site_id)


# The scope of a list that can be filtered by site: admins and HR filter everyone, a manager
# their own departments' people.
SiteScopeDep = Annotated[AccessScope, Depends(get_site_scope)]
