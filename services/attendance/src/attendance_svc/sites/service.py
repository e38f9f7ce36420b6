from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attendance_svc.audit.service import record
from attendance_svc.db import refuse_taken_name
from attendance_svc.organisation.models import Department, Employee, works_at
from attendance_svc.results.service import recompute_people
from attendance_svc.scheduling.models import HolidayCalendar
from attendance_svc.sites.models import Site, SiteKiosk
from attendance_svc.sites.schemas import SiteCreate, SiteKioskBind, SiteUpdate
from faceclock_common.contracts import ClaimedEmployee, ClaimRequest, KioskPolicy
from faceclock_common.db import conflict_on_duplicate
from faceclock_common.errors import Conflict, Invalid, NotFound


def _refuse_taken_name(session: Session, name: str, exclude: int | None = None) -> None:
    refuse_taken_name(session, Site, name, exclude=exclude, code="duplicate_site_name",
                      noun="site")


def _unique_name(session: Session) -> AbstractContextManager[None]:
    return conflict_on_duplicate(session, "duplicate_site_name", "That site name exists.")


def check_site(session: Session, site_id: int | None) -> None:
    """For the rows that name a site (employees, departments): 422 when it does not exist."""
    if site_id is not None and session.get(Site, site_id) is None:
        raise Invalid("unknown_site", f"Site {site_id} does not exist.")


