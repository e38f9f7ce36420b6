"""/internal: client-credentials tokens for the other services (never routed by the gateway)."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Depends

from auth_svc.accounts.schemas import AccessToken, ServiceTokenRequest
from auth_svc.accounts.service import too_many_attempts
from auth_svc.deps import RuntimeDep
from faceclock_common.errors import ApiError
from faceclock_common.security import SERVICE_ROLE, public

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
