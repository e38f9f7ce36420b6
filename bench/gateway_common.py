"""Shared helpers of the end-to-end benchmarks (B7, B11): a real stack on free ports, many
clients at once, and the figures BENCH.md asks for."""

from __future__ import annotations

import http.client
import io
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from recognition_common import FACES, pct

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack

PY_SPY = ["python3", "-m", "uv", "tool", "run", "--from", "py-spy==0.4.3", "py-spy"]
SAMPLES_PER_SECOND = 100

# Benchmarks measure capacity: one admin drives every client, so lift the per-caller budget.
BENCH_ENV = {"GATEWAY_API_RATE_PER_MINUTE": "100000000", "FACECLOCK_LOG_LEVEL": "WARNING"}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and every live descendant (a service's
    worker processes): a cost per request that waiting for a busy core does not inflate."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        family.update(children)
        frontier.extend(children)
    return sum(used.get(member, 0.0) for member in family)


def photo_640x480() -> bytes:
    """The 853x480 test photo cropped to 640x480 in the middle, as a kiosk camera sends it."""
    from PIL import Image

    image = Image.open(FACES / "people/obama/obama_480p.jpg")
    left = (image.width - 640) // 2
    out = io.BytesIO()
    image.crop((left, 0, left + 640, 480)).save(out, "JPEG", quality=90)
    return out.getvalue()


def profile_processes(processes: StackProcesses, names: list[str], seconds: float,
                      out_dir: Path, tag: str) -> dict[str, Path]:
    """Starts py-spy on the named processes (and their worker processes) for `seconds`; returns
    where each writes its collapsed stacks. Call spied() on the result when the load is done."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([*PY_SPY, "--version"], check=True, capture_output=True)  # fetched once
    outputs = {}
    for name in names:
        out = out_dir / f"{tag}-{name}.folded"
        out.unlink(missing_ok=True)
        _SPIES.append(subprocess.Popen(
            [*PY_SPY, "record", "--pid", str(processes.children[name].pid), "--duration",
             str(int(seconds)), "--rate", str(SAMPLES_PER_SECOND), "--format", "raw",
             "--output", str(out), "--subprocesses", "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        outputs[name] = out
    time.sleep(1.5)  # py-spy attaches
    return outputs


_SPIES: list[subprocess.Popen[bytes]] = []


def spied() -> None:
    """Waits for every py-spy started by profile_processes."""
    while _SPIES:
        spy = _SPIES.pop()
        _, errors = spy.communicate(timeout=180)
        if spy.returncode:
            raise SystemExit(f"py-spy failed: {errors.decode()[-500:]}")


def folded_samples(path: Path) -> Iterator[tuple[list[str], int]]:
    for line in path.read_text().splitlines():
        stack_text, _, count = line.rpartition(" ")
        yield stack_text.split(";"), int(count)


@contextmanager
def stack(work: Path, *, before_start: Callable[[Stack], None] | None = None,
          **options: object) -> Iterator[tuple[StackProcesses, httpx.Client, dict[str, str]]]:
    """A running stack, an HTTP client of its gateway and the admin's headers."""
    extra_env = {**BENCH_ENV, **options.pop("extra_env", {})}  # type: ignore[dict-item]
    definition = Stack(var_dir=work, ports=free_ports(), extra_env=extra_env,
                       **options)
    if before_start is not None:
        before_start(definition)
    with running_stack(definition, work / "logs", timeout=600) as processes, \
            httpx.Client(base_url=processes.base_url, timeout=120) as client:
        login = client.post("/api/v1/auth/login",
                            json={"username": "admin", "password": "admin12345"})
        login.raise_for_status()
        yield processes, client, {"Authorization": f"Bearer {login.json()['access_token']}"}


@dataclass
class Run:
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 300)

    def rate(self) -> float:
        return self.ok / self.seconds

    def p(self, q: float) -> float:
        return pct(self.latencies_ms, q) if self.latencies_ms else float("nan")

    def others(self) -> str:
        return ", ".join(f"{n}x{s}" for s, n in sorted(self.statuses.items()) if s >= 300) or "0"


def run_clients(base_url: str, clients: int, seconds: float,
                request: Callable[[httpx.Client], httpx.Response],
                warmup_seconds: float = 2.0) -> Run:
    """`clients` threads, each with its own keep-alive connection, sending `request` back to
    back; only answers that start after the warm-up and end before the stop are counted."""

    def client_loop(send: Callable[[Callable[[], int]], None]) -> None:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            send(lambda: request(client).status_code)

    return _run(clients, seconds, warmup_seconds, client_loop)


def run_gets(base_url: str, path: str, headers: dict[str, str], clients: int, seconds: float,
             warmup_seconds: float = 2.0, rate: float | None = None) -> Run:
    """run_clients for a plain GET, sent with http.client: a tenth of httpx's CPU per request,
    so that at hundreds of requests a second the load generator does not take the cores the
    servers are measured on. `rate`: the clients together send that many a second (see _run)."""
    host, port = base_url.removeprefix("http://").split(":")

    def client_loop(send: Callable[[Callable[[], int]], None]) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=120)

        def get() -> int:
            connection.request("GET", path, headers=headers)
            reply = connection.getresponse()
            reply.read()
            return reply.status

        try:
            send(get)
        finally:
            connection.close()

    return _run(clients, seconds, warmup_seconds, client_loop, rate)


def _run(clients: int, seconds: float, warmup_seconds: float,
         client_loop: Callable[[Callable[[Callable[[], int]], None]], None],
         rate: float | None = None) -> Run:
    """Closed loop (rate None): each client sends its next request when the last one was
    answered, so at saturation the latency is just clients ÷ throughput. Open loop (`rate`):
    the clients take turns on a fixed schedule of `rate` requests a second, and a latency runs
    from the request's scheduled time, so time spent queued behind a slow answer counts (no
    coordinated omission); every request scheduled inside the window is counted."""
    run = Run(clients, seconds)
    begin = time.monotonic() + warmup_seconds
    end = begin + seconds
    started_at = time.monotonic()

    def closed(request: Callable[[], int]) -> None:
        while True:
            started = time.monotonic()
            if started >= end:
                return
            status = request()
            finished = time.monotonic()
            if started >= begin and finished <= end:
                record(status, finished - started)

    def paced(request: Callable[[], int], turn: int) -> None:
        assert rate is not None
        interval = clients / rate
        scheduled = started_at + turn / rate
        while scheduled < end:
            time.sleep(max(0.0, scheduled - time.monotonic()))
            status = request()
            if scheduled >= begin:
                finished = time.monotonic()
                record(status, finished - scheduled)
                with run.lock:  # a run that fell behind its schedule took longer than planned
                    run.seconds = max(run.seconds, finished - begin)
            scheduled += interval

    def record(status: int, seconds_taken: float) -> None:
        with run.lock:
            run.statuses[status] += 1
            if status < 300:
                run.latencies_ms.append(seconds_taken * 1000)

    def sender(turn: int) -> Callable[[Callable[[], int]], None]:
        return (lambda request: paced(request, turn)) if rate else closed

    threads = [threading.Thread(target=client_loop, args=(sender(turn),))
               for turn in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run
