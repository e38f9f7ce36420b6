"""Runs a Stack as child processes on free ports, for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from faceclock_dev.stack import Ports, ProcessSpec, Stack
from faceclock_dev.testing import REPO_ROOT, free_port


def free_ports() -> Ports:
    return Ports(gateway=free_port(), auth=free_port(), attendance=free_port(),
                 reporting=free_port(), recognition=free_port(), smtp=free_port())


class StackProcesses:
    def __init__(self, stack: Stack, log_dir: Path) -> None:
        self.stack = stack
        self.log_dir = log_dir
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.ports.gateway}"

    def start(self, spec: ProcessSpec) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{spec.name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self._logs[spec.name] = log
        self.children[spec.name] = subprocess.Popen(
            spec.argv, env={**os.environ, **spec.env}, cwd=REPO_ROOT, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def start_all(self) -> None:
        self.stack.create_mysql_databases()
        for spec in self.stack.processes():
            self.start(spec)

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            for name, child in self.children.items():
                if child.poll() is not None:
                    raise RuntimeError(f"{name} exited with {child.returncode}\n{self.tail(name)}")
            try:
                reply = httpx.get(f"{self.base_url}/api/v1/status", timeout=3)
                last = reply.text
                if reply.status_code == 200:
                    return
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.5)
        raise TimeoutError(f"stack not ready after {timeout}s: {last}\n{self.all_tails()}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def all_tails(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.tail(name)}" for name in self.children)

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        child = self.children.pop(name, None)
        if child is None:
            return None
        if child.poll() is None:
            os.killpg(child.pid, sig)
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        log = self._logs.pop(name, None)
        if log:
            log.close()
        return child.returncode

    def stop_all(self) -> None:
        # The gateway first, so nothing new comes in while the rest drain.
        for name in sorted(self.children, key=lambda n: n != "gateway"):
            self.stop(name)


@contextmanager
def running_stack(stack: Stack, log_dir: Path, timeout: float = 180) -> Iterator[StackProcesses]:
    processes = StackProcesses(stack, log_dir)
    try:
        processes.start_all()
        processes.wait_ready(timeout)
        yield processes
    finally:
        processes.stop_all()


@contextmanager
def stack_in(var_dir: Path, **env: str) -> Iterator[StackProcesses]:
    """A whole stack of its own, its data and logs in `var_dir`, on free ports; `env` on top of
    the local run's settings."""
    with running_stack(Stack(var_dir=var_dir, ports=free_ports(), extra_env=env),
                       var_dir / "logs") as processes:
        yield processes
