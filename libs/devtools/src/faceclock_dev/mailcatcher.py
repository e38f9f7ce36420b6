"""Development mail catcher: an SMTP server that writes each message as an .eml file.

Run: python -m faceclock_dev.mailcatcher --port 8025 --dir var/mail
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from faceclock_common.logging import configure_logging

logger = logging.getLogger("mailcatcher")


class EmlWriter:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.directory / (name + ".part")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.directory / name)  # readers never see half a message
        logger.info("mail caught", extra={"to": envelope.rcpt_tos, "file": name})
        return "250 Message accepted"


def start_mailcatcher(directory: Path, port: int, host: str = "127.0.0.1") -> Controller:
    controller = Controller(EmlWriter(directory), hostname=host, port=port)
    controller.start()
    return controller


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    configure_logging("mailcatcher")
    controller = start_mailcatcher(args.dir, args.port, args.host)
    logger.info("mail catcher listening", extra={"port": args.port, "dir": str(args.dir)})
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
