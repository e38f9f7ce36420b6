"""`python -m reporting_svc web|worker|beat|migrate`: the processes of the reporting service."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from flask import Flask

from faceclock_common.db import run_migrations
from faceclock_common.logging import configure_logging
from reporting_svc.config import Settings
from reporting_svc.main import create_app

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(settings: Settings) -> None:
    run_migrations(MIGRATIONS, settings.database_url)


def serve(app: Flask, settings: Settings) -> None:
    """gunicorn (a real WSGI server: worker processes, graceful stop on SIGTERM)."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.glogging import Logger

    class JsonLogger(Logger):
        """gunicorn's own messages through the root JSON handler, like everything else."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                log.handlers[:] = []
                log.propagate = True

    class Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.web_workers,
                "threads": settings.web_threads,
                "worker_class": "gthread",
                "graceful_timeout": 30,
                "timeout": 60,
                "accesslog": None,
                "post_fork": _post_fork,
                "logger_class": JsonLogger,
                # One shared $HOME socket would clash between instances; nothing uses it.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    def _post_fork(_server: object, _worker: object) -> None:
        # Connections opened before the fork must not be shared between workers.
        app.extensions["reporting"].engine.dispose(close=False)

    Server().run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reporting_svc")
    parser.add_argument("command", choices=["web", "worker", "beat", "migrate"], nargs="?",
                        default="web")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("reporting", settings.log_level)
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    # Only `web` and `migrate` change the schema: workers and beat of several pods starting at
    # once must not race on it, and they need the table only once web accepts reports.
    if args.command in ("web", "migrate"):
        migrate(settings)
    if args.command == "migrate":
        return
    app = create_app(settings)
    celery = app.extensions["celery"]
    level = settings.log_level.upper()
    if args.command == "web":
        serve(app, settings)
    elif args.command == "worker":
        worker_argv = ["worker", f"--loglevel={level}",
                       f"--concurrency={settings.worker_concurrency}", "--pool=prefork",
                       "--without-gossip", "--without-mingle"]
        if settings.embeds_beat:
            settings.schedule_file.parent.mkdir(parents=True, exist_ok=True)
            worker_argv.append("--beat")
        celery.worker_main(worker_argv)
    else:
        settings.schedule_file.parent.mkdir(parents=True, exist_ok=True)
        celery.start(["beat", f"--loglevel={level}"])


if __name__ == "__main__":
    main()
