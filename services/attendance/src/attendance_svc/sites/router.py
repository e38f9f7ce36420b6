"""Sites and the kiosks bound to them. Everyone may read the site list (names and time zones are
not secret inside an organisation); HR and admins edit it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from attendance_svc.deps import READERS, SessionDep, SettingsDep, require_service
from attendance_svc.pagination import PageDep
from attendance_svc.sites import service
from attendance_svc.sites.schemas import (
    SiteCreate,
    SiteKioskBind,
    SiteKioskPage,
    SiteKioskRead,
    SitePage,
    SiteRead,
    SiteUpdate,
)
from attendance_svc.validation import Id
from faceclock_common.contracts import (
    ClaimedEmployee,
    ClaimRequest,
    KioskPeople,
    KioskPolicy,
    RosterIds,
)
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import CurrentPrincipal, require_roles

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
read = [Depends(require_roles(*READERS))]
write = [Depends(require_roles("hr"))]


@router.post("", status_code=201, response_model=SiteRead, dependencies=write)
def create_site(body: SiteCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    return service.create_site(session=session, data=body, actor=principal.subject)


@router.get("", response_model=SitePage, dependencies=read)
def list_sites(session: SessionDep, page: PageDep) -> object:
    items, total = service.list_sites(session=session, limit=page.limit, offset=page.offset)
    return {"items": items, "total": total}


@router.get("/{site_id}", response_model=SiteRead, dependencies=read)
def get_site(site_id: Id, session: SessionDep) -> object:
    return service.get_site(session=session, site_id=site_id)


@router.patch("/{site_id}", response_model=SiteRead, dependencies=write)
def update_site(site_id: Id, body: SiteUpdate, session: SessionDep,
                principal: CurrentPrincipal, settings: SettingsDep) -> object:
    site = service.get_site(session=session, site_id=site_id)
    return service.update_site(session=session, site=site, data=body, actor=principal.subject,
                               default_timezone=settings.default_timezone)


@router.delete("/{site_id}", status_code=204, dependencies=write)
def delete_site(site_id: Id, session: SessionDep, principal: CurrentPrincipal) -> Response:
    site = service.get_site(session=session, site_id=site_id)
    service.delete_site(session=session, site=site, actor=principal.subject)
    return Response(status_code=204)


@router.get("/{site_id}/kiosks", response_model=SiteKioskPage, dependencies=write)
def list_site_kiosks(site_id: Id, session: SessionDep) -> object:
    site = service.get_site(session=session, site_id=site_id)
    items = service.list_site_kiosks(session=session, site=site)
    return {"items": items, "total": len(items)}


@router.put("/{site_id}/kiosks/{kiosk_id}", response_model=SiteKioskRead, dependencies=write)
def bind_kiosk(site_id: Id, kiosk_id: Id, session: SessionDep, principal: CurrentPrincipal,
               body: SiteKioskBind | None = None) -> object:
    """Bind a kiosk device (its id under /api/v1/kiosks) to this site, moving it if bound
    elsewhere; optionally with its own identification mode and department."""
    site = service.get_site(session=session, site_id=site_id)
    return service.bind_kiosk(session=session, site=site, kiosk_id=kiosk_id,
                              actor=principal.subject, data=body or SiteKioskBind())


internal = APIRouter(prefix="/internal", dependencies=[Depends(require_service)],
                     tags=["internal"])


@internal.get("/kiosks/{kiosk_id}/policy", response_model=KioskPolicy)
def kiosk_policy(kiosk_id: Id, session: SessionDep) -> object:
    return service.kiosk_policy(session=session, kiosk_id=kiosk_id)


@internal.get("/kiosks/{kiosk_id}/people", response_model=KioskPeople)
def people_at_kiosk(kiosk_id: Id, session: SessionDep,
                    q: Annotated[str, Query(min_length=2, max_length=100)]) -> object:
    return {"items": service.people_at_kiosk(session=session, kiosk_id=kiosk_id, q=q)}


@internal.post("/claims", response_model=ClaimedEmployee)
def resolve_claim(body: ClaimRequest, session: SessionDep) -> object:
    return service.resolve_claim(session=session, claim=body)


@internal.get("/rosters", response_model=RosterIds)
def roster(session: SessionDep, site_id: Id | None = None,
           department_id: Id | None = None) -> object:
    if site_id is None and department_id is None:  # a roll call never covers the whole company
        raise ApiError(422, "scope_required", "Give a site_id or a department_id.")
    return {"employee_ids": service.roster(session=session, site_id=site_id,
                                           department_id=department_id)}


@router.delete("/{site_id}/kiosks/{kiosk_id}", status_code=204, dependencies=write)
def unbind_kiosk(site_id: Id, kiosk_id: Id, session: SessionDep,
                 principal: CurrentPrincipal) -> Response:
    site = service.get_site(session=session, site_id=site_id)
    service.unbind_kiosk(session=session, site=site, kiosk_id=kiosk_id, actor=principal.subject)
    return Response(status_code=204)
