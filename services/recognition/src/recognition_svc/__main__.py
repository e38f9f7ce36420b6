"""`python -m recognition_svc`: JSON logs, migrations, then serve until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import signal

from faceclock_common.logging import configure_logging
from recognition_svc.config import Settings
from recognition_svc.main import create_app, migrate


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await app.start()
    await stopping.wait()
    await app.stop()


def main() -> None:
    settings = Settings()
    configure_logging("recognition", settings.log_level)
    migrate(settings)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
