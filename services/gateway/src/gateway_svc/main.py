"""The gateway: the one public entry. Verifies tokens, limits rates, composes the flows that
span services, forwards the rest, and serves the web UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from faceclock_common.fastapi.app import build_service_app
from faceclock_common.fastapi.security import public
from faceclock_common.security import JwksKeyStore
from faceclock_common.service_auth import ServiceTokenClient
from faceclock_common.throttle import AsyncRedisStore, MemoryStore, async_redis_client
from gateway_svc.clocking.router import router as clocking_router
from gateway_svc.config import Settings
from gateway_svc.deps import RateBudgets
from gateway_svc.faces.router import router as faces_router
from gateway_svc.guard import RequestGuardMiddleware
from gateway_svc.headers import SecurityHeadersMiddleware
from gateway_svc.identity.router import router as identity_router
from gateway_svc.liveness.router import router as liveness_router
from gateway_svc.openapi import OpenApiComposer
from gateway_svc.proxy import proxy_router
from gateway_svc.recognition_client import RecognitionClient
from gateway_svc.revocation import RevocationCheckingVerifier, TokenStatusCache
from gateway_svc.upstream import Upstreams
from gateway_svc.web import web_router


def create_app(settings: Settings | None = None, *, processes: int = 1) -> FastAPI:
    """`processes`: how many server processes serve this port (each counts its share of the
    in-memory rate budgets)."""
    settings = settings or Settings()
    settings.check_production_safety()
    token_statuses = TokenStatusCache(
        settings.auth_url, ServiceTokenClient(settings.auth_url, settings.client_id,
                                              settings.client_secret),
        ttl_seconds=settings.token_status_cache_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upstreams = Upstreams(
            auth=settings.auth_url, attendance=settings.attendance_url,
            reporting=settings.reporting_url, timeout=settings.upstream_timeout_seconds,
            service_tokens=ServiceTokenClient(settings.auth_url, settings.client_id,
                                              settings.client_secret),
        )
        recognition = RecognitionClient(settings.recognition_target_list(),
                                        settings.recognition_deadline_seconds)
        # Short timeouts: a Redis that hangs must not hang every request with it.
        redis_client = (async_redis_client(settings.redis_url, timeout_seconds=0.5)
                        if settings.redis_url else None)
        app.state.upstreams = upstreams
        app.state.recognition = recognition
        app.state.rate_budgets = RateBudgets.of(
            settings, processes=processes,
            shared=AsyncRedisStore(redis_client, "faceclock:rl:") if redis_client else None,
            local=MemoryStore())
        app.state.openapi_composer = OpenApiComposer(app, upstreams)
        try:
            yield
        finally:
            await recognition.close()
            await upstreams.close()
            token_statuses.close()
            if redis_client is not None:
                await redis_client.aclose()

    app = build_service_app(title="FaceClock gateway", settings=settings, lifespan=lifespan,
                            openapi_url="/api/v1/gateway-openapi.json", docs_url=None,
                            redoc_url=None)
    app.state.token_verifier = RevocationCheckingVerifier(
        JwksKeyStore(settings.jwks_url), issuer=settings.jwt_issuer,
        audience=settings.jwt_audience, statuses=token_statuses)
    app.add_middleware(RequestGuardMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_json_bytes=settings.max_json_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key",
                                          "X-Request-ID"])

    @app.get("/api/v1/openapi.json", dependencies=[Depends(public)], include_in_schema=False)
    async def openapi_document(request: Request) -> JSONResponse:
        composer: OpenApiComposer = request.app.state.openapi_composer
        return JSONResponse(await composer.document())

    @app.get("/api/v1/status", dependencies=[Depends(public)], tags=["health"])
    async def system_status(request: Request) -> JSONResponse:
        """Readiness of every service behind the gateway (for operators and the dev runner)."""
        upstreams: Upstreams = request.app.state.upstreams
        recognition: RecognitionClient = request.app.state.recognition
        services: dict[str, str] = {}
        for name in ("auth", "attendance", "reporting"):
            try:
                reply = await upstreams.call(name, "GET", "/readyz")
                services[name] = "ready" if reply.status_code == 200 else "not_ready"
            except Exception:  # an unreachable service is simply reported down
                services[name] = "down"
        # Saturated or loading replicas make it "degraded", not "ready": clock-ins may be shed.
        services["recognition"] = await recognition.readiness()
        ready = all(state == "ready" for state in services.values())
        return JSONResponse({"status": "ready" if ready else "degraded", "services": services},
                            200 if ready else 503)

    app.include_router(faces_router)
    app.include_router(clocking_router)
    app.include_router(identity_router)
    app.include_router(liveness_router)
    app.include_router(proxy_router())
    app.include_router(web_router(settings.web_dir))
    return app
