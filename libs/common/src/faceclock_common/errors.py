"""One error format for every service: {"error": {"code", "message"}} with the right status.

Framework-free: the FastAPI and Flask adapters (faceclock_common.fastapi.errors,
faceclock_common.flask) answer these errors in their own request cycle, the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import exc as sa_exc

from faceclock_common.i18n import validation_sentence

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


class DomainError(Exception):
    """A refusal the domain can state without knowing how it is served: service modules raise
    these (no status numbers in them); each edge answers one as the ApiError that
    api_error_of() maps it to, in the common format."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    """No such record, or none the caller may see (never reveals which)."""


class Conflict(DomainError):
    """The change clashes with what is stored (a taken name, a decided request, a duplicate)."""


class Invalid(DomainError):
    """Well-formed, but not something that can be done as asked (dates out of order, ...)."""


class Unreadable(DomainError):
    """An uploaded file that cannot be read as what it claims to be."""


class NotAllowed(DomainError):
    """The caller may not do this to this record."""


class WrongCredentials(DomainError):
    """A badge number and PIN (or similar) that do not match."""


class Expired(DomainError):
    """Something that was valid and is no longer (a liveness challenge)."""


HTTP_STATUS_OF_DOMAIN_ERROR: dict[type[DomainError], int] = {
    NotFound: 404, Conflict: 409, Invalid: 422, Unreadable: 400, NotAllowed: 403,
    WrongCredentials: 401, Expired: 410,
}


def api_error_of(exc: DomainError) -> ApiError:
    """The HTTP answer to a domain refusal (the edges' one mapping)."""
    status = next(HTTP_STATUS_OF_DOMAIN_ERROR[kind] for kind in type(exc).__mro__
                  if kind in HTTP_STATUS_OF_DOMAIN_ERROR)
    return ApiError(status, exc.code, exc.message, **exc.extra)


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


def _simple(context: Any) -> dict[str, Any]:
    """The JSON-safe part of a pydantic error context (limits, expected values)."""
    if not isinstance(context, dict):
        return {}
    return {k: v for k, v in context.items() if isinstance(v, str | int | float)}


# Where a FastAPI validation error was found is not part of the field's name.
REQUEST_PARTS = frozenset({"body", "path", "query", "form", "header"})


def validation_details(errors: Iterable[Mapping[str, Any]],
                       language: str = "en") -> tuple[str, list[dict[str, Any]]]:
    """pydantic's errors as a plain sentence for the first problem (never pydantic's raw
    phrasing) and every problem with its field, type and limits, in the reader's language."""
    details: list[dict[str, Any]] = []
    for err in errors:
        location = ".".join(str(part) for part in err.get("loc", ())
                            if part not in REQUEST_PARTS)
        error_type, context = str(err.get("type", "")), _simple(err.get("ctx"))
        details.append({"field": location, "type": error_type, "context": context,
                        "message": validation_sentence(location, error_type, context,
                                                       str(err.get("msg", "")), language)})
    message = str(details[0]["message"]) if details else validation_sentence(
        "", "", {}, "", language)
    return message, details
