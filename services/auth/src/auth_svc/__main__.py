"""`python -m auth_svc [serve|migrate|rotate-keys [--revoke-previous]]`: serve by default, in
AUTH_WORKERS processes (default: one per core)."""

from __future__ import annotations

import argparse
import logging
from datetime import timedelta

from fastapi import FastAPI

from auth_svc.config import Settings
from auth_svc.keys.keyring import KeyRing
from auth_svc.main import MIGRATIONS, create_app
from faceclock_common.db import run_migrations
from faceclock_common.fastapi.server import serve, stop_with_parent
from faceclock_common.logging import configure_logging

logger = logging.getLogger("auth_svc")


def app() -> FastAPI:
    """The app of one server process (uvicorn calls this in each worker)."""
    settings = Settings()
    configure_logging("auth", settings.log_level)
    if settings.worker_processes > 1:
        stop_with_parent()
    return create_app(settings)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m auth_svc", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "migrate", "rotate-keys"])
    parser.add_argument("--revoke-previous", action="store_true",
                        help="with rotate-keys: unpublish the old keys at once (a leaked key)")
    args = parser.parse_args()
    settings = Settings()
    configure_logging("auth", settings.log_level)
    if args.command == "rotate-keys":
        keyring = KeyRing(settings.keys_dir, grace=timedelta(seconds=settings.key_grace_seconds))
        key = keyring.rotate(revoke_previous=args.revoke_previous)
        logger.info("new signing key is current",
                    extra={"kid": key.kid, "published": [k.kid for k in keyring.published()]})
        return
    run_migrations(MIGRATIONS, settings.database_url)
    if args.command == "migrate":
        return
    # X-Forwarded-For is read by the app itself, from trusted proxies only (AUTH_TRUSTED_PROXIES).
    serve("auth_svc.__main__:app", host=settings.host, port=settings.port,
          workers=settings.worker_processes, proxy_headers=False)


if __name__ == "__main__":
    main()
