"""The dev supervisor with real child processes: nothing is left running when a start fails, and
the gateway is stopped (and gone) before the services behind it."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest

from faceclock_dev.stack import ProcessSpec
from faceclock_dev.supervisor import Supervisor

# Writes its name and pid, then on SIGTERM writes "<name> stopped <time>" and exits.
CHILD = """
import os, signal, sys, time
name, log = sys.argv[1], sys.argv[2]
def stop(*_):
    with open(log, "a") as f:
        f.write(f"{name} stopped {time.monotonic()}\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
with open(log, "a") as f:
    f.write(f"{name} pid {os.getpid()}\\n")
while True:
    time.sleep(0.05)
"""


def _spec(name: str, log: Path) -> ProcessSpec:
    return ProcessSpec(name=name, argv=[sys.executable, "-c", CHILD, name, str(log)], env={})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(log: Path, text: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in {log.read_text() if log.exists() else 'nothing'}")


def test_a_failed_start_leaves_no_child_running(tmp_path: Path) -> None:
    log = tmp_path / "log"
    missing = ProcessSpec(name="broken", argv=[str(tmp_path / "no-such-binary")], env={})
    supervisor = Supervisor([_spec("first", log), missing], cwd=tmp_path,
                            base_env=dict(os.environ), out=io.StringIO(), stop_grace=10)
    with pytest.raises(FileNotFoundError):
        supervisor.run()
    first = supervisor.children["first"].process
    assert first is not None
    assert first.returncode is not None  # stopped and reaped, not left in its own session
    assert not _alive(first.pid)


def test_the_gateway_is_gone_before_the_services_behind_it_are_told_to_stop(
        tmp_path: Path) -> None:
    log = tmp_path / "log"
    supervisor = Supervisor([_spec("attendance", log), _spec("gateway", log)], cwd=tmp_path,
                            base_env=dict(os.environ), out=io.StringIO(), stop_grace=10)
    started = {"done": False}

    def stop_once_running() -> None:
        _wait_for(log, "attendance pid")
        _wait_for(log, "gateway pid")
        started["done"] = True
        supervisor.request_stop()

    assert supervisor.run(on_started=stop_once_running) == 0
    assert started["done"]
    stops = [line.split() for line in log.read_text().splitlines() if " stopped " in line]
    assert [name for name, *_ in stops] == ["gateway", "attendance"]
