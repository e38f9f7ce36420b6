"""The frame of every FastAPI service: request ids, error format, health routes, token verifier."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI

from faceclock_common.fastapi.errors import install_error_handlers
from faceclock_common.fastapi.health import health_router
from faceclock_common.fastapi.requests import RequestIdMiddleware
from faceclock_common.security import JwksKeyStore, TokenVerifier
from faceclock_common.settings import ServiceSettings


def build_service_app(
    *,
    title: str,
    settings: ServiceSettings,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    app = FastAPI(title=title, lifespan=lifespan, **fastapi_kwargs)
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    app.include_router(health_router())
    app.state.settings = settings
    app.state.readiness_checks = {}
    app.state.token_verifier = TokenVerifier(
        JwksKeyStore(settings.jwks_url), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    return app
