"""Liveness and readiness routes for the FastAPI services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from faceclock_common.fastapi.security import public

ReadinessCheck = Callable[[], Awaitable[None]]


def health_router() -> APIRouter:
    """`/healthz` says the process runs; `/readyz` runs the checks on app.state.readiness_checks."""
    router = APIRouter(dependencies=[Depends(public)], include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
        failures = {}
        for name, check in checks.items():
            try:
                await check()
            except Exception as exc:  # readiness reports any failure, whatever its type
                failures[name] = type(exc).__name__
        if failures:
            return JSONResponse({"status": "not_ready", "failing": failures}, 503)
        return JSONResponse({"status": "ready"})

    return router
