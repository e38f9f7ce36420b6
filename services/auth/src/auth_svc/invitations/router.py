"""HR invites an employee (POST /api/v1/users/invitations); the invitee accepts with the link's
secret (POST /api/v1/auth/invitations/accept, public)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends

from auth_svc.deps import CurrentPrincipal, RuntimeDep, SessionDep
from auth_svc.invitations import service
from auth_svc.invitations.schemas import (
    AccountCreated,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
)
from faceclock_common.fastapi.security import public, require_roles

router = APIRouter(tags=["invitations"])


@router.post("/api/v1/users/invitations", status_code=201, response_model=InvitationRead,
             dependencies=[Depends(require_roles("hr"))])
def invite(body: InvitationCreate, session: SessionDep, runtime: RuntimeDep,
           principal: CurrentPrincipal, background: BackgroundTasks) -> object:
    """E-mails the employee a sign-up link that works once, for `AUTH_INVITATION_TTL_SECONDS`
    (7 days); 409 if an account is already linked to the employee."""
    row, link = service.invite(session, runtime=runtime, data=body, invited_by=principal.user_id)
    background.add_task(service.send_invitation, runtime, body, link)
    return row


@router.post("/api/v1/auth/invitations/accept", status_code=201, response_model=AccountCreated,
             dependencies=[Depends(public)])
def accept(body: InvitationAccept, session: SessionDep, runtime: RuntimeDep) -> AccountCreated:
    """Creates the account, linked to the invited employee; the link is then spent. 400 for a
    link unknown, expired or used; 409 for a taken user name (the link still works)."""
    return service.accept(session, runtime=runtime, data=body)
