"""Forwarding to the HTTP services behind the gateway, and calls the gateway makes itself."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask

from faceclock_common.errors import ApiError, validation_details
from faceclock_common.logging import outgoing_headers, request_id_var
from faceclock_common.service_auth import ServiceTokenClient
from gateway_svc.http1 import Http1Pool, UpstreamFailed

# Request headers worth passing on; everything else (cookies, hop-by-hop) stays here.
_FORWARD_REQUEST_HEADERS = frozenset({b"authorization", b"content-type", b"accept",
                                      b"accept-language", b"idempotency-key", b"if-none-match"})
# An answer up to this size that says its length is read whole and sent on as one body: cheaper
# than streaming it (no task watching for a disconnect, no chunk loop). Larger or unsized
# answers (CSV exports) are streamed as they arrive. Either way the bytes pass unchanged.
_BUFFER_UP_TO_BYTES = 64 * 1024
# The body is streamed as the raw bytes received, so their Content-Encoding must go with them.
_FORWARD_RESPONSE_HEADERS = frozenset({"content-type", "content-encoding", "content-disposition",
                                       "retry-after", "location", "etag", "cache-control",
                                       "www-authenticate"})


class Upstreams:
    """Per service: a pool of raw keep-alive connections that forwarding passes bytes through
    (http1.py), and an httpx client for the gateway's own JSON calls; both built in the lifespan."""

    def __init__(self, *, auth: str, attendance: str, reporting: str, timeout: float,
                 service_tokens: ServiceTokenClient) -> None:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        urls = {"auth": auth, "attendance": attendance, "reporting": reporting}
        self.clients = {
            name: httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout, limits=limits)
            for name, url in urls.items()
        }
        self.pools = {name: Http1Pool(url, timeout=timeout) for name, url in urls.items()}
        self.service_tokens = service_tokens

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        for pool in self.pools.values():
            await pool.close()

    async def forward(self, request: Request, service: str, client_ip: str) -> Response:
        """Passes the request on path for path (as received, percent-encoding and all) and the
        answer back, bytes unchanged. The body is read first: the guard middleware has already
        capped its size, and a known length is what the services want."""
        scope = request.scope
        headers = [(name, value) for name, value in scope["headers"]
                   if name in _FORWARD_REQUEST_HEADERS]
        headers += [(b"x-request-id", request_id_var.get().encode()),
                    (b"x-forwarded-for", client_ip.encode("latin-1"))]
        target = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        has_body = any(name in (b"content-length", b"transfer-encoding")
                       for name, _ in scope["headers"])
        body = await request.body() if has_body else b""
        try:
            upstream = await self.pools[service].send(request.method, target, headers, body)
        except UpstreamFailed as exc:
            raise _unavailable(service) from exc
        response_headers = {k: v for k, v in upstream.headers if k in _FORWARD_RESPONSE_HEADERS}
        if "location" in response_headers:
            public = public_location(response_headers["location"])
            if public is None:
                await upstream.aclose()
                raise ApiError(502, "upstream_error", "An internal service answered unexpectedly.")
            response_headers["location"] = public
        length = upstream.content_length
        if length is not None and length <= _BUFFER_UP_TO_BYTES:
            try:
                content = await upstream.read()
            except UpstreamFailed as exc:
                raise _unavailable(service) from exc
            return Response(content, status_code=upstream.status, headers=response_headers)
        return StreamingResponse(upstream.stream(), status_code=upstream.status,
                                 headers=response_headers, background=BackgroundTask(upstream.aclose))

    async def service_token(self) -> str:
        """The gateway's own service token: held ones on the event loop, a renewal in a thread
        (it asks auth). Every call as the service took a thread-pool hop for it before."""
        held = self.service_tokens.cached()
        return held if held is not None else await asyncio.to_thread(self.service_tokens.token)

    async def call(self, service: str, method: str, path: str, *, token: str | None = None,
                   as_service: bool = False, json: Any = None, params: Any = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        """A call the gateway makes on its own behalf (or the caller's, with their token).
        `json` is a faceclock_common.contracts message where the callee declares one."""
        if isinstance(json, BaseModel):
            json = json.model_dump(mode="json")
        all_headers = {**outgoing_headers(), **(headers or {})}
        if as_service:
            try:
                all_headers["Authorization"] = f"Bearer {await self.service_token()}"
            except httpx.HTTPError as exc:
                raise _unavailable("auth") from exc
        elif token:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            return await self.clients[service].request(method, path, json=json, params=params,
                                                       headers=all_headers)
        except httpx.HTTPError as exc:
            raise _unavailable(service) from exc


def public_location(location: str) -> str | None:
    """A service's Location as the client may see it: the public API path only, never the
    internal address it was built with; None when it points anywhere else."""
    target = httpx.URL(location)
    if not target.path.startswith("/api/v1/") or ".." in target.path.split("/"):
        return None
    return target.raw_path.decode("ascii")


def _unavailable(service: str) -> ApiError:
    return ApiError(503, f"{service}_unavailable",
                    f"The {service} service is unavailable right now; try again shortly.")


def raise_for_upstream(response: httpx.Response) -> None:
    """Passes an upstream's own error on unchanged (it is already in our error format), with the
    headers a client acts on (a lockout's Retry-After, a 401's WWW-Authenticate)."""
    if response.status_code < 400:
        return
    try:
        found = response.json()["error"]
        # Its other fields too (details, retry_after_seconds): the client reads them.
        error = ApiError(response.status_code, str(found["code"]), str(found["message"]),
                         **{k: v for k, v in found.items() if k not in ("code", "message")})
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ApiError(502 if response.status_code >= 500 else response.status_code,
                       "upstream_error", "An internal service answered unexpectedly.") from None
    error.headers = {name: response.headers[name] for name in ("retry-after", "www-authenticate")
                     if name in response.headers}
    raise error


Message = TypeVar("Message", bound=BaseModel)


def message(model: type[Message], **fields: Any) -> Message:
    """A contracts message built from what the caller sent: input the callee would refuse is
    the caller's 422 here, with the same details the callee would have given."""
    try:
        return model(**fields)
    except ValidationError as exc:
        sentence, details = validation_details(exc.errors())
        raise ApiError(422, "validation_error", sentence, details=details) from None


def answer_of(model: type[Message], response: httpx.Response) -> Message:
    """The callee's answer as its contracts model; its errors are passed on (raise_for_upstream),
    and an answer that breaks the contract is a 502, not a crash."""
    raise_for_upstream(response)
    try:
        return model.model_validate(response.json())
    except ValueError:  # unreadable JSON, or pydantic's ValidationError (a ValueError)
        raise ApiError(502, "upstream_error",
                       "An internal service answered unexpectedly.") from None
