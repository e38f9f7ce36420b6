"""Request-scoped dependencies of the gateway."""

from __future__ import annotations

from ipaddress import ip_address, ip_network
from typing import Annotated

from fastapi import Depends, Request

from faceclock_common.errors import ApiError
from faceclock_common.security import Principal
from gateway_svc.config import Settings
from gateway_svc.ratelimit import RateLimiter
from gateway_svc.recognition_client import RecognitionClient
from gateway_svc.upstream import Upstreams


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


def get_recognition(request: Request) -> RecognitionClient:
    client: RecognitionClient = request.app.state.recognition
    return client


SettingsDep = Annotated[Settings, Depends(get_settings)]
UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
RecognitionDep = Annotated[RecognitionClient, Depends(get_recognition)]


def _is_trusted(peer: str, trusted: list[str]) -> bool:
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in ip_network(entry, strict=False) for entry in trusted)


def client_ip(request: Request, settings: SettingsDep) -> str:
    """The caller's address: X-Forwarded-For is believed only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and _is_trusted(peer, settings.trusted_proxies):
        # The right-most address not added by one of our proxies is the client.
        for candidate in reversed([part.strip() for part in forwarded.split(",")]):
            if candidate and not _is_trusted(candidate, settings.trusted_proxies):
                return candidate
    return peer


ClientIp = Annotated[str, Depends(client_ip)]


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


async def limit_by_address(request: Request, ip: ClientIp, settings: SettingsDep) -> None:
    """For sign-in endpoints: a budget per client address."""
    retry_after = await _limiter(request).hit(f"ip:{ip}", settings.auth_rate_per_minute)
    if retry_after:
        _too_many(retry_after)


async def limit_by_caller(request: Request, ip: ClientIp, settings: SettingsDep) -> None:
    """For the API: a budget per signed-in caller (per address when there is no valid token)."""
    principal = getattr(request.state, "principal", None)
    key = f"sub:{principal.subject}" if isinstance(principal, Principal) else f"ip:{ip}"
    retry_after = await _limiter(request).hit(key, settings.api_rate_per_minute)
    if retry_after:
        _too_many(retry_after)


def _too_many(retry_after: int) -> None:
    error = ApiError(429, "rate_limited", f"Too many requests; try again in {retry_after} s.")
    error.headers = {"Retry-After": str(retry_after)}
    raise error

