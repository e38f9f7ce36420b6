"""Who is asking, on the FastAPI services: the request id (faceclock_common.logging carries it
into the logs) and the client's address (faceclock_common.addresses)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faceclock_common.addresses import Network, client_address
from faceclock_common.logging import REQUEST_ID_HEADER, new_request_id, request_id_var, valid_request_id


class RequestIdMiddleware:
    """Takes X-Request-ID from the caller (or makes one), exposes it to logs, echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode())
        request_id = valid_request_id(incoming.decode("latin-1") if incoming else None)
        request_id = request_id or new_request_id()
        # Not reset afterwards: every request runs in a task of its own (so nothing leaks), and
        # Starlette logs unhandled errors outside this middleware, where the id is still wanted.
        request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


def client_address_of(request: Request, trusted: Sequence[Network]) -> str:
    """The caller's address: X-Forwarded-For is believed only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)
