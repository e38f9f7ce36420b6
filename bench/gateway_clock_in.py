"""B7 of BENCH.md: clock-in end to end through the gateway (640x480 photo, 10k enrolled), with
2 recognition replicas (--replicas), at 1 and 8 clients (--clients); and where a clock-in's CPU
time goes (py-spy on the gateway, the recognition replicas with their encoding workers, and
attendance).

    uv run python bench/gateway_clock_in.py [--baseline-ref d1d33c4] [--faces 10000]
                                            [--seconds 15] [--no-profile] [--no-identify]

With --baseline-ref the code at that git ref runs beside this one (a worktree with its own venv):
both stacks are up at once and each row is measured old then new back to back, so both see the
same load; a second table gives the ratios.

Every clock-in stores a punch (the duplicate window is 0 s here), so the attendance write is
measured too. HR names the employee, so recognition checks the claim 1:1 (the way kiosks clock
in by default; 1:N is only used within a small site gallery). The same photo sent to
`POST /recognition/identify` (1:N over the whole 10k gallery, no punch) is measured beside it.
The gallery is filled with synthetic encodings (timing only; BENCH.md) before the stack
starts; the probe person is enrolled through the API. py-spy 0.4.3 runs through `uv tool run`
(it is a profiler, not a dependency of the product).
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx
from baseline import add_arguments, baseline_python, write_figures
from gateway_common import (
    PY_SPY,
    SAMPLES_PER_SECOND,
    Run,
    cpu_seconds,
    load,
    photo_640x480,
    run_clients,
    stack,
)
from recognition_common import FACES, Synthetic, real_mean_encoding, table
from recognition_replicas import fill

from faceclock_dev.processes import StackProcesses
from faceclock_dev.stack import Stack
from recognition_svc.config import Settings as RecognitionSettings
from recognition_svc.main import migrate

# Where a sample's time goes: the first rule (in this order) that a frame of its stack matches,
# frames read from the innermost out. dlib's own frames are native, so its calls are told apart
# by the line of recognition_svc/encoder.py that makes them (see encoder_lines()).
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("image decode and resize", ("decode_image (", "PIL", "resize (")),
    ("1:N search", ("index.py", "faiss")),
    ("upload checks (gateway)", ("read_image_upload", "gateway_svc/images.py")),
    ("gRPC (gateway client, recognition server)", ("recognition_client.py", "grpc")),
    ("token verification", ("security.py", "jwt", "cryptography")),
    ("attendance write (SQL)", ("sqlalchemy", "sqlite3", "pymysql")),
    ("HTTP between services", ("httpx", "httpcore", "h11")),
]
DLIB_CALLS = {"self._detector(": "detection (dlib HOG)",
              "self._predictor(": "landmarks (dlib shape predictor)",
              "compute_face_descriptor(": "encoding (dlib ResNet descriptor)"}


def encoder_lines() -> dict[str, str]:
    """'encoder.py:LINE' of each dlib call in the encoder → what that call does."""
    import recognition_svc.encoder as encoder

    marks = {}
    for number, text in enumerate(Path(encoder.__file__).read_text().splitlines(), start=1):
        for call, category in DLIB_CALLS.items():
            if call in text:
                marks[f"encoder.py:{number})"] = category
    return marks


def fill_gallery(faces: int) -> tuple[int, object]:
    def before_start(definition: Stack) -> None:
        key = definition.dev_secrets()["recognition_encryption_key"]
        url = definition.database_url("recognition")
        migrate(RecognitionSettings(database_url=url, encryption_key=key))
        fill(url, base64.b64decode(key), faces, Synthetic(real_mean_encoding(), seed=7))

    return faces, before_start


def enrol_probe(client: httpx.Client, headers: dict[str, str]) -> tuple[int, bytes]:
    created = client.post("/api/v1/employees", headers=headers,
                          json={"employee_no": "B7-1", "name": "Barack Obama"})
    created.raise_for_status()
    employee = int(created.json()["id"])
    enrolled = client.post(f"/api/v1/employees/{employee}/faces", headers=headers,
                           files={"image": ("o.jpg", (FACES / "people/obama/obama_1.jpg").read_bytes(),
                                            "image/jpeg")})
    enrolled.raise_for_status()
    image = photo_640x480()
    quiet = client.post("/api/v1/clock-ins", headers=headers, data={"employee_id": str(employee)},
                        files={"image": ("k.jpg", image, "image/jpeg")})
    if quiet.status_code != 201 or quiet.json()["employee_id"] != employee:
        raise SystemExit(f"the probe photo does not clock its person in: {quiet.text}")
    return employee, image


def profile(processes: StackProcesses, work: Path, seconds: float, clients: int,
            clock_in: object, code: str = "") -> None:
    """py-spy on every process of a clock-in while `clients` clock in for `seconds`; the
    collapsed stacks stay in `work` (for flame graphs: inferno or flamegraph.pl)."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([*PY_SPY, "--version"], check=True, capture_output=True)  # fetched once
    targets = {name: child.pid for name, child in processes.children.items()
               if name in ("gateway", "attendance") or name.startswith("recognition")}
    spies = {}
    for name, pid in targets.items():
        out = work / f"{name}.folded"
        spies[name] = (out, subprocess.Popen(
            [*PY_SPY, "record", "--pid", str(pid), "--duration", str(int(seconds) + 2),
             "--rate", str(SAMPLES_PER_SECOND), "--format", "raw", "--output", str(out),
             "--subprocesses", "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    time.sleep(1)  # py-spy attaches
    run = run_clients(processes.base_url, clients, seconds, clock_in, warmup_seconds=0)
    marks = encoder_lines()
    per_category: Counter[tuple[str, str]] = Counter()
    for name, (out, spy) in spies.items():
        _, errors = spy.communicate(timeout=120)
        if not out.exists():
            raise SystemExit(f"py-spy on {name} failed: {errors.decode()[-500:]}")
        service = "recognition" if name.startswith("recognition") else name
        for line in out.read_text().splitlines():
            stack_text, _, count = line.rpartition(" ")
            per_category[(service, categorise(stack_text.split(";"), marks))] += int(count)
    total = sum(per_category.values())
    rows = []
    for (service, category), samples in sorted(per_category.items(), key=lambda kv: -kv[1]):
        cpu_ms = samples / SAMPLES_PER_SECOND / max(1, run.ok) * 1000
        rows.append([service, category, round(cpu_ms, 1), f"{100 * samples / total:.1f} %"])
    which = f", {code}" if code else ""
    table(f"Where a clock-in's CPU time goes{which}: py-spy on-CPU samples, {clients} clients "
          f"for {seconds:.0f} s, {run.ok} clock-ins ({run.rate():.1f}/s), load {load()}",
          ["process", "part", "CPU ms per clock-in", "share of all samples"], rows)


def categorise(frames: list[str], marks: dict[str, str]) -> str:
    for frame in reversed(frames):
        for mark, category in marks.items():
            if frame.endswith(mark):
                return category
        for category, needles in RULES:
            if any(needle in frame for needle in needles):
                return category
    return "framework, event loop, other Python"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--replicas", type=int, nargs="+", default=[2])
    add_arguments(parser, rounds=False)
    parser.add_argument("--profile-clients", type=int, default=4)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-identify", action="store_true",
                        help="measure clock-ins only (not POST /recognition/identify)")
    parser.add_argument("--profile-dir", type=Path, default=Path("var/bench-profiles"))
    args = parser.parse_args()
    rows: list[list[object]] = []
    ratios: list[list[object]] = []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, \
            baseline_python(args.baseline_ref, Path(tmp)) as old_python:
        codes = ([("old " + args.baseline_ref, old_python)] if old_python else []) + [
            ("new", None)]
        for replicas in args.replicas:
            with ExitStack() as running:
                calls: dict[str, tuple[StackProcesses, list[tuple[str, object]]]] = {}
                for code, python in codes:
                    _, before_start = fill_gallery(args.faces)
                    options: dict[str, object] = {} if python is None else {"python": python}
                    processes, client, headers = running.enter_context(stack(
                        Path(tmp) / f"{replicas}-{code.split()[0]}", before_start=before_start,
                        recognition_replicas=replicas,
                        extra_env={"ATTENDANCE_DUPLICATE_WINDOW_SECONDS": "0"}, **options))
                    employee, image = enrol_probe(client, headers)
                    claim = {"employee_id": str(employee)}

                    def clock_in(http: httpx.Client, image: bytes = image,
                                 headers: dict[str, str] = headers,
                                 claim: dict[str, str] = claim) -> httpx.Response:
                        return http.post("/api/v1/clock-ins", headers=headers, data=claim,
                                         files={"image": ("k.jpg", image, "image/jpeg")})

                    def identify(http: httpx.Client, image: bytes = image,
                                 headers: dict[str, str] = headers) -> httpx.Response:
                        return http.post("/api/v1/recognition/identify", headers=headers,
                                         files={"image": ("k.jpg", image, "image/jpeg")})

                    requests: list[tuple[str, object]] = [
                        ("clock-in (1:1 claim, punch stored)", clock_in)]
                    if not args.no_identify:
                        requests.append(("identify (1:N over the gallery)", identify))
                    calls[code] = (processes, requests)
                labels = [label for label, _ in calls["new"][1]]
                for index, label in enumerate(labels):
                    for row, clients in enumerate(args.clients):
                        runs: dict[str, Run] = {}
                        cpu: dict[str, float] = {}
                        # Old and new take turns going first, so a load that drifts up or
                        # down during a pair does not always favour the same code.
                        for code, _ in (codes if row % 2 == 0 else codes[::-1]):
                            processes, requests = calls[code]
                            pids = [child.pid for child in processes.children.values()]
                            before = sum(cpu_seconds(pid) for pid in pids)
                            run = run_clients(processes.base_url, clients, args.seconds,
                                              requests[index][1])
                            # Warm-up and run alike: divided by the answers of both (2 s).
                            answered = max(1.0, run.ok * (1 + 2.0 / args.seconds))
                            cpu[code] = (sum(cpu_seconds(pid) for pid in pids) - before
                                         ) / answered * 1000
                            runs[code] = run
                            if code == "new":
                                what = f"B7 {label.split(' (')[0]}, {replicas} replicas, " \
                                       f"{clients} clients"
                                figures[f"{what}, p50 ms"] = run.p(50)
                                figures[f"{what}, /s"] = run.rate()
                            rows.append([label, code, replicas, clients, run.p(50), run.p(95),
                                         run.rate(), run.ok, round(cpu[code]), run.others(),
                                         load()])
                        if len(codes) == 2:
                            old, new = runs[codes[0][0]], runs["new"]
                            ratios.append([label, replicas, clients,
                                           f"{new.rate() / max(old.rate(), 1e-9):.2f}x",
                                           f"{old.p(50) / new.p(50):.2f}x",
                                           f"{cpu[codes[0][0]] / max(cpu['new'], 1e-9):.2f}x",
                                           load()])
                if not args.no_profile and replicas == args.replicas[0]:
                    for code, _ in codes:
                        processes, requests = calls[code]
                        profile(processes, args.profile_dir / code.split()[0], args.seconds,
                                args.profile_clients, requests[0][1], code)
    table(f"B7 clock-in end to end through the gateway, 640x480, {args.faces:,} enrolled "
          f"(synthetic) + the probe; {args.seconds:.0f} s per row; target p50 ≤ 150 ms, "
          "≥ 12/s with 2 workers",
          ["call", "code", "replicas", "clients", "p50 ms", "p95 ms", "per s", "answered 2xx",
           "stack CPU ms per answer", "other answers", "load 1/5 min"], rows)
    write_figures(args, figures)
    if ratios:
        table("B7 new against old, measured back to back (higher is better)",
              ["call", "replicas", "clients", "per s new ÷ old", "p50 old ÷ new",
               "CPU per answer old ÷ new", "load 1/5 min"], ratios)


if __name__ == "__main__":
    main()
