"""Route guards for the FastAPI services over faceclock_common.security's token verifier.

Every route declares who may call it through one of these dependencies (deny by default): each
carries `__access_rule__`, and route_access_report() lets a test prove no route lacks one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from faceclock_common.errors import ApiError
from faceclock_common.security import (
    SERVICE_ROLE,
    Principal,
    TokenError,
    TokenVerifier,
    allowed_roles,
    bearer_token_of,
    role_refused,
    roles_rule,
    unauthorized,
)


def bearer_token(request: Request) -> str | None:
    return bearer_token_of(request.headers.get("authorization"))


def current_principal(request: Request) -> Principal:
    """The verified caller; 401 without a valid token. The verifier lives on app.state.
    Blocking (the verifier may ask over the network): from async code use verified_principal."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = bearer_token(request)
    if token is None:
        raise unauthorized("A bearer access token is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = verifier.verify(token)
    except TokenError as exc:
        raise unauthorized(f"Invalid access token: {exc}.") from exc
    request.state.principal = principal
    return principal


async def verified_principal(request: Request) -> Principal:
    """current_principal for async code: a token known to pass is answered on the event loop;
    only one that needs decoding or the network (keys, revocation status) goes to a thread."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = bearer_token(request)
    verifier: TokenVerifier = request.app.state.token_verifier
    known = verifier.remembered(token) if token is not None else None
    if known is None:  # current_principal answers a missing or unknown token (401 or a check)
        return await run_in_threadpool(current_principal, request)
    request.state.principal = known
    return known


CurrentPrincipal = Annotated[Principal, Depends(verified_principal)]


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A route guard: the caller must hold one of these roles (admin always passes).

    Guards carry `__access_rule__` so a test can prove that every route declares one.
    """
    allowed = allowed_roles(*roles)

    async def guard(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(allowed):
            raise role_refused()
        return principal

    guard.__access_rule__ = roles_rule(allowed)  # type: ignore[attr-defined]
    return guard


async def require_service(principal: CurrentPrincipal) -> Principal:
    """Internal routes: the `service` role only (not even admin, whose token a user holds)."""
    if SERVICE_ROLE not in principal.roles:
        raise ApiError(403, "forbidden", "Only other services may call internal routes.")
    return principal


require_service.__access_rule__ = "roles:service"  # type: ignore[attr-defined]


async def public() -> None:
    """Marks a route as open to anyone (login, health, JWKS)."""


public.__access_rule__ = "public"  # type: ignore[attr-defined]


async def authenticated(principal: CurrentPrincipal) -> Principal:
    """Any signed-in caller; object-level checks are then the route's job."""
    return principal


authenticated.__access_rule__ = "authenticated"  # type: ignore[attr-defined]


def access_rules_of(dependant: Any) -> list[str]:
    """Every access rule found in a FastAPI route's dependency tree."""
    rules = []
    call = getattr(dependant, "call", None)
    if call is not None and hasattr(call, "__access_rule__"):
        rules.append(call.__access_rule__)
    for sub in getattr(dependant, "dependencies", []):
        rules.extend(access_rules_of(sub))
    return rules


def route_access_report(app: Any) -> tuple[int, list[str]]:
    """(routes checked, routes with no access rule) over every route of a FastAPI app.

    Walks included routers too (FastAPI keeps them nested in `app.routes`). Plain Starlette
    routes, such as the OpenAPI document FastAPI serves itself, have no dependencies to check.
    """
    from fastapi.routing import iter_route_contexts

    checked, missing = 0, []
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if dependant is None:
            continue
        checked += 1
        if not access_rules_of(dependant):
            missing.append(f"{sorted(context.methods or ())} {context.path}")
    return checked, missing
