"""One error format for every HTTP service: {"error": {"code", "message"}} with the right status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from faceclock_common.i18n import error_message, negotiate, validation_sentence

logger = logging.getLogger(__name__)

DEFAULT_ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
    503: "service_unavailable",
}


class ApiError(Exception):
    """Raise anywhere in a request to answer a clear client error."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


# A database that cannot be used right now (server down, connection lost, file unusable, lock or
# pool wait timed out) is our trouble, not the caller's: 503 with Retry-After, never a 500.
DATABASE_OUTAGE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
DATABASE_RETRY_AFTER_SECONDS = 5


def is_database_outage(exc: BaseException) -> bool:
    if isinstance(exc, DATABASE_OUTAGE_ERRORS):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def try_later(status: int, code: str, message: str, seconds: int) -> ApiError:
    """A 429 or 503 that says when to come back: the Retry-After header, and the same number as
    `retry_after_seconds` in the body for clients that only read JSON."""
    error = ApiError(status, code, message, retry_after_seconds=seconds)
    error.headers = {"Retry-After": str(seconds)}
    return error


def database_unavailable() -> ApiError:
    return try_later(503, "database_unavailable",
                     "The database is unavailable right now; try again shortly.",
                     DATABASE_RETRY_AFTER_SECONDS)


def _language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def _simple(context: Any) -> dict[str, Any]:
    """The JSON-safe part of a pydantic error context (limits, expected values)."""
    if not isinstance(context, dict):
        return {}
    return {k: v for k, v in context.items() if isinstance(v, str | int | float)}


def _validation_message(exc: RequestValidationError,
                        language: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """A plain sentence for the first problem, and every problem with its field and type."""
    details = []
    for err in exc.errors():
        # The where ("body", "path", "query", "form") is not part of the field's name.
        location = ".".join(str(part) for part in err.get("loc", ())
                            if part not in ("body", "path", "query", "form", "header"))
        error_type, context = str(err.get("type", "")), _simple(err.get("ctx"))
        details.append({"field": location, "type": error_type, "context": context,
                        "message": validation_sentence(location, error_type, context,
                                                       str(err.get("msg", "")), language)})
    message = details[0]["message"] if details else validation_sentence(
        "", "", {}, "", language)
    return message, details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        message = error_message(exc.code, exc.message, _language(request), exc.extra)
        return JSONResponse(error_body(exc.code, message, **exc.extra), exc.status,
                            headers=exc.headers or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = DEFAULT_ERROR_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, error_message(code, message, _language(request))),
                            exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc, _language(request))
        return JSONResponse(error_body("validation_error", message, details=details), 422)

    # Registered on the exception class (not only as the catch-all) so that it is answered like
    # any handled error, inside the middleware stack, instead of being re-raised as a crash.
    @app.exception_handler(sa_exc.DBAPIError)
    @app.exception_handler(sa_exc.TimeoutError)
    async def _database_error(request: Request, exc: Exception) -> JSONResponse:
        if is_database_outage(exc):
            logger.warning("database unavailable", extra={"error": str(exc).splitlines()[0]})
            return await _api_error(request, database_unavailable())
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        message = error_message("internal_error", "Something went wrong on our side.",
                                _language(request))
        return JSONResponse(error_body("internal_error", message), 500)
