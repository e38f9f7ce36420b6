"""Side by side with older code in one run: `--baseline-ref REF` on a bench script.

The one way the benches run old code: REF is checked out into a temporary git worktree with a
venv of its own, made from REF's own uv.lock out of uv's cache (baseline_python), so the old
code runs with the dependencies it shipped with. The end-to-end benches (B7, B11) start the old
stack beside the new one and measure each row old then new back to back; the others run the same
bench script twice (run_side_by_side), old then new (`--rounds` times), each in its own process:
once under REF's Python, once under this checkout's. Each run writes its figures as JSON; the
table compares them with the load average beside each run. On a shared machine, read the old/new
ratio, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def add_arguments(parser: argparse.ArgumentParser, *, rounds: bool = True) -> None:
    """--baseline-ref, --rounds (unless the script measures old and new back to back itself)
    and the hidden --figures-json that run_side_by_side and run_all.py read the figures from."""
    parser.add_argument("--baseline-ref", metavar="REF",
                        help="also run REF's code (e.g. d1d33c4) and print old/new side by side")
    if rounds:
        parser.add_argument("--rounds", type=int, default=1,
                            help="with --baseline-ref: old/new pairs to run (medians are shown)")
    parser.add_argument("--figures-json", help=argparse.SUPPRESS)


def write_figures(args: argparse.Namespace, figures: dict[str, float]) -> None:
    """What a run measured, for the parent of a --baseline-ref run or for run_all.py. A figure
    whose name ends in "/s" is a rate (higher is better); every other one a time or a size."""
    if args.figures_json:
        Path(args.figures_json).write_text(json.dumps(figures))


@contextmanager
def baseline_python(ref: str | None, work: Path) -> Iterator[str | None]:
    """The Python of the code at git `ref` (a detached worktree with its own venv, made from
    its own uv.lock out of uv's cache); None without a ref. The worktree is removed afterwards."""
    if ref is None:
        yield None
        return
    tree = work / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
                   check=True, capture_output=True)
    try:
        subprocess.run(["python3", "-m", "uv", "sync", "--all-packages", "--frozen",
                        "--quiet"], cwd=tree, check=True,
                       env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
        yield str(tree / ".venv" / "bin" / "python")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def run_side_by_side(script: str, argv: list[str], ref: str, rounds: int) -> None:
    """Runs `script argv` with REF's code and with this checkout's, and prints the table
    (old/new of a time or a size, new/old of a rate: above 1 is better either way)."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref],
                         capture_output=True, text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                      capture_output=True, text=True, check=True).stdout.strip():
        head += " + uncommitted changes"  # "new" is the working tree, not HEAD alone
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    loads: dict[str, list[str]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="faceclock-baseline-") as tmp, \
            baseline_python(ref, Path(tmp)) as old_python:
        assert old_python is not None
        for _ in range(rounds):
            for label, python in (("old", old_python), ("new", sys.executable)):
                out = Path(tmp) / f"{label}.json"
                loads[label].append(_load())
                sys.stdout.write(f"--- {label} code ({sha if label == 'old' else head}), "
                                 f"load {loads[label][-1]} ---\n")
                sys.stdout.flush()
                # The script is this checkout's; what it imports is the code of `python`'s venv.
                subprocess.run([python, script, *argv, "--figures-json", str(out)], check=True)
                runs[label].append(json.loads(out.read_text()))
    _table(runs, loads, sha, head)


def is_rate(name: str) -> bool:
    return name.endswith("/s")


def better_ratio(name: str, old: float, new: float) -> float | None:
    """How many times better `new` is than `old` (above 1: better); None if it cannot say."""
    top, bottom = (new, old) if is_rate(name) else (old, new)
    return top / bottom if bottom else None


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _table(runs: dict[str, list[dict[str, Any]]], loads: dict[str, list[str]], sha: str,
           head: str) -> None:
    names = [k for k in runs["new"][0] if all(k in r for r in runs["old"] + runs["new"])]
    width = max(len(n) for n in names)
    lines = [f"side by side, {os.cpu_count()} cores: old = {sha}, new = {head} "
             f"({len(runs['new'])} round(s), medians)",
             f"load (1 / 5 min) at each run: old {', '.join(loads['old'])}; "
             f"new {', '.join(loads['new'])}",
             f"{'figure'.ljust(width)} | {'old':>10} | {'new':>10} | better by",
             f"{'-' * width}-+-{'-' * 10}-+-{'-' * 10}-+--------"]
    for name in names:
        old = _median([float(r[name]) for r in runs["old"]])
        new = _median([float(r[name]) for r in runs["new"]])
        better = better_ratio(name, old, new)
        ratio = f"{better:6.2f}x" if better is not None else "   -"
        lines.append(f"{name.ljust(width)} | {old:>10.2f} | {new:>10.2f} | {ratio}")
    lines.append("(better by > 1: the new code is faster or smaller; old/new of a time or a "
                 "size, new/old of a rate)")
    sys.stdout.write("\n".join(lines) + "\n")


def strip_baseline(argv: list[str]) -> list[str]:
    """The command line minus --baseline-ref/--rounds (the runs it starts get the rest)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--baseline-ref", "--rounds"):
            skip = True
            continue
        if arg.startswith(("--baseline-ref=", "--rounds=")):
            continue
        out.append(arg)
    return out
