"""/internal: client-credentials tokens for the other services (never routed by the gateway)."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query

from auth_svc.accounts.schemas import AccessToken, ServiceTokenRequest
from auth_svc.accounts.service import too_many_attempts
from auth_svc.deps import RuntimeDep, SessionDep
from auth_svc.keys.revocation import subject_status
from auth_svc.notifications.service import (
    deliver,
    deliver_digest,
    send_digest_emails,
    send_emails,
)
from auth_svc.users.service import unlink_employee
from faceclock_common.contracts import (
    DigestIn,
    DigestReport,
    NoticeIn,
    NoticeReport,
    TokenStatus,
    Unlinked,
)
from faceclock_common.errors import ApiError
from faceclock_common.fastapi.params import RowId
from faceclock_common.fastapi.security import public, require_service
from faceclock_common.security import SERVICE_ROLE

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/internal", tags=["internal"])

# Compared against when the client id is unknown, so both paths cost the same.
_NO_SECRET = "x" * 43


@router.post("/service-token", response_model=AccessToken, dependencies=[Depends(public)])
def service_token(body: ServiceTokenRequest, runtime: RuntimeDep) -> AccessToken:
    # Throttled per client id, not per address: services share addresses (one host, one
    # NAT), and one misconfigured service must not lock the others out of their tokens.
    account = f"service:{body.client_id}"
    wait = runtime.throttle.retry_after(account=account, address=None)
    if wait:
        raise too_many_attempts(wait)
    known = runtime.settings.service_clients.get(body.client_id)
    expected = known.get_secret_value() if known is not None else _NO_SECRET
    matches = hmac.compare_digest(body.client_secret.encode(), expected.encode())
    if known is None or not matches:
        runtime.throttle.failure(account=account, address=None, action="service_token")
        logger.warning("service token refused", extra={"client_id": body.client_id})
        raise ApiError(401, "invalid_client", "Unknown client or wrong secret.")
    ttl = runtime.settings.service_token_ttl_seconds
    token = runtime.signer.sign(subject=f"service:{body.client_id}", roles=[SERVICE_ROLE],
                                username=f"service:{body.client_id}", ttl_seconds=ttl)
    return AccessToken(access_token=token, expires_in=ttl)


@router.get("/token-status/{subject}", response_model=TokenStatus,
            dependencies=[Depends(require_service)])
def token_status(subject: Annotated[str, Path(max_length=200)], session: SessionDep,
                 sid: Annotated[str, Query(max_length=64)] = "") -> TokenStatus:
    """Whether access tokens of a subject still count: the gateway asks (and caches briefly).
    A user's tokens count while the account is active and their `ver` is this version; a
    kiosk's while the device is not revoked; a service's always."""
    active, version = subject_status(session, subject, sid)
    return TokenStatus(active=active, version=version)


@router.post("/employees/{employee_id}/unlink", response_model=Unlinked,
             dependencies=[Depends(require_service)])
def unlink(employee_id: RowId, session: SessionDep) -> Unlinked:
    """The gateway's employee erasure: accounts linked to the employee lose the link."""
    return Unlinked(unlinked=unlink_employee(session, employee_id=employee_id))


@router.post("/notifications", response_model=NoticeReport,
             dependencies=[Depends(require_service)])
def notify(body: NoticeIn, session: SessionDep, runtime: RuntimeDep,
           background: BackgroundTasks) -> NoticeReport:
    """Attendance reports a request filed, approved or rejected: the accounts to tell get it in
    their list now and by e-mail (in their language) after the answer."""
    listed, recipients = deliver(session, body)
    background.add_task(send_emails, runtime, body, recipients)
    return NoticeReport(in_app=listed, emails=len(recipients))


@router.post("/digests/missing-checkouts", response_model=DigestReport,
             dependencies=[Depends(require_service)])
def missing_checkouts(body: DigestIn, session: SessionDep, runtime: RuntimeDep,
                      background: BackgroundTasks) -> DigestReport:
    """Attendance's nightly digest of a day's missing check-outs: each manager and hr hear of
    the people in their scope, once per day (a day sent before answers already_sent)."""
    already, listed, mails = deliver_digest(session, body)
    background.add_task(send_digest_emails, runtime, body, mails)
    return DigestReport(already_sent=already, in_app=listed, emails=len(mails))
