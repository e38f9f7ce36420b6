"""B10: the monthly CSV for 10,000 employees, streamed page by page from a paged source.

    uv run python bench/reporting_monthly.py [--employees 10000] [--punches 600000]
                                             [--with-attendance [--attendance-only]]
                                             [--baseline-ref d1d33c4 [--rounds 1]]

A source process serves the attendance contract's paged lists (`/api/v1/attendance/monthly`,
`/api/v1/punches`) with synthetic rows; each case then runs in a fresh process the same code a
Celery worker runs for a report (reporting_svc.reports.tasks.generate_report: claim, fetch page
by page, write the CSV to a temporary file, rename, record), so its peak RSS (VmHWM) is the
report's alone. Target (BENCH.md B10): <= 30 s and <= 500 MB peak.

--with-attendance adds the whole chain: bench/attendance_month.py's seeded month (10,000
employees, ~600k punches, day results computed and stored) in a SQLite file, the real
attendance service serving it, and the monthly report paging through its /attendance/monthly
with a real EdDSA service token (the source process then also plays auth: JWKS and token).
--attendance-only skips the two synthetic cases. Pages are the reporting service's configured
size unless --monthly-page-size / --punch-page-size say otherwise.

--baseline-ref REF runs the same cases with REF's code too (reporting and attendance), one after
the other, and prints old/new side by side with the load average (bench/baseline.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from baseline import add_arguments, run_side_by_side, strip_baseline, write_figures

SURNAMES = ["张", "王", "李", "Smith", "García", "Nguyen", "O'Brien", "=Eve"]
DEPARTMENTS = ["研发部", "Sales, EMEA", "Operations", "Finance"]


def monthly_item(i: int) -> dict[str, Any]:
    """A row shaped like attendance's MonthlyRead."""
    return {
        "employee_id": i + 1, "employee_no": f"E{i + 1:06d}",
        "name": f"{SURNAMES[i % len(SURNAMES)]} {i}", "department_id": 1 + i % 4,
        "department": DEPARTMENTS[i % 4], "month": "2026-10",
        "days_present": 20 - i % 4, "days_absent": i % 4, "half_days": i % 2,
        "late_count": i % 5, "early_leave_count": i % 3, "leave_days": i % 2,
        "leave_hours": 8.0 * (i % 2) + 4.0 * (i % 3),
        "leave_hours_by_type": {"annual": 8.0 * (i % 2), "sick": 4.0 * (i % 3)},
        "business_trip_days": i % 2, "holidays": 1, "overtime_hours": round(i % 7 * 1.5, 2),
        "worked_hours": 168.5 - i % 9, "missing_checkouts": i % 2, "days_counted": 22,
    }


def punch_item(i: int) -> dict[str, Any]:
    day, minute = 1 + i % 31, i % 60
    # Like attendance's PunchListItem (faceclock_common.contracts): who, with the department.
    return {"id": i + 1, "employee_id": 1 + i % 10000, "employee_no": f"E{1 + i % 10000:06d}",
            "name": f"{SURNAMES[i % len(SURNAMES)]} {i % 10000}",
            "department": DEPARTMENTS[i % 10000 % 4],
            "at": f"2026-10-{day:02d}T08:{minute:02d}:00+08:00", "kind": "in" if i % 2 else "out",
            "source": "device", "device_id": "kiosk-1", "device_name": None, "status": "on_time",
            "correction_id": None, "approved_by": None, "created_by": "kiosk:1",
            "created_at": f"2026-10-{day:02d}T08:{minute:02d}:00+08:00",
            "liveness_checked": False}


def department_item(i: int) -> dict[str, Any]:
    return {"id": i + 1, "code": f"D{i + 1}", "name": DEPARTMENTS[i]}


