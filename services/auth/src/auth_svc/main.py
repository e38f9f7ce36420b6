"""The auth service's FastAPI app factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from auth_svc.accounts import router as accounts_router
from auth_svc.accounts.service import bootstrap_admin
from auth_svc.config import Settings
from auth_svc.housekeeping import run_periodically
from auth_svc.internal import router as internal_router
from auth_svc.invitations import router as invitations_router
from auth_svc.keys.keyring import KeyRing
from auth_svc.keys.revocation import LocalRevocationVerifier
from auth_svc.keys.tokens import TokenSigner
from auth_svc.kiosks import router as kiosks_router
from auth_svc.mail.mailer import Mailer
from auth_svc.notifications import router as notifications_router
from auth_svc.passwords import Passwords
from auth_svc.runtime import Runtime
from auth_svc.throttle.service import throttle_of
from auth_svc.users import router as users_router
from faceclock_common.addresses import parse_networks
from faceclock_common.db import make_engine, make_session_factory, session_scope
from faceclock_common.fastapi.app import build_service_app
from faceclock_common.security import JwksKeyStore

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: Settings) -> Runtime:
    settings.check_production_safety()
    keyring = KeyRing(settings.keys_dir, grace=timedelta(seconds=settings.key_grace_seconds))
    keyring.ensure_key(generate=settings.generate_keys)
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        keyring=keyring,
        signer=TokenSigner(keyring, issuer=settings.jwt_issuer, audience=settings.jwt_audience),
        passwords=Passwords(settings),
        throttle=throttle_of(settings, session_factory),
        mailer=Mailer(settings),
        trusted_proxies=parse_networks(settings.trusted_proxies),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        def _bootstrap() -> None:
            with session_scope(runtime.session_factory) as session:
                bootstrap_admin(session, runtime=runtime)

        await run_in_threadpool(_bootstrap)
        housekeeping = asyncio.create_task(run_periodically(
            runtime.session_factory, throttle_window_seconds=settings.throttle_window_seconds,
            interval_seconds=settings.housekeeping_interval_seconds))
        yield
        housekeeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await housekeeping
        runtime.engine.dispose()

    app = build_service_app(title="FaceClock auth", settings=settings, lifespan=lifespan,
                            docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.session_factory = runtime.session_factory  # faceclock_common.fastapi.db
    # Auth verifies its own tokens from its key ring directly, not over HTTP to itself, and
    # refuses revoked ones from its database.
    app.state.token_verifier = LocalRevocationVerifier(
        JwksKeyStore(settings.jwks_url, min_refresh_seconds=0,
                     fetch=lambda _url: runtime.keyring.jwks()),
        issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        session_factory=runtime.session_factory,
    )

    async def database_ready() -> None:
        def ping() -> None:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        await run_in_threadpool(ping)

    async def signing_key_ready() -> None:
        runtime.keyring.current()

    app.state.readiness_checks["database"] = database_ready
    app.state.readiness_checks["signing_key"] = signing_key_ready
    app.include_router(accounts_router.router)
    app.include_router(kiosks_router.device_router)
    app.include_router(kiosks_router.router)
    app.include_router(invitations_router.router)
    app.include_router(users_router.router)
    app.include_router(notifications_router.router)
    app.include_router(internal_router.router)
    return app
