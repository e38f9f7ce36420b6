"""`python -m recognition_svc [serve|migrate]`: JSON logs, migrations, then serve until SIGTERM.

`migrate` applies the migrations and exits (the Compose migration step, the k8s Job).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from faceclock_common.logging import configure_logging
from recognition_svc.config import Settings
from recognition_svc.main import create_app, migrate


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    starting = asyncio.create_task(app.start())
    waiting = asyncio.create_task(stopping.wait())
    # A SIGTERM while the index loads stops the replica without waiting to serve first.
    await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if starting.done():
        starting.result()
        await waiting
    else:
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
    await app.stop()


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "serve"
    if command not in ("serve", "migrate"):
        raise SystemExit(f"usage: python -m recognition_svc [serve|migrate], not {command!r}")
    settings = Settings()
    configure_logging("recognition", settings.log_level)
    migrate(settings)
    if command == "serve":
        asyncio.run(serve(settings))


if __name__ == "__main__":
    main(sys.argv[1:])
