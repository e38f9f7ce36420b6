"""Access rules for Flask views, the counterpart of faceclock_common.security's FastAPI guards.

Every view carries `__access_rule__`; the app refuses to serve a view without one (deny by
default) and a test walks every URL rule to prove none is missing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from faceclock_common.errors import ApiError
from faceclock_common.security import Principal, TokenError, TokenVerifier

View = TypeVar("View", bound=Callable[..., Any])


def _unauthorized(message: str) -> ApiError:
    error = ApiError(401, "unauthorized", message)
    error.headers = {"WWW-Authenticate": "Bearer"}
    return error


def current_principal() -> Principal:
    """The verified caller of this request; 401 without a valid access token."""
    cached = g.get("principal")
    if isinstance(cached, Principal):
        return cached
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("A bearer access token is required.")
    verifier: TokenVerifier = current_app.extensions["token_verifier"]
    try:
        principal = verifier.verify(token.strip())
    except TokenError as exc:
        raise _unauthorized(f"Invalid access token: {exc}.") from exc
    g.principal = principal
    return principal


def _guarded(rule: str, check: Callable[[], None]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check()
            return view(*args, **kwargs)

        wrapper.__access_rule__ = rule  # type: ignore[attr-defined]
        return cast(View, wrapper)

    return decorate


def public(view: View) -> View:
    """Open to anyone (health routes)."""
    return _guarded("public", lambda: None)(view)


def authenticated(view: View) -> View:
    """Any signed-in caller; object-level checks are then the view's job."""
    return _guarded("authenticated", _require_principal)(view)


def _require_principal() -> None:
    current_principal()


def require_roles(*roles: str) -> Callable[[View], View]:
    """The caller must hold one of these roles (admin always passes)."""
    allowed = frozenset(roles) | {"admin"}

    def check() -> None:
        if not current_principal().has_any(allowed):
            raise ApiError(403, "forbidden", "Your role does not allow this.")

    return _guarded(f"roles:{','.join(sorted(allowed))}", check)


def access_rule_of(view: Callable[..., Any] | None) -> str | None:
    return getattr(view, "__access_rule__", None)


def deny_unruled_views() -> None:
    """before_request hook: a view that declares no access rule is never served."""
    if request.endpoint is None:
        return  # no route matched: Flask answers 404/405 itself
    if access_rule_of(current_app.view_functions.get(request.endpoint)) is None:
        raise ApiError(403, "forbidden", "This endpoint declares no access rule.")
