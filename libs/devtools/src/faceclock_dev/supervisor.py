"""The process supervisor of `./dev up`: like production, one process dying is not the end.

A child that exits while the stack is running is restarted after a backoff (1 s, doubling up to
30 s while it keeps failing, back to 1 s once it has run for a minute), and the exit and restart
are logged; the other children keep running. SIGINT or SIGTERM (Ctrl-C) stops every child: the
gateway first, SIGTERM to each process group, SIGKILL only for one still there after the grace.

honcho, which ran the stack before, stops everything when one child exits and cannot restart;
supervisord could restart but wants a config file and logs to files instead of one console.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from faceclock_dev.stack import ProcessSpec

INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# A child that ran this long before exiting is restarted after the initial backoff again.
STABLE_AFTER_SECONDS = 60.0
# A Celery worker's warm shutdown and uvicorn's graceful one take longer than a few seconds.
STOP_GRACE_SECONDS = 25.0


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class _Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    failures: int = 0
    restarts: int = 0
    reader: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    """Runs ProcessSpecs as children in their own process groups, prefixing their output."""

    def __init__(self, specs: Sequence[ProcessSpec], *, cwd: Path, base_env: Mapping[str, str],
                 out: IO[str] | None = None, stop_grace: float = STOP_GRACE_SECONDS) -> None:
        self.children = {spec.name: _Child(spec) for spec in specs}
        self.cwd = cwd
        self.base_env = dict(base_env)
        self.out = out or sys.stdout
        self.stop_grace = stop_grace
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._width = max((len(name) for name in self.children), default=0) + 1

    # Output ---------------------------------------------------------------------------------

    def log(self, name: str, line: str) -> None:
        with self._write_lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self._width}}| {line}\n")
            self.out.flush()

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.log(name, raw.decode(errors="replace").rstrip("\n"))
        stream.close()

    # Life cycle -----------------------------------------------------------------------------

    def _start(self, child: _Child) -> None:
        child.process = subprocess.Popen(
            child.spec.argv, env={**self.base_env, **child.spec.env}, cwd=self.cwd,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # Its own group: Ctrl-C reaches the supervisor only, which then stops children in
            # order, and a restart or stop reaches the child's own subprocesses too.
            start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        assert child.process.stdout is not None
        child.reader = threading.Thread(target=self._pump, args=(child.spec.name, child.process.stdout),
                                        daemon=True)
        child.reader.start()
        self.log("supervisor", f"started {child.spec.name} (pid {child.process.pid})")

    def _check(self, child: _Child, now: float) -> None:
        """Notices an exit and schedules the restart; starts the child when its time has come."""
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.restarts += 1
                self._start(child)
            return
        process = child.process
        if process is None or process.poll() is None:
            return
        ran = now - child.started_at
        # Whatever the dead child left in its group (worker processes) goes with it.
        self._signal_group(process.pid, signal.SIGKILL)
        child.failures = 1 if ran >= STABLE_AFTER_SECONDS else child.failures + 1
        delay = min(MAX_BACKOFF_SECONDS, INITIAL_BACKOFF_SECONDS * 2 ** (child.failures - 1))
        child.restart_at = now + delay
        self.log("supervisor", f"{child.spec.name} (pid {process.pid}) exited unexpectedly "
                               f"({_describe_exit(process.returncode)}) after {ran:.0f} s; "
                               f"restarting in {delay:.0f} s")

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def run(self, on_started: Callable[[], None] | None = None) -> int:
        """Starts every child, supervises until SIGINT/SIGTERM, then stops them all."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        stopped = False
        try:
            for child in self.children.values():
                self._start(child)
            if on_started is not None:
                on_started()
            while not self._stop.wait(0.2):
                now = time.monotonic()
                for child in self.children.values():
                    self._check(child, now)
            self.log("supervisor", "stopping every process")
            stopped = True
            return self.stop_all()
        finally:
            if not stopped:
                # A start failed (say, a binary missing mid `uv sync`): the children run in their
                # own sessions, out of Ctrl-C's reach, so stop them here or they hold the ports.
                self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @staticmethod
    def _signal_group(pid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)

    def _signal(self, child: _Child, sig: int) -> None:
        # The whole group, even when its leader has exited: its workers may still run.
        if child.process is not None:
            self._signal_group(child.process.pid, sig)

    def stop_all(self) -> int:
        """SIGTERM to the gateway first (nothing new comes in), then to the rest; SIGKILL after
        the grace. Returns 0 when every child stopped on SIGTERM."""
        ordered = sorted(self.children.values(), key=lambda c: c.spec.name != "gateway")
        deadline = time.monotonic() + self.stop_grace
        for child in ordered:
            child.restart_at = None
            self._signal(child, signal.SIGTERM)
            if child.spec.name == "gateway" and child.process is not None:
                # Requests in flight finish against services that are still up.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.process.wait(max(0.0, deadline - time.monotonic()) / 2)
        forced = False
        for child in ordered:
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log("supervisor", f"{child.spec.name} did not stop in {self.stop_grace:.0f} s: "
                                       "SIGKILL")
                self._signal(child, signal.SIGKILL)
                child.process.wait()
                forced = True
            if child.reader is not None:
                child.reader.join(timeout=2)
        self.log("supervisor", "every process has stopped")
        return 1 if forced else 0