def get_site(*, session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("site_not_found", "No such site.")
    return site


def list_sites(*, session: Session, limit: int, offset: int) -> tuple[list[Site], int]:
    total = session.scalar(select(func.count(Site.id))) or 0
    rows = session.scalars(select(Site).order_by(Site.id).limit(limit).offset(offset)).all()
    return list(rows), total


def check_holiday_calendar(session: Session, calendar_id: int | None) -> None:
    if calendar_id is not None and session.get(HolidayCalendar, calendar_id) is None:
        raise Invalid("unknown_holiday_calendar",
                      f"Holiday calendar {calendar_id} does not exist.")


def create_site(*, session: Session, data: SiteCreate, actor: str) -> Site:
    check_holiday_calendar(session, data.holiday_calendar_id)
    _refuse_taken_name(session, data.name)
    site = Site(**data.model_dump())
    with _unique_name(session):
        session.add(site)
    record(session, actor=actor, action="create", entity="site", entity_id=site.id,
           **data.model_dump())
    return site


def update_site(*, session: Session, site: Site, data: SiteUpdate, actor: str,
                default_timezone: str) -> Site:
    changes = data.model_dump(exclude_unset=True)
    if "holiday_calendar_id" in changes:
        check_holiday_calendar(session, changes["holiday_calendar_id"])
    for field in ("name", "timezone", "liveness"):
        if field in changes and changes[field] is None:
            raise Invalid("validation_error", f"{field}: may not be null")
    if "name" in changes:
        _refuse_taken_name(session, changes["name"], site.id)
    with _unique_name(session):
        for key, value in changes.items():
            setattr(site, key, value)
    record(session, actor=actor, action="update", entity="site", entity_id=site.id,
           changes=changes)
    if changes.keys() & {"timezone", "holiday_calendar_id"}:
        # The site's zone and holidays are inputs of its people's days.
        recompute_people(session, people=works_at(site.id), default_timezone=default_timezone)
    return site


def delete_site(*, session: Session, site: Site, actor: str) -> None:
    """Refused while anything is attached: silently detaching a kiosk or an employee would change
    whose faces that kiosk searches and which calendar applies."""
    attached = {
        "employees": session.scalar(select(func.count(Employee.id))
                                    .where(Employee.site_id == site.id)) or 0,
        "departments": session.scalar(select(func.count(Department.id))
                                      .where(Department.site_id == site.id)) or 0,
        "kiosks": session.scalar(select(func.count(SiteKiosk.kiosk_id))
                                 .where(SiteKiosk.site_id == site.id)) or 0,
    }
    in_use = ", ".join(f"{count} {what}" for what, count in attached.items() if count)
    if in_use:
        raise Conflict("site_in_use",
                       f"Site {site.name!r} still has {in_use}; move or detach them first.")
    record(session, actor=actor, action="delete", entity="site", entity_id=site.id,
           name=site.name)
    session.delete(site)


# --- kiosks ------------------------------------------------------------------------------------

def list_site_kiosks(*, session: Session, site: Site) -> list[SiteKiosk]:
    return list(session.scalars(select(SiteKiosk).where(SiteKiosk.site_id == site.id)
                                .order_by(SiteKiosk.kiosk_id)).all())


def bind_kiosk(*, session: Session, site: Site, kiosk_id: int, actor: str,
               data: SiteKioskBind) -> SiteKiosk:
    """Bind the kiosk device to this site (moving it from any other) with its mode."""
    if data.department_id is not None and session.get(Department, data.department_id) is None:
        raise Invalid("unknown_department", f"Department {data.department_id} does not exist.")
    binding = session.get(SiteKiosk, kiosk_id)
    previous = binding.site_id if binding is not None else None
    # Two binds of one new kiosk at once: the other one won.
    with conflict_on_duplicate(session, "kiosk_binding_conflict",
                               "The kiosk was bound at the same moment; try again."):
        if binding is None:
            binding = SiteKiosk(kiosk_id=kiosk_id, site_id=site.id)
            session.add(binding)
        binding.site_id = site.id
        binding.identification_mode = data.identification_mode
        binding.department_id = data.department_id
    record(session, actor=actor, action="bind_kiosk", entity="site", entity_id=site.id,
           kiosk_id=kiosk_id, previous_site_id=previous, **data.model_dump())
    return binding


def unbind_kiosk(*, session: Session, site: Site, kiosk_id: int, actor: str) -> None:
    binding = session.get(SiteKiosk, kiosk_id)
    if binding is None or binding.site_id != site.id:
        raise NotFound("kiosk_not_found", "That kiosk is not bound to this site.")
    record(session, actor=actor, action="unbind_kiosk", entity="site", entity_id=site.id,
           kiosk_id=kiosk_id)
    session.delete(binding)


# --- the kiosk and roll-call flows (internal) ---------------------------------------------------

def roster(*, session: Session, site_id: int | None = None,
           department_id: int | None = None) -> list[int]:
    """Active employees of a site and/or department: the gallery a scoped search covers."""
    query = select(Employee.id).where(Employee.status == "active")
    if site_id is not None:
        query = query.where(works_at(site_id))
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    return list(session.scalars(query.order_by(Employee.id)).all())


def kiosk_policy(*, session: Session, kiosk_id: int) -> KioskPolicy:
    """How a kiosk tells who is in front of it. A kiosk bound to no site verifies: 1:N over
    everyone is never the default."""
    binding = session.get(SiteKiosk, kiosk_id)
    site = session.get(Site, binding.site_id) if binding is not None else None
    if binding is None or site is None:
        return KioskPolicy(kiosk_id=kiosk_id, site_id=None, site_name=None,
                           identification_mode="verify", department_id=None,
                           gallery_employee_ids=None)
    mode = binding.effective_mode(site)
    gallery = (roster(session=session, site_id=site.id, department_id=binding.department_id)
               if mode == "identify" else None)
    return KioskPolicy(kiosk_id=kiosk_id, site_id=site.id, site_name=site.name,
                       identification_mode="identify" if mode == "identify" else "verify",
                       department_id=binding.department_id, gallery_employee_ids=gallery)


def _claimed(employee: Employee) -> ClaimedEmployee:
    return ClaimedEmployee(employee_id=employee.id, employee_no=employee.employee_no,
                           name=employee.name)


def resolve_claim(*, session: Session, claim: ClaimRequest) -> ClaimedEmployee:
    """Who a person at a kiosk says they are (badge number, or their name tapped in a list).
    One answer for every failure, so the kiosk cannot be used to probe badge numbers."""
    if (claim.employee_no is None) == (claim.employee_id is None):
        raise Invalid("validation_error", "Give exactly one of employee_no and employee_id.")
    if claim.employee_no is not None:
        employee = session.scalar(select(Employee).where(Employee.employee_no == claim.employee_no))
    else:
        employee = session.get(Employee, claim.employee_id)
    if employee is None or employee.status != "active":
        raise NotFound("unknown_claim", "No active employee has that badge number.")
    return _claimed(employee)


def people_at_kiosk(*, session: Session, kiosk_id: int, q: str, limit: int = 10
                    ) -> list[ClaimedEmployee]:
    """A short list of names to tap on: the kiosk's site's active people matching `q`."""
    binding = session.get(SiteKiosk, kiosk_id)
    if binding is None:  # a kiosk bound to no site lists nobody: not the whole organisation
        return []
    query = select(Employee).where(Employee.status == "active",
                                   func.lower(Employee.name).contains(q.strip().lower(),
                                                                      autoescape=True),
                                   works_at(binding.site_id))
    if binding.department_id is not None:
        query = query.where(Employee.department_id == binding.department_id)
    rows = session.scalars(query.order_by(Employee.name, Employee.id).limit(limit)).all()
    return [_claimed(e) for e in rows]
