"""The Flask edge of faceclock_common (the reporting service's web process): the common error
format, request ids, health routes and view guards, the counterparts of faceclock_common.fastapi.

Every view carries `__access_rule__` (public, authenticated, or roles); deny_unruled_views
refuses to serve a view without one (deny by default) and access_rule_of lets a test walk every
URL rule to prove none is missing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from faceclock_common.errors import (
    DEFAULT_ERROR_CODES,
    ApiError,
    DomainError,
    api_error_of,
    database_unavailable,
    error_body,
    is_database_outage,
    validation_details,
)
from faceclock_common.i18n import error_message, negotiate
from faceclock_common.logging import (
    REQUEST_ID_HEADER,
    new_request_id,
    request_id_var,
    valid_request_id,
)
from faceclock_common.security import (
    Principal,
    TokenError,
    TokenVerifier,
    allowed_roles,
    bearer_token_of,
    role_refused,
    roles_rule,
    unauthorized,
)

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])
ReadinessCheck = Callable[[], None]
VERIFIER_EXTENSION = "token_verifier"  # app.extensions key


def language() -> str:
    return negotiate(request.headers.get("Accept-Language"))


def _json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                **extra: Any) -> Response:
    """The error in the reader's language (faceclock_common.i18n, as the other services)."""
    response = jsonify(error_body(code, error_message(code, message, language(), extra),
                                  **extra))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return _json_error(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return _api_error(api_error_of(exc))

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        message, details = validation_details(exc.errors(), language())
        return _json_error(422, "validation_error", message, details=details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = DEFAULT_ERROR_CODES.get(status, "error")
        allowed = getattr(exc, "valid_methods", None)
        headers = {"Allow": ", ".join(allowed)} if allowed else None
        return _json_error(status, code, exc.description or code.replace("_", " "), headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if is_database_outage(exc):
            logger.warning("database unavailable", extra={"error": str(exc).splitlines()[0]})
            return _api_error(database_unavailable())
        logger.exception("unhandled error", exc_info=exc)
        return _json_error(500, "internal_error", "Something went wrong on our side.")


def install_request_ids(app: Flask) -> None:
    """Takes X-Request-ID from the caller (or makes one), for the logs, and echoes it back."""

    @app.before_request
    def _bind() -> None:
        request_id = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        g.request_id = request_id
        g.request_id_token = request_id_var.set(request_id)

    @app.after_request
    def _echo(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def _unbind(_: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id_var.reset(token)


def current_principal() -> Principal:
    """The verified caller of this request; 401 without a valid access token."""
    cached = g.get("principal")
    if isinstance(cached, Principal):
        return cached
    token = bearer_token_of(request.headers.get("Authorization"))
    if token is None:
        raise unauthorized("A bearer access token is required.")
    verifier: TokenVerifier = current_app.extensions[VERIFIER_EXTENSION]
    try:
        principal = verifier.verify(token)
    except TokenError as exc:
        raise unauthorized(f"Invalid access token: {exc}.") from exc
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
    allowed = allowed_roles(*roles)

    def check() -> None:
        if not current_principal().has_any(allowed):
            raise role_refused()

    return _guarded(roles_rule(allowed), check)


def access_rule_of(view: Callable[..., Any] | None) -> str | None:
    return getattr(view, "__access_rule__", None)


def deny_unruled_views() -> None:
    """before_request hook: a view that declares no access rule is never served."""
    if request.endpoint is None:
        return  # no route matched: Flask answers 404/405 itself
    if access_rule_of(current_app.view_functions.get(request.endpoint)) is None:
        raise ApiError(403, "forbidden", "This endpoint declares no access rule.")


def health_blueprint(readiness_checks: dict[str, ReadinessCheck]) -> Blueprint:
    """`/healthz` says the process runs; `/readyz` runs the checks (each raises when failing),
    as faceclock_common.fastapi.health does for the FastAPI services."""
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    @public
    def healthz() -> Response:
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    @public
    def readyz() -> Response:
        failing: dict[str, str] = {}
        for name, check in readiness_checks.items():
            try:
                check()
            except Exception as exc:  # readiness reports any failure, whatever its type
                failing[name] = type(exc).__name__
        if failing:
            response = jsonify(status="not_ready", failing=failing)
            response.status_code = 503
            return response
        return jsonify(status="ready")

    return blueprint
