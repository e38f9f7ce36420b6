"""Access-token verification against the auth service's JWKS, and role guards.

Only the auth service signs. Everyone else verifies here: the algorithm is pinned (EdDSA),
`exp`, `iss` and `aud` are required, and keys are looked up by `kid` in the JWKS, which is
fetched again (at most every few seconds) when a token names a kid we do not know: that is how
a rotated key is picked up while the previous one stays accepted for as long as auth publishes it.

A token that passed is remembered (by its exact text) until it expires: a client sends the same
token with every request for 15 minutes, and checking its signature again each time was a
fifth of a proxied request's CPU. The claims of a given text cannot change, so the only thing
that can make a remembered token fail is time, which is checked on every use; revocation is a
separate check that runs every time (the gateway's RevocationCheckingVerifier).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from jwt import PyJWK
from starlette.concurrency import run_in_threadpool

from faceclock_common.errors import ApiError

ALGORITHMS = ["EdDSA"]
ROLES = ("admin", "hr", "manager", "employee", "kiosk")
SERVICE_ROLE = "service"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user, a kiosk device, or another service."""

    subject: str
    roles: frozenset[str]
    employee_id: int | None = None
    department_id: int | None = None
    username: str = ""
    token: str = field(default="", repr=False)
    # The account's token version when the token was issued (claim `ver`, 0 when absent).
    token_version: int = 0
    # The session the token belongs to (claim `sid`; a user's refresh-token family).
    session_id: str = ""

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def user_id(self) -> int | None:
        return int(self.subject) if self.subject.isdigit() else None


class TokenError(Exception):
    pass


class JwksKeyStore:
    """The auth service's public keys, by kid, refreshed when an unknown kid shows up."""

    def __init__(self, jwks_url: str, *, min_refresh_seconds: float = 5.0,
                 fetch: Callable[[str], dict[str, Any]] | None = None) -> None:
        self.jwks_url = jwks_url
        self.min_refresh_seconds = min_refresh_seconds
        self._fetch = fetch or self._http_fetch
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    @staticmethod
    def _http_fetch(url: str) -> dict[str, Any]:
        response = httpx.get(url, timeout=5.0)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def _refresh(self) -> None:
        document = self._fetch(self.jwks_url)
        keys = {}
        for entry in document.get("keys", []):
            if entry.get("kty") != "OKP" or "kid" not in entry:
                continue  # only Ed25519 keys are ours; anything else is ignored, not trusted
            keys[entry["kid"]] = PyJWK(entry, algorithm="EdDSA")
        self._keys = keys
        self._fetched_at = time.monotonic()

    def key_for(self, kid: str) -> PyJWK:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at >= self.min_refresh_seconds:
                try:
                    self._refresh()
                except (httpx.HTTPError, ValueError, json.JSONDecodeError) as exc:
                    raise TokenError("cannot fetch signing keys") from exc
            key = self._keys.get(kid)
        if key is None:
            raise TokenError("unknown signing key")
        return key


class TokenVerifier:
    def __init__(self, keys: JwksKeyStore, *, issuer: str, audience: str, leeway: float = 10,
                 max_remembered: int = 10_000) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.max_remembered = max_remembered
        # token text -> (the verified caller, the time.time() after which it no longer passes)
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        """The caller a token names, or TokenError; may fetch the JWKS (blocking)."""
        return self.remembered(token) or self._verify_and_remember(token)

    def remembered(self, token: str) -> Principal | None:
        """The caller of a token verified before and not expired since; never blocks. None
        means "not known here": verify() decides (and raises if the token is bad)."""
        with self._lock:
            known = self._verified.get(token)
            if known is None:
                return None
            if time.time() >= known[1]:
                del self._verified[token]
                return None
        return known[0]

    def _verify_and_remember(self, token: str) -> Principal:
        principal, expires_at = self._decode(token)
        with self._lock:
            self._verified[token] = (principal, expires_at + self.leeway)
            while len(self._verified) > self.max_remembered:
                self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise TokenError("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError("token has no key id")
        key = self.keys.key_for(kid)
        try:
            claims = jwt.decode(
                token, key=key.key, algorithms=ALGORITHMS, audience=self.audience,
                issuer=self.issuer, leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        if claims.get("typ") != "access":
            raise TokenError("not an access token")
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            raise TokenError("bad roles claim")
        employee_id = claims.get("employee_id")
        department_id = claims.get("department_id")
        version = claims.get("ver", 0)
        principal = Principal(
            subject=str(claims["sub"]),
            roles=frozenset(str(r) for r in roles),
            employee_id=int(employee_id) if isinstance(employee_id, int) else None,
            department_id=int(department_id) if isinstance(department_id, int) else None,
            username=str(claims.get("username", "")),
            token=token,
            token_version=version if isinstance(version, int) else -1,
            session_id=str(claims.get("sid", ""))[:64],
        )
        return principal, float(claims["exp"])


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unauthorized(message: str) -> ApiError:
    error = ApiError(401, "unauthorized", message)
    error.headers = {"WWW-Authenticate": "Bearer"}
    return error


def current_principal(request: Request) -> Principal:
    """The verified caller; 401 without a valid token. The verifier lives on app.state.
    Blocking (the verifier may ask over the network): from async code use verified_principal."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = bearer_token(request)
    if token is None:
        raise _unauthorized("A bearer access token is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = verifier.verify(token)
    except TokenError as exc:
        raise _unauthorized(f"Invalid access token: {exc}.") from exc
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
    allowed = frozenset(roles) | {"admin"}

    async def guard(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(allowed):
            raise ApiError(403, "forbidden", "Your role does not allow this.")
        return principal

    guard.__access_rule__ = f"roles:{','.join(sorted(allowed))}"  # type: ignore[attr-defined]
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
