"""The Flask frame: JSON errors in the common format, request ids, health routes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from pydantic import ValidationError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from faceclock_common.errors import (
    DEFAULT_ERROR_CODES,
    ApiError,
    database_unavailable,
    error_body,
    is_database_outage,
)
from faceclock_common.i18n import error_message, negotiate, validation_sentence
from faceclock_common.logging import (
    REQUEST_ID_HEADER,
    new_request_id,
    request_id_var,
    valid_request_id,
)
from reporting_svc import deps
from reporting_svc.security import public

logger = logging.getLogger(__name__)


def _language() -> str:
    return negotiate(request.headers.get("Accept-Language"))


def _json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                **extra: Any) -> Response:
    """The error in the reader's language (faceclock_common.i18n, as the other services)."""
    response = jsonify(error_body(code, error_message(code, message, _language()), **extra))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_details(exc: ValidationError) -> tuple[str, list[dict[str, Any]]]:
    """Plain sentences (never pydantic's raw phrasing), in the reader's language."""
    language = _language()
    details = []
    for err in exc.errors():
        location = ".".join(str(part) for part in err.get("loc", ()))
        context = {k: v for k, v in (err.get("ctx") or {}).items()
                   if isinstance(v, str | int | float)}
        details.append({"field": location, "type": err.get("type", ""), "context": context,
                        "message": validation_sentence(location, str(err.get("type", "")),
                                                       context, str(err.get("msg", "")),
                                                       language)})
    message = details[0]["message"] if details else validation_sentence("", "", {}, "", language)
    return message, details


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return _json_error(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        message, details = validation_details(exc)
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
    """Takes X-Request-ID from the caller (or makes one), for logs and for the report row."""

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


def health_blueprint() -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    @public
    def healthz() -> Response:
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    @public
    def readyz() -> Response:
        failing: dict[str, str] = {}
        runtime = deps.runtime()
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # readiness reports any failure, whatever its type
            failing["database"] = type(exc).__name__
        try:
            with deps.celery_app().connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # idem
            failing["broker"] = type(exc).__name__
        try:
            runtime.settings.files_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            failing["files_dir"] = type(exc).__name__
        if failing:
            response = jsonify(status="not_ready", failing=failing)
            response.status_code = 503
            return response
        return jsonify(status="ready")

    return blueprint
