"""The first thing every request meets: checks that need no route, no token and no body parsing.

- A path with a control character (`%00`, `%7f`, ...) is a 400, before anything tries to use it
  as a file name or an upstream URL.
- A trailing slash on an API path is dropped, so `/employees/5/` is `/employees/5` and reaches
  the same composed route (a DELETE there erases the faces too) instead of a service's redirect.
- A body larger than the limit (a photo's, or 1 MiB for JSON) is a 413: at once when
  Content-Length says so, otherwise as soon as the bytes received pass it. Nothing beyond the
  limit is read, spooled to disk or authenticated.
- An unexpected error still answers in our error format and with the security headers (they are
  added outside this middleware, which Starlette's own error page would bypass).
"""

from __future__ import annotations

import json
import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faceclock_common.errors import error_body

logger = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")
        self.limit = limit


def _has_control_character(path: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in path)


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_json_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        raw_path: bytes = scope.get("raw_path") or path.encode()
        if _has_control_character(path) or _has_control_character(raw_path.decode("latin-1")):
            await _answer(send, 400, "bad_path", "The path may not contain control characters.")
            return
        if path.startswith("/api/") and path.endswith("/"):
            path = path.rstrip("/")
            scope = {**scope, "path": path, "raw_path": raw_path.rstrip(b"/")}
        limit = self.max_json_bytes if _is_json(scope) else self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer(send, 413, "payload_too_large",
                          f"The request body is larger than {limit} bytes.")
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _answer(send, 413, "payload_too_large", str(exc.detail))
        except ClientDisconnect:
            return  # the caller left mid-body: nobody to answer
        except Exception:
            logger.exception("unhandled error")
            if started:
                raise
            await _answer(send, 500, "internal_error", "Something went wrong on our side.")


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _is_json(scope: Scope) -> bool:
    media_type = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
    return media_type == b"application/json" or media_type.endswith(b"+json")


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        # The rest of the body is never read: the client must not reuse this connection.
        *([(b"connection", b"close")] if status == 413 else []),
    ]})
    await send({"type": "http.response.body", "body": body})
