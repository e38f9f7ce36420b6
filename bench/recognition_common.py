"""Shared helpers of the recognition benchmarks: synthetic encodings, timing, tables.

Synthetic encodings follow BENCH.md: m = mean of real dlib encodings (the test photos),
identity centres m + 0.044·z, samples centre + 0.0275·z' (seeded).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FACECLOCK_SHARED_DIR", REPO.parent / "shared"))
FACES = SHARED / "testdata" / "faces"
warnings.filterwarnings("ignore", category=UserWarning)


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}"


def photos() -> list[Path]:
    return sorted(p for p in (FACES / "people").rglob("*") if p.suffix in (".jpg", ".png"))


def real_mean_encoding() -> np.ndarray:
    """The mean of the test photos' dlib encodings (face_recognition's reference pipeline)."""
    import face_recognition

    encodings = []
    for path in photos():
        found = face_recognition.face_encodings(face_recognition.load_image_file(path))
        encodings.extend(found[:1])
    return np.mean(encodings, axis=0).astype(np.float32)


class Synthetic:
    """Identities and samples shaped like dlib encodings (same ≈ 0.44, different ≈ 0.83)."""

    def __init__(self, mean: np.ndarray, seed: int = 0) -> None:
        self.mean = mean
        self.rng = np.random.default_rng(seed)

    def identities(self, count: int) -> np.ndarray:
        return (self.mean + 0.044 * self.rng.standard_normal((count, 128))).astype(np.float32)

    def samples(self, centres: np.ndarray) -> np.ndarray:
        noise = 0.0275 * self.rng.standard_normal(centres.shape)
        return (centres + noise).astype(np.float32)

    def gallery(self, faces: int, per_person: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(centres, vectors, person index of each vector)."""
        centres = self.identities(max(1, faces // per_person))
        person = np.repeat(np.arange(len(centres)), per_person)[:faces]
        vectors = np.empty((faces, 128), dtype=np.float32)
        for start in range(0, faces, 200_000):  # chunks keep the float64 noise small
            stop = min(faces, start + 200_000)
            vectors[start:stop] = self.samples(centres[person[start:stop]])
        return centres, vectors, person


def timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of each call."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def p50(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table on stdout (benchmarks print; they are not part of the service)."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    out = [f"\n### {title}  ({machine()})\n"]
    for n, row in enumerate(cells):
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)
