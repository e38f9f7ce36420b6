"""The common error format (faceclock_common.errors) answered by FastAPI."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

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

logger = logging.getLogger(__name__)


def _language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        message = error_message(exc.code, exc.message, _language(request), exc.extra)
        return JSONResponse(error_body(exc.code, message, **exc.extra), exc.status,
                            headers=exc.headers or None)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return await _api_error(request, api_error_of(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = DEFAULT_ERROR_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, error_message(code, message, _language(request))),
                            exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = validation_details(exc.errors(), _language(request))
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
