"""Access-token verification against the auth service's JWKS, framework-free.

Only the auth service signs. Everyone else verifies here: the algorithm is pinned (EdDSA),
`exp`, `iss` and `aud` are required, and keys are looked up by `kid` in the JWKS, which is
fetched again (at most every few seconds) when a token names a kid we do not know: that is how
a rotated key is picked up while the previous one stays accepted for as long as auth publishes it.

A token that passed is remembered (by its exact text) until it expires: a client sends the same
token with every request for 15 minutes, and checking its signature again each time was a
fifth of a proxied request's CPU. The claims of a given text cannot change, so the only thing
that can make a remembered token fail is time, which is checked on every use; revocation is a
separate check that runs every time (the gateway's RevocationCheckingVerifier).

The route guards built on it live at each framework's edge: faceclock_common.fastapi.security,
faceclock_common.flask, and recognition's gRPC interceptor; they share the parsing of the
bearer header and the role rule here.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt import PyJWK

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


def bearer_token_of(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (HTTP) or metadata entry (gRPC)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthorized(message: str) -> ApiError:
    error = ApiError(401, "unauthorized", message)
    error.headers = {"WWW-Authenticate": "Bearer"}
    return error


def allowed_roles(*roles: str) -> frozenset[str]:
    """The roles a guard for `roles` lets through: admin always passes."""
    return frozenset(roles) | {"admin"}


def roles_rule(allowed: frozenset[str]) -> str:
    """A guard's `__access_rule__`, by which tests prove every route or view declares one."""
    return f"roles:{','.join(sorted(allowed))}"


def role_refused() -> ApiError:
    return ApiError(403, "forbidden", "Your role does not allow this.")
