"""Path-for-path forwarding of the public API to the service that owns each part.

The services enforce the fine-grained role and object rules themselves; the gateway adds
authentication (except for the sign-in endpoints, which auth guards), rate limits and the
request id. `/internal/...` paths are never forwarded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import authenticated, public
from gateway_svc.deps import (
    ClientIp,
    UpstreamsDep,
    limit_by_address,
    limit_by_caller,
)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

# (service, top-level path under /api/v1, open to anonymous callers?)
ROUTES: list[tuple[str, str, bool]] = [
    ("auth", "auth", True),
    ("auth", "users", False),
    ("auth", "kiosks", False),
    ("auth", "notifications", False),
    ("attendance", "departments", False),
    ("attendance", "employees", False),
    ("attendance", "punches", False),
    ("attendance", "shifts", False),
    ("attendance", "shift-assignments", False),
    ("attendance", "holidays", False),
    ("attendance", "holiday-calendars", False),
    ("attendance", "rosters", False),
    ("attendance", "leave-requests", False),
    ("attendance", "leave-balances", False),
    ("attendance", "leave-types", False),
    ("attendance", "overtime", False),
    ("attendance", "corrections", False),
    ("attendance", "attendance", False),
    ("attendance", "audit", False),
    ("attendance", "sites", False),
    ("reporting", "reports", False),
]


# Where a password or device secret is tried: the small per-address budget applies here only, so
# that refresh, /me and logout of signed-in users (a whole office behind one NAT) are not starved.
CREDENTIAL_PATHS = frozenset({
    "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/password/forgot",
    "/api/v1/auth/password/reset", "/api/v1/auth/device-login", "/api/v1/auth/device-pair",
    "/api/v1/auth/invitations/accept",
})


async def limit_auth_path(request: Request, ip: ClientIp) -> None:
    if request.url.path.rstrip("/") in CREDENTIAL_PATHS:
        await limit_by_address(request, ip)
    else:
        await limit_by_caller(request, ip)


def _reject_dot_segments(path: str) -> None:
    segments = path.split("/")
    if any(s in (".", "..") or s.lower().startswith("%2e") for s in segments):
        raise ApiError(400, "bad_path", "The path may not contain dot segments.")


def _forwarder(service: str) -> Callable[..., Awaitable[Response]]:
    async def forward(request: Request, upstreams: UpstreamsDep, ip: ClientIp) -> Response:
        _reject_dot_segments(request.scope["path"])
        return await upstreams.forward(request, service, ip)

    return forward


def proxy_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", include_in_schema=False)
    for service, top, anonymous in ROUTES:
        guards: list[Any] = ([Depends(public), Depends(limit_auth_path)] if anonymous
                             else [Depends(authenticated), Depends(limit_by_caller)])
        endpoint = _forwarder(service)
        for path in (f"/{top}", f"/{top}/{{rest:path}}"):
            router.add_api_route(path, endpoint, methods=METHODS, dependencies=guards,
                                 name=f"proxy_{service}_{top}{'_sub' if 'rest' in path else ''}")
    return router
