"""Request-scoped dependencies of the gateway. They are `async def` although most never await:
FastAPI runs a plain `def` dependency in the thread pool, a hop that cost more than the work."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import Depends, Request

from faceclock_common.addresses import parse_networks
from faceclock_common.errors import ApiError, try_later
from faceclock_common.fastapi.requests import client_address_of
from faceclock_common.fastapi.security import bearer_token, verified_principal
from faceclock_common.security import Principal
from gateway_svc.config import Settings
from gateway_svc.ratelimit import MemoryRateLimiter, RateLimiter, RateLimitStoreDown
from gateway_svc.recognition_client import RecognitionClient
from gateway_svc.upstream import Upstreams


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


async def get_recognition(request: Request) -> RecognitionClient:
    client: RecognitionClient = request.app.state.recognition
    return client


SettingsDep = Annotated[Settings, Depends(get_settings)]
UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
RecognitionDep = Annotated[RecognitionClient, Depends(get_recognition)]


async def client_ip(request: Request, settings: SettingsDep) -> str:
    """The caller's address: X-Forwarded-For is believed only from a trusted proxy."""
    return client_address_of(request, parse_networks(settings.trusted_proxies))


ClientIp = Annotated[str, Depends(client_ip)]


logger = logging.getLogger(__name__)
_STORE_DOWN_LOG_EVERY_SECONDS = 30.0
_store_down_logged_at = 0.0


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def _store_down(exc: RateLimitStoreDown, rule: str) -> None:
    """Logged at most every 30 s: at a few hundred requests a second one line each is a flood."""
    global _store_down_logged_at
    now = time.monotonic()
    if now - _store_down_logged_at >= _STORE_DOWN_LOG_EVERY_SECONDS:
        _store_down_logged_at = now
        logger.warning("rate-limit store (Redis) unavailable: %s", rule, extra={"error": str(exc)})


async def limit_by_address(request: Request, ip: ClientIp, settings: SettingsDep) -> None:
    """For sign-in endpoints: a budget per client address. If Redis is down it is counted in this
    process instead: a password guesser never gets an unlimited budget (fails safe)."""
    key, limit = f"signin:ip:{ip}", settings.auth_rate_per_minute
    try:
        retry_after = await _limiter(request).hit(key, limit)
    except RateLimitStoreDown as exc:
        _store_down(exc, "sign-in budget counted per gateway process")
        local: MemoryRateLimiter = request.app.state.local_rate_limiter
        retry_after = await local.hit(key, limit)
    if retry_after:
        _too_many(retry_after)


async def _caller(request: Request) -> Principal | None:
    """The verified caller when a valid token came with the request (rate limits run before the
    route's own guard, so they verify it here; the result is cached on request.state)."""
    if bearer_token(request) is None:
        return None
    try:
        return await verified_principal(request)
    except ApiError as exc:
        if exc.status >= 500:
            raise  # auth cannot confirm the token now: 503, not somebody else's budget
        return None  # an invalid token: the route's guard answers the 401


async def limit_by_caller(request: Request, ip: ClientIp, settings: SettingsDep) -> None:
    """For the API: a budget per signed-in caller, per address when there is no valid token.
    Kiosks and other devices have their own, larger budget per device, sized for a morning rush
    at one door. If Redis is down these budgets let requests through (fail open): they protect
    capacity, not secrets, and the sign-in budget above still holds."""
    principal = await _caller(request)
    if principal is None:
        key, limit = f"api:ip:{ip}", settings.api_rate_per_minute
    elif "kiosk" in principal.roles:
        key, limit = f"device:{principal.subject}", settings.device_rate_per_minute
    else:
        key, limit = f"api:sub:{principal.subject}", settings.api_rate_per_minute
    try:
        retry_after = await _limiter(request).hit(key, limit)
    except RateLimitStoreDown as exc:
        _store_down(exc, "API and device budgets not enforced")
        return
    if retry_after:
        _too_many(retry_after)


def _too_many(retry_after: int) -> None:
    raise try_later(429, "rate_limited", f"Too many requests; try again in {retry_after} s.",
                    retry_after)

