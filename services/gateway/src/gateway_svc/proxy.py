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
from faceclock_common.security import authenticated, public
from gateway_svc.deps import ClientIp, UpstreamsDep, limit_by_address, limit_by_caller

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

# (service, top-level path under /api/v1, open to anonymous callers?)
ROUTES: list[tuple[str, str, bool]] = [
    ("auth", "auth", True),
    ("auth", "users", False),
    ("auth", "kiosks", False),
    ("attendance", "departments", False),
    ("attendance", "employees", False),
    ("attendance", "punches", False),
    ("attendance", "shifts", False),
    ("attendance", "shift-assignments", False),
    ("attendance", "holidays", False),
    ("attendance", "leave-requests", False),
    ("attendance", "leave-balances", False),
    ("attendance", "overtime", False),
    ("attendance", "corrections", False),
    ("attendance", "attendance", False),
    ("attendance", "audit", False),
    ("reporting", "reports", False),
]


def _reject_dot_segments(path: str) -> None:
    segments = path.split("/")
    if any(s in (".", "..") or s.lower().startswith("%2e") for s in segments):
        raise ApiError(400, "bad_path", "The path may not contain dot segments.")


def _forwarder(service: str) -> Callable[..., Awaitable[Response]]:
    async def forward(request: Request, upstreams: UpstreamsDep, ip: ClientIp) -> Response:
        _reject_dot_segments(request.url.path)
        return await upstreams.forward(request, service, ip)

    return forward


def proxy_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", include_in_schema=False)
    for service, top, anonymous in ROUTES:
        guards: list[Any] = ([Depends(public), Depends(limit_by_address)] if anonymous
                             else [Depends(authenticated), Depends(limit_by_caller)])
        endpoint = _forwarder(service)
        for path in (f"/{top}", f"/{top}/{{rest:path}}"):
            router.add_api_route(path, endpoint, methods=METHODS, dependencies=guards,
                                 name=f"proxy_{service}_{top}{'_sub' if 'rest' in path else ''}")
    return router
