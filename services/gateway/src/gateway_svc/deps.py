"""Request-scoped dependencies of the gateway. They are `async def` although most never await:
FastAPI runs a plain `def` dependency in the thread pool, a hop that cost more than the work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from faceclock_common.addresses import parse_networks
from faceclock_common.errors import ApiError, try_later
from faceclock_common.fastapi.requests import client_address_of
from faceclock_common.fastapi.security import bearer_token, verified_principal
from faceclock_common.security import Principal
from faceclock_common.throttle import AsyncStore, Budget, MemoryStore, StoreDown, StoreDownLog
from gateway_svc.config import Settings
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


@dataclass(frozen=True)
class RateBudgets:
    """The gateway's request budgets (faceclock_common.throttle.Budget, one-minute windows) and
    where they are counted: in Redis when FACECLOCK_REDIS_URL is set (exact across gateway
    replicas and worker processes), else in this process's memory, where each of N worker
    processes allows 1/N of every budget. `local` counts sign-ins while Redis is down."""

    store: AsyncStore
    sign_in: Budget
    api: Budget
    device: Budget
    local: MemoryStore
    local_sign_in: Budget

    @classmethod
    def of(cls, settings: Settings, *, processes: int, shared: AsyncStore | None,
           local: MemoryStore) -> RateBudgets:
        sign_in = Budget(settings.auth_rate_per_minute)
        api, device = Budget(settings.api_rate_per_minute), Budget(settings.device_rate_per_minute)
        if shared is None:
            return cls(local, sign_in.share(processes), api.share(processes),
                       device.share(processes), local, sign_in.share(processes))
        return cls(shared, sign_in, api, device, local, sign_in.share(processes))


_store_down = StoreDownLog()


async def limit_by_address(request: Request, ip: ClientIp) -> None:
    """For sign-in endpoints: a budget per client address. If Redis is down it is counted in this
    process instead: a password guesser never gets an unlimited budget (fails safe)."""
    budgets: RateBudgets = request.app.state.rate_budgets
    key = f"signin:ip:{ip}"
    try:
        retry_after = await budgets.sign_in.spend(budgets.store, key)
    except StoreDown as exc:
        _store_down(exc, "sign-in budget counted per gateway process")
        retry_after = await budgets.local_sign_in.spend(budgets.local, key)
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


async def limit_by_caller(request: Request, ip: ClientIp) -> None:
    """For the API: a budget per signed-in caller, per address when there is no valid token.
    Kiosks and other devices have their own, larger budget per device, sized for a morning rush
    at one door. If Redis is down these budgets let requests through (fail open): they protect
    capacity, not secrets, and the sign-in budget above still holds."""
    budgets: RateBudgets = request.app.state.rate_budgets
    principal = await _caller(request)
    if principal is None:
        key, budget = f"api:ip:{ip}", budgets.api
    elif "kiosk" in principal.roles:
        key, budget = f"device:{principal.subject}", budgets.device
    else:
        key, budget = f"api:sub:{principal.subject}", budgets.api
    try:
        retry_after = await budget.spend(budgets.store, key)
    except StoreDown as exc:
        _store_down(exc, "API and device budgets not enforced")
        return
    if retry_after:
        _too_many(retry_after)


def _too_many(retry_after: int) -> None:
    raise try_later(429, "rate_limited", f"Too many requests; try again in {retry_after} s.",
                    retry_after)

