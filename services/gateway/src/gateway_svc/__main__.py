"""`python -m gateway_svc`: serve the gateway (no database, nothing to migrate) in
GATEWAY_WORKERS processes (default: one per core)."""

from __future__ import annotations

import sys

from fastapi import FastAPI

from faceclock_common.fastapi.server import serve, stop_with_parent
from faceclock_common.logging import configure_logging
from gateway_svc.config import Settings
from gateway_svc.main import create_app


def app() -> FastAPI:
    """The app of one server process (uvicorn calls this in each worker)."""
    settings = Settings()
    configure_logging("gateway", settings.log_level)
    if settings.worker_processes > 1:
        stop_with_parent()
    return create_app(settings, processes=settings.worker_processes)


def main(argv: list[str]) -> None:
    settings = Settings()
    configure_logging("gateway", settings.log_level)
    if argv[:1] == ["migrate"]:
        return  # the gateway owns no database
    serve("gateway_svc.__main__:app", host=settings.host, port=settings.port,
          workers=settings.worker_processes, proxy_headers=False, access_log=False)


if __name__ == "__main__":
    main(sys.argv[1:])
