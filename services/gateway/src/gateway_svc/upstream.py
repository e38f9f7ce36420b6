"""Forwarding to the HTTP services behind the gateway, and calls the gateway makes itself."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from faceclock_common.errors import ApiError
from faceclock_common.logging import outgoing_headers
from faceclock_common.service_auth import ServiceTokenClient

# Request headers worth passing on; everything else (cookies, hop-by-hop) stays here.
_FORWARD_REQUEST_HEADERS = ("authorization", "content-type", "accept", "accept-language",
                            "idempotency-key", "if-none-match")
# The body is streamed as the raw bytes received, so their Content-Encoding must go with them.
_FORWARD_RESPONSE_HEADERS = ("content-type", "content-encoding", "content-disposition",
                             "retry-after", "location", "etag", "cache-control", "www-authenticate")


class Upstreams:
    """One pooled HTTP client per service, built in the lifespan."""

    def __init__(self, *, auth: str, attendance: str, reporting: str, timeout: float,
                 service_tokens: ServiceTokenClient) -> None:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        self.clients = {
            name: httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout, limits=limits)
            for name, url in (("auth", auth), ("attendance", attendance), ("reporting", reporting))
        }
        self.service_tokens = service_tokens

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def forward(self, request: Request, service: str, client_ip: str) -> Response:
        """Passes the request on path for path and streams the answer back."""
        client = self.clients[service]
        headers = {k: v for k, v in request.headers.items() if k in _FORWARD_REQUEST_HEADERS}
        headers.update(outgoing_headers())
        headers["x-forwarded-for"] = client_ip
        upstream_request = client.build_request(
            request.method, request.url.path, params=request.query_params, headers=headers,
            content=request.stream(),
        )
        try:
            upstream = await client.send(upstream_request, stream=True)
        except httpx.HTTPError as exc:
            raise _unavailable(service) from exc
        response_headers = {k: v for k, v in upstream.headers.items()
                            if k in _FORWARD_RESPONSE_HEADERS}
        return StreamingResponse(upstream.aiter_raw(), status_code=upstream.status_code,
                                 headers=response_headers, background=BackgroundTask(upstream.aclose))

    async def call(self, service: str, method: str, path: str, *, token: str | None = None,
                   as_service: bool = False, json: Any = None, params: Any = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        """A call the gateway makes on its own behalf (or the caller's, with their token)."""
        all_headers = {**outgoing_headers(), **(headers or {})}
        if as_service:
            try:
                token_value = await asyncio.to_thread(self.service_tokens.token)
                all_headers["Authorization"] = f"Bearer {token_value}"
            except httpx.HTTPError as exc:
                raise _unavailable("auth") from exc
        elif token:
            all_headers["Authorization"] = f"Bearer {token}"
        try:
            return await self.clients[service].request(method, path, json=json, params=params,
                                                       headers=all_headers)
        except httpx.HTTPError as exc:
            raise _unavailable(service) from exc


def _unavailable(service: str) -> ApiError:
    return ApiError(503, f"{service}_unavailable",
                    f"The {service} service is unavailable right now; try again shortly.")


def raise_for_upstream(response: httpx.Response) -> None:
    """Passes an upstream's own error on unchanged (it is already in our error format), with the
    headers a client acts on (a lockout's Retry-After, a 401's WWW-Authenticate)."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
        error = ApiError(response.status_code, str(body["error"]["code"]),
                         str(body["error"]["message"]))
    except (ValueError, KeyError, TypeError):
        raise ApiError(502 if response.status_code >= 500 else response.status_code,
                       "upstream_error", "An internal service answered unexpectedly.") from None
    error.headers = {name: response.headers[name] for name in ("retry-after", "www-authenticate")
                     if name in response.headers}
    raise error