def serve_source(employees: int, punches: int) -> None:
    """The paged source, in its own process so its memory is not counted as the report's.
    It also plays auth for a real attendance service: JWKS and client-credentials tokens."""
    from faceclock_dev.testing import TokenMint

    mint = TokenMint()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            token = mint.token("service", sub="service:reporting", ttl=3600)
            self._send({"access_token": token, "expires_in": 3600})

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path.endswith("/jwks.json"):
                return self._send(mint.jwks())
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            limit, offset = int(query["limit"]), int(query["offset"])
            sources = {
                "/api/v1/attendance/monthly": (employees, monthly_item),
                "/api/v1/punches": (punches, punch_item),
                "/api/v1/departments": (len(DEPARTMENTS), department_item),
            }
            total, make = sources[url.path]
            items = [make(i) for i in range(offset, min(offset + limit, total))]
            return self._send({"items": items, "total": total})

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_case(kind: str, source: str, page_size: int | None, workdir: Path, *,
             month: str = "2026-10", auth: str | None = None, label: str | None = None) -> None:
    """One report, exactly as the worker makes it; prints a JSON line of measurements."""
    os.environ.update({
        "FACECLOCK_ENV": "test", "FACECLOCK_LOG_LEVEL": "WARNING",
        "REPORTING_DATABASE_URL": f"sqlite:///{workdir / f'reporting-{label or kind}.db'}",
        "REPORTING_FILES_DIR": str(workdir / (label or kind)), "REPORTING_ATTENDANCE_URL": source,
        "REPORTING_AUTH_URL": auth or source, "REPORTING_CLIENT_SECRET": "bench",
    })
    if page_size is not None:
        os.environ["REPORTING_PAGE_SIZE"] = str(page_size)
    from faceclock_common.db import run_migrations, session_scope
    from reporting_svc.__main__ import MIGRATIONS
    from reporting_svc.config import Settings
    from reporting_svc.reports import service
    from reporting_svc.reports.tasks import Outcome, generate_report
    from reporting_svc.runtime import Runtime

    settings = Settings()
    run_migrations(MIGRATIONS, settings.database_url)
    runtime = Runtime.build(settings)
    params = ({"month": month} if kind == "monthly"
              else {"from": "2026-10-01", "to": "2026-10-31"})
    with session_scope(runtime.sessions) as session:
        report_id = service.create_report(session, kind=kind, params=params,
                                          owner_subject="bench").id
    baseline = peak_rss_mb()
    started = time.perf_counter()
    outcome = generate_report(runtime, report_id)
    seconds = time.perf_counter() - started
    with session_scope(runtime.sessions) as session:
        report = service.get_report(session, report_id=report_id)
        assert report is not None
        rows, size, name = report.rows, report.size_bytes, report.file_name
    if outcome is not Outcome.DONE:
        with session_scope(runtime.sessions) as session:
            failed = service.get_report(session, report_id=report_id)
            reason = failed.error if failed else "?"
        raise SystemExit(f"{kind} report did not finish: {outcome} ({reason})")
    sys.stdout.write(json.dumps({"kind": label or kind, "seconds": seconds, "rows": rows, "bytes": size,
                                 "file": name, "baseline_mb": baseline,
                                 "peak_mb": peak_rss_mb(),
                                 "page_size": settings.page_size}) + "\n")


