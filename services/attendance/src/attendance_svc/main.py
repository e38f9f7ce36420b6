"""The attendance service's FastAPI app factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from attendance_svc.audit.router import router as audit_router
from attendance_svc.clocking import lockout
from attendance_svc.clocking.router import router as clocking_router
from attendance_svc.config import Settings
from attendance_svc.db import make_service_engine
from attendance_svc.liveness.router import router as liveness_router
from attendance_svc.notify import Notifier
from attendance_svc.organisation.router import router as organisation_router
from attendance_svc.punches.router import router as punches_router
from attendance_svc.requests.router import router as requests_router
from attendance_svc.results.nightly import run_nightly
from attendance_svc.results.router import router as results_router
from attendance_svc.scheduling.router import router as scheduling_router
from attendance_svc.sites.router import internal as sites_internal_router
from attendance_svc.sites.router import router as sites_router
from faceclock_common.db import make_session_factory
from faceclock_common.fastapi.app import build_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.check_production_safety()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_service_engine(settings.database_url)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.pin_lockout = lockout.store_of(settings, app.state.session_factory)

        async def database() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        app.state.readiness_checks["database"] = database
        nightly = None
        if settings.nightly_job:
            nightly = asyncio.create_task(run_nightly(
                app.state.session_factory, app.state.notifier, at=settings.nightly_job_at,
                zone_name=settings.default_timezone, lookback_days=settings.absence_lookback_days))
        try:
            yield
        finally:
            if nightly is not None:
                nightly.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await nightly
            engine.dispose()

    app = build_service_app(title="FaceClock attendance", settings=settings, lifespan=lifespan,
                            openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.notifier = Notifier(settings)
    for router in (organisation_router, punches_router, scheduling_router, requests_router,
                   audit_router, results_router, clocking_router, sites_router,
                   sites_internal_router, liveness_router):
        app.include_router(router)
    return app
