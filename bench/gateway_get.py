"""B11 of BENCH.md: an authenticated GET that touches the database, through the gateway
(GET /api/v1/employees/{id}: token check, rate limit, proxy, attendance reads one row).

    uv run python bench/gateway_get.py [--baseline-ref d1d33c4] [--seconds 10] [--clients 1 8]
                                       [--rates 500] [--stacks sqlite mariadb] [--profile]

Two stacks: the embedded one (SQLite, in-process rate limits) and the production-like one
(MariaDB on 127.0.0.1:3306 and Redis on 6379: databases of their own, dropped afterwards, and a
Redis database claimed like the tests do). With --baseline-ref the code at that git ref runs
beside this one (a worktree with its own venv, see gateway_common.baseline_python): both stacks
are up at once and each row is measured old then new back to back, so both see the same load;
a second table gives the ratios. Worker counts are each code's defaults (this code: one
process per core for gateway, auth and attendance). --profile runs py-spy on the gateway and
attendance (with their workers) at the highest client count and says where the CPU went.

Two ways to load: closed loop (each client sends again as soon as it has its answer: the most
the stack can do, where a p50 is clients ÷ throughput) and, with the most clients, open loop at
each of --rates (the clients together send that many a second on a fixed schedule, and a
latency counts from the scheduled time: the p50 a steady load of that size gets).
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import sqlalchemy as sa
from baseline import add_arguments, baseline_python, write_figures
from gateway_common import (
    SAMPLES_PER_SECOND,
    Run,
    cpu_seconds,
    folded_samples,
    load,
    profile_processes,
    run_gets,
    spied,
    stack,
)
from recognition_common import table

from faceclock_dev.testing import MYSQL_SERVER_URL, redis_database

# Where a sample's time goes: the first rule (in this order) that a frame of its stack matches,
# read from the innermost frame out.
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("import machinery (httpcore's missing sniffio)", ("<frozen importlib",)),
    ("token verification (EdDSA, claims)", ("faceclock_common/security.py", "jwt/",
                                            "revocation.py")),
    ("logging", ("logging/__init__.py", "pythonjsonlogger")),
    ("SQL (SQLAlchemy, driver)", ("sqlalchemy", "sqlite3", "pymysql")),
    ("rate limit (Redis)", ("faceclock_common/throttle.py", "redis/")),
    ("HTTP client to the service (http1.py; before: httpx, httpcore)",
     ("gateway_svc/http1.py", "httpx/", "httpcore/", "h11/")),
    ("thread-pool hand-off", ("to_thread.py", "run_in_threadpool", "concurrent/futures",
                              "WorkerThread", "threading.py")),
    ("HTTP server (uvicorn)", ("uvicorn/protocols",)),
    ("framework (routing, dependencies, middleware)", ("fastapi/", "starlette/", "pydantic")),
]


def categorise(frames: list[str]) -> str:
    for frame in reversed(frames):
        for category, needles in RULES:
            if any(needle in frame for needle in needles):
                return category
    return "event loop, other Python"


def where_time_went(outputs: dict[str, Path], requests: int) -> dict[tuple[str, str], float]:
    """(process, category) -> CPU ms per request."""
    samples: Counter[tuple[str, str]] = Counter()
    for name, path in outputs.items():
        for frames, count in folded_samples(path):
            samples[(name, categorise(frames))] += count
    return {key: n / SAMPLES_PER_SECOND / max(1, requests) * 1000 for key, n in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rates", type=float, nargs="*", default=[500.0],
                        help="also send at these fixed rates (requests a second, all clients "
                             "together) with the most clients: open loop, see gateway_common")
    parser.add_argument("--stacks", nargs="+", choices=["sqlite", "mariadb"],
                        default=["sqlite", "mariadb"])
    add_arguments(parser, rounds=False)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-dir", type=Path, default=Path("var/bench-profiles"))
    args = parser.parse_args()
    rows: list[list[object]] = []
    ratios: list[list[object]] = []
    profiles: dict[str, dict[tuple[str, str], float]] = {}
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, \
            baseline_python(args.baseline_ref, Path(tmp)) as old_python:
        codes = ([("old " + args.baseline_ref, old_python)] if old_python else []) + [
            ("new", None)]
        for kind in args.stacks:
            with ExitStack() as running:
                targets = {}
                for code, python in codes:
                    options: dict[str, object] = {} if python is None else {"python": python}
                    if kind == "mariadb":
                        prefix = f"fc_bench_{uuid.uuid4().hex[:8]}"
                        running.callback(_drop, prefix)
                        options.update(mysql_url=MYSQL_SERVER_URL,
                                       redis_url=running.enter_context(claimed_redis()),
                                       database_prefix=prefix)
                    work = Path(tmp) / f"{kind}-{code.split()[0]}"
                    processes, client, headers = running.enter_context(stack(work, **options))
                    created = client.post("/api/v1/employees", headers=headers,
                                          json={"employee_no": "B11-1", "name": "Ada Lovelace"})
                    created.raise_for_status()
                    targets[code] = (processes, f"/api/v1/employees/{created.json()['id']}",
                                     headers)
                label = "SQLite, embedded" if kind == "sqlite" else "MariaDB + Redis"
                paced = [(max(args.clients), rate) for rate in args.rates]
                for count, rate in [(count, None) for count in args.clients] + paced:
                    runs: dict[str, Run] = {}
                    cpu: dict[str, float] = {}
                    clients = f"{count}" if rate is None else f"{count} at {rate:.0f}/s"
                    for code, _ in codes:
                        processes, path, headers = targets[code]
                        outputs = None
                        if args.profile and count == max(args.clients) and rate is None:
                            outputs = profile_processes(processes, ["gateway", "attendance"],
                                                        args.seconds, args.profile_dir,
                                                        f"b11-{kind}-{code.split()[0]}")
                        pids = [processes.children[name].pid for name in ("gateway", "attendance")]
                        before = [cpu_seconds(pid) for pid in pids]
                        run = run_gets(processes.base_url, path, headers, count, args.seconds,
                                       warmup_seconds=0 if outputs else 2.0, rate=rate)
                        # Over warm-up and run alike: divided by the answers of both.
                        answered = run.ok * (1 + (0 if outputs else 2.0) / args.seconds)
                        cpu_ms = [(cpu_seconds(pid) - start) / max(answered, 1) * 1000
                                  for pid, start in zip(pids, before, strict=True)]
                        if outputs:
                            spied()
                            profiles[f"{label}, {code}, {count} clients"] = where_time_went(
                                outputs, run.ok)
                        runs[code] = run
                        cpu[code] = sum(cpu_ms)
                        if code == "new":
                            figures[f"B11 {label}, {clients} clients, p50 ms"] = run.p(50)
                            figures[f"B11 {label}, {clients} clients, req/s"] = run.rate()
                            figures[f"B11 {label}, {clients} clients, CPU ms per request"] = \
                                sum(cpu_ms)
                        rows.append([label, code, clients, round(run.rate()), run.p(50),
                                     run.p(95), round(cpu_ms[0], 2), round(cpu_ms[1], 2),
                                     run.others(), load()])
                    if len(codes) == 2:
                        old, new = runs[codes[0][0]], runs["new"]
                        ratios.append([label, clients, f"{new.rate() / max(old.rate(), 1e-9):.2f}x",
                                       f"{old.p(50) / new.p(50):.2f}x",
                                       f"{cpu[codes[0][0]] / max(cpu['new'], 1e-9):.2f}x", load()])
    table(f"B11 authenticated GET /api/v1/employees/{{id}} through the gateway, "
          f"{args.seconds:.0f} s per row, keep-alive clients; target ≥ 1,000 req/s, p50 ≤ 5 ms",
          ["stack", "code", "clients", "req/s", "p50 ms", "p95 ms", "gateway CPU ms/req",
           "attendance CPU ms/req", "other answers", "load 1/5 min"], rows)
    write_figures(args, figures)
    if ratios:
        table("B11 new against old, measured back to back (higher is better)",
              ["stack", "clients", "req/s new ÷ old", "p50 old ÷ new", "CPU per request old ÷ new",
               "load 1/5 min"], ratios)
    for title, cost in profiles.items():
        ordered = sorted(cost.items(), key=lambda kv: -kv[1])
        table(f"Where a request's CPU went (py-spy, {title}; ms per request, all workers)",
              ["process", "part", "CPU ms per request"],
              [[process, part, round(ms, 3)] for (process, part), ms in ordered if ms >= 0.005]
              + [["all", "total", round(sum(cost.values()), 3)]])


@contextmanager
def claimed_redis() -> Iterator[str]:
    """A Redis database of our own (claimed and flushed like the tests')."""
    databases = redis_database()
    try:
        yield next(databases)
    finally:
        databases.close()


def _drop(prefix: str) -> None:
    engine = sa.create_engine(MYSQL_SERVER_URL)
    with engine.connect() as conn:
        for service in ("auth", "attendance", "recognition", "reporting"):
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{prefix}_{service}`"))
    engine.dispose()


if __name__ == "__main__":
    main()