def run(argv: list[str]) -> dict[str, Any]:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{argv[2:4]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def with_attendance(me: list[str], auth_url: str, workdir: Path,
                    args: argparse.Namespace) -> dict[str, Any]:
    """bench/attendance_month.py's seeded month served by the real attendance service."""
    import importlib.util
    import random
    import socket
    from datetime import UTC, datetime, timedelta

    from faceclock_common.db import make_engine, make_session_factory, run_migrations

    spec = importlib.util.spec_from_file_location(
        "attendance_month", Path(__file__).with_name("attendance_month.py"))
    assert spec is not None and spec.loader is not None
    month_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(month_bench)
    first, last = month_bench.reports.parse_month(args.month)
    url = f"sqlite:///{workdir / 'attendance.db'}"
    run_migrations(month_bench.MIGRATIONS, url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    seeded = month_bench.seed(factory, args.employees, first, last, random.Random(20261021))
    now = datetime.combine(last + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    month_bench.compute(url, seeded["ids"], first, last, now, args.workers)
    engine.dispose()
    setup_s = time.perf_counter() - started

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FACECLOCK_ENV": "test", "FACECLOCK_LOG_LEVEL": "WARNING",
           "FACECLOCK_JWKS_URL": f"{auth_url}/api/v1/auth/jwks.json",
           "ATTENDANCE_PORT": str(port), "ATTENDANCE_DATABASE_URL": url,
           "ATTENDANCE_DEFAULT_TIMEZONE": month_bench.ZONE}
    attendance = subprocess.Popen([sys.executable, "-m", "attendance_svc"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180  # migrations and two workers: slow on a busy machine
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("the attendance service did not start")
            time.sleep(0.2)
        result = run([*me, "--case", "monthly", "--label", "attendance",
                      "--source", f"http://127.0.0.1:{port}", "--auth", auth_url,
                      "--workdir", str(workdir), "--month", args.month,
                      *_page_size(args.monthly_page_size)])
    finally:
        attendance.terminate()
        attendance.wait(timeout=30)
    result["setup"] = (f"real attendance: {args.employees:,} employees, {seeded['punches']:,} "
                       f"punches in {args.month}, seeded and computed in {setup_s:.0f} s "
                       f"(not timed against B10); the report pages its /attendance/monthly "
                       f"{result['page_size']} rows at a time")
    return result


def _page_size(size: int | None) -> list[str]:
    return [] if size is None else ["--page-size", str(size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--punches", type=int, default=600_000)
    parser.add_argument("--monthly-page-size", type=int, default=None)
    parser.add_argument("--punch-page-size", type=int, default=None)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--page-size", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--auth", help=argparse.SUPPRESS)
    parser.add_argument("--month", default="2026-10", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=2,
                        help="processes computing the seeded month (--with-attendance)")
    parser.add_argument("--with-attendance", action="store_true",
                        help="also run the monthly report against the real attendance service "
                             "over a seeded month (takes a few minutes)")
    parser.add_argument("--attendance-only", action="store_true",
                        help="with --with-attendance: skip the synthetic-source cases")
    add_arguments(parser)
    args = parser.parse_args()
    if args.baseline_ref:
        run_side_by_side(__file__, strip_baseline(sys.argv[1:]), args.baseline_ref, args.rounds)
        return
    if args.serve:
        serve_source(args.employees, args.punches)
        return
    if args.case:
        run_case(args.case, args.source, args.page_size, Path(args.workdir), month=args.month,
                 auth=args.auth, label=args.label)
        return

    me = [sys.executable, __file__]
    source = subprocess.Popen([*me, "--serve", "--employees", str(args.employees),
                               "--punches", str(args.punches)], stdout=subprocess.PIPE, text=True)
    try:
        assert source.stdout is not None
        url = f"http://127.0.0.1:{source.stdout.readline().strip()}"
        results = []
        with tempfile.TemporaryDirectory() as workdir:
            synthetic = () if args.attendance_only else (
                ("monthly", args.monthly_page_size), ("punches", args.punch_page_size))
            for kind, page_size in synthetic:
                results.append(run([*me, "--case", kind, "--source", url, "--workdir", workdir,
                                    *_page_size(page_size)]))
            if args.with_attendance:
                results.append(with_attendance(me, url, Path(workdir), args))
    finally:
        source.terminate()
        source.wait(timeout=10)

    header = (f"{'case':<34} {'rows':>9} {'file MB':>8} {'seconds':>8} {'rows/s':>9} "
              f"{'peak RSS MB':>12} {'target':>22}")
    lines = [f"B10 reporting, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", header,
             "-" * len(header)]
    labels = {"monthly": f"monthly CSV, {args.employees:,} employees",
              "punches": f"punches CSV, {args.punches:,} punches",
              "attendance": "monthly CSV from real attendance"}
    for r in results:
        ok = r["seconds"] <= 30 and r["peak_mb"] <= 500
        target = ("<=30 s, <=500 MB " + ("PASS" if ok else "FAIL")) if r["kind"] != "punches" \
            else "(streaming check)"
        lines.append(f"{labels[r['kind']]:<34} {r['rows']:>9,} {r['bytes'] / 1e6:>8.1f} "
                     f"{r['seconds']:>8.2f} {r['rows'] / r['seconds']:>9,.0f} "
                     f"{r['peak_mb']:>12.1f} {target:>22}")
    write_figures(args, {f"{labels[r['kind']]}, {what}": r[key] for r in results
                         for what, key in (("s", "seconds"), ("peak MB", "peak_mb"))})
    lines.append(f"(peak RSS includes the interpreter and libraries: "
                 f"{results[0]['baseline_mb']:.0f} MB before the report started)")
    for r in results:
        if "setup" in r:
            lines.append(r["setup"])
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
