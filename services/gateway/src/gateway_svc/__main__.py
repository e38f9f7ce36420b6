"""`python -m gateway_svc`: serve the gateway (no database, nothing to migrate)."""

from __future__ import annotations

import sys

import uvicorn

from faceclock_common.logging import configure_logging
from gateway_svc.config import Settings
from gateway_svc.main import create_app


def main(argv: list[str]) -> None:
    settings = Settings()
    configure_logging("gateway", settings.log_level)
    if argv[:1] == ["migrate"]:
        return  # the gateway owns no database
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                proxy_headers=False, access_log=False, timeout_graceful_shutdown=20,
                log_config=None)


if __name__ == "__main__":
    main(sys.argv[1:])
