"""Serving an HTTP service with uvicorn in one or more worker processes.

With N workers uvicorn's parent process binds the port and keeps N children serving it (each
builds its own app through the factory, so everything held in memory — caches, pools, in-process
rate counters — is per worker; see each service's README for what that means). The children
watch their parent: if it dies without stopping them (SIGKILL), they stop too, instead of
holding the port against the restarted service.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import uvicorn
from uvicorn.importer import import_from_string

_PARENT_ENV = "FACECLOCK_SERVER_PARENT_PID"


def serve(factory: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """`factory`: "module:function" building the app; uvicorn calls it in every worker process
    (in this one when `workers` is 1). With several workers it is called once here first: a
    configuration error (a missing key, a placeholder secret in production) then stops the
    service, where uvicorn would restart the failing workers for ever."""
    os.environ[_PARENT_ENV] = str(os.getpid())  # the workers inherit it (stop_with_parent)
    if workers > 1:
        import_from_string(factory)()
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_config=None,
                timeout_graceful_shutdown=20, **options)


def stop_with_parent(interval_seconds: float = 1.0) -> None:
    """In a worker process: SIGTERM to ourselves (a graceful stop) once the parent is gone. The
    parent is named by serve(), not read here: it may have died while this worker started."""
    parent = int(os.environ.get(_PARENT_ENV) or os.getppid())
    if parent == os.getpid():
        return  # serve()'s own check of the factory, in the parent: nothing to watch

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_seconds)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()
