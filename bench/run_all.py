"""Issue 18's hot paths in one go: B11 (authenticated GET through the gateway), B7 (clock-in end
to end), the month (compute, store and read it) and B10 (the monthly CSV from the real
attendance service) at 10,000 and 50,000 employees; one table with the load average, compared
with the stored baseline (bench/baseline-figures.json). A figure more than 20 % worse than its
stored value is flagged REGRESSION.

    uv run python bench/run_all.py [--quick] [--only b11 b7 month b10] [--store]

--quick runs smaller sizes (1,000 and 2,000 employees, a 1,000-face gallery, shorter rows): a
few minutes on a quiet machine instead of about half an hour; quick and full runs have baselines
of their own. --store makes this run's figures the stored baseline of its mode (with --only,
those steps' figures; the others stay): commit bench/baseline-figures.json.
Each step is the bench script itself in a process of its own (what it prints is shown as it
runs); its figures come back through the scripts' --figures-json. To compare with older code
side by side, run a script with --baseline-ref (bench/baseline.py). On a shared machine the
load decides much of a figure: read a flag against the load columns before believing it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from baseline import ROOT, better_ratio

BENCH = Path(__file__).resolve().parent
BASELINE_FILE = BENCH / "baseline-figures.json"
REGRESSION = 0.20  # worse by more than this fraction of the stored figure

# (step, script, arguments of a full run, arguments of a quick run); a step's rows are labelled
# with its size ("month 50k").
STEPS: list[tuple[str, str, list[str], list[str]]] = [
    ("b11", "gateway_get.py", ["--seconds", "10"],
     ["--seconds", "4", "--stacks", "sqlite"]),
    ("b7", "gateway_clock_in.py", ["--seconds", "15", "--no-identify", "--no-profile"],
     ["--seconds", "5", "--faces", "1000", "--no-identify", "--no-profile"]),
    ("month", "attendance_month.py", ["--employees", "10000"], ["--employees", "1000"]),
    ("month", "attendance_month.py", ["--employees", "50000"], ["--employees", "2000"]),
    ("b10", "reporting_monthly.py", ["--employees", "10000", "--with-attendance",
                                         "--attendance-only"],
     ["--employees", "1000", "--with-attendance", "--attendance-only"]),
    ("b10", "reporting_monthly.py", ["--employees", "50000", "--with-attendance",
                                         "--attendance-only"],
     ["--employees", "2000", "--with-attendance", "--attendance-only"]),
]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def label(step: str, argv: list[str]) -> str:
    if "--employees" not in argv:
        return step
    employees = int(argv[argv.index("--employees") + 1])
    return f"{step} {employees // 1000}k" if employees % 1000 == 0 else f"{step} {employees}"


def run_step(script: str, argv: list[str], work: Path) -> dict[str, float]:
    out = work / f"{script}.json"
    out.unlink(missing_ok=True)
    subprocess.run([sys.executable, str(BENCH / script), *argv, "--figures-json", str(out)],
                   cwd=ROOT, check=True)
    figures: dict[str, float] = json.loads(out.read_text())
    return figures


def compare(name: str, now: float, stored: float | None) -> tuple[str, str]:
    """(change against the stored figure, flag)."""
    if stored is None:
        return "new figure", ""
    better = better_ratio(name, stored, now)
    if better is None or better <= 0:
        return "-", ""
    worse = 1 / better - 1  # how much more time (or fewer per second) than stored
    change = f"{(now / stored - 1) * 100:+.0f} %" if stored else "-"
    return change, "REGRESSION" if worse > REGRESSION else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter rows")
    parser.add_argument("--only", nargs="+", choices=sorted({s[0] for s in STEPS}),
                        help="run only these steps")
    parser.add_argument("--store", action="store_true",
                        help="make this run the stored baseline of its mode")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    stored_all = json.loads(BASELINE_FILE.read_text()) if BASELINE_FILE.exists() else {}
    stored = stored_all.get(mode, {}).get("figures", {})
    rows: list[tuple[str, str, float, str]] = []  # (step, figure, value, load during the step)
    failed: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="faceclock-run-all-") as tmp:
        for step, script, full, quick in STEPS:
            if args.only and step not in args.only:
                continue
            argv = quick if args.quick else full
            before = load()
            sys.stdout.write(f"=== {label(step, argv)}: {script} {' '.join(argv)} "
                             f"(load {before}) ===\n")
            sys.stdout.flush()
            try:
                figures = run_step(script, argv, Path(tmp))
            except subprocess.CalledProcessError as exc:
                # One failing script must not lose the others' figures: shown, never stored.
                failed.append(f"{label(step, argv)} ({script} exited {exc.returncode})")
                continue
            during = f"{before} → {load()}"
            rows += [(step, f"{label(step, argv)}: {name}", value, during)
                     for name, value in figures.items()]

    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    meta = stored_all.get(mode, {})
    lines = [f"run_all ({mode}), {os.cpu_count()} cores, code {head}, "
             f"{(time.monotonic() - started) / 60:.0f} min, load now {load()}; stored baseline: "
             f"{meta.get('commit', 'none')} {meta.get('date', '')} (load {meta.get('load', '-')})"]
    width = max(len(r[1]) for r in rows) if rows else 10
    lines.append(f"| {'figure'.ljust(width)} | {'now':>9} | {'stored':>9} | {'change':>10} | "
                 f"{'flag':<10} | load 1/5 min (start → end of step) |")
    lines.append(f"|{'-' * (width + 2)}|{'-' * 11}|{'-' * 11}|{'-' * 12}|{'-' * 12}|"
                 f"{'-' * 37}|")
    regressions = 0
    for _step, name, value, during in rows:
        old = stored.get(name)
        change, flag = compare(name, value, old)
        regressions += bool(flag)
        shown_old = f"{old:9.2f}" if old is not None else f"{'-':>9}"
        lines.append(f"| {name.ljust(width)} | {value:9.2f} | {shown_old} | {change:>10} | "
                     f"{flag:<10} | {during:<35} |")
    lines.append(f"(a rate, '/s', is better higher; every other figure lower. REGRESSION: worse "
                 f"than stored by more than {REGRESSION:.0%}; {regressions} flagged)")
    if failed:
        lines.append(f"FAILED, no figures: {'; '.join(failed)} (see its output above)")
    sys.stdout.write("\n".join(lines) + "\n")
    if args.store:
        kept = {name: value for name, value in stored.items()
                if name.split(":")[0].split()[0] not in {r[0] for r in rows}}
        stored_all[mode] = {"commit": head, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
                            "load": load(),
                            "figures": {**kept, **{r[1]: round(r[2], 3) for r in rows}}}
        BASELINE_FILE.write_text(json.dumps(stored_all, indent=1, ensure_ascii=False) + "\n")
        sys.stdout.write(f"stored as the {mode} baseline in {BASELINE_FILE}\n")


if __name__ == "__main__":
    main()
