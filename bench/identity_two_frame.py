"""Does a two-frame kiosk confirmation lower false matches? Measured on real dlib encodings.

    uv run python bench/identity_two_frame.py

1:N over a random gallery of N people (one LFW photo enrolled each), at the threshold the
service calibrates for that gallery (FPIR ~= N x FMR) and its decision rule (`matching.decide`):

* strangers (people outside the gallery with >= 2 photos): single-frame FPIR = share of their
  photos named as somebody; two-frame FPIR = share of pairs of two photos of the same stranger
  that are BOTH named as the SAME enrolled person.
* genuine (gallery people with >= 3 photos: one enrolled, two probes): single-frame FNIR = probes
  not named as their person; two-frame FNIR = pairs of probes not BOTH named as them.

Two LFW photos of a person are independent press photos (different days, light, age); two
frames of a kiosk's liveness burst are a second apart and far more alike, so their errors are
far more correlated. The LFW figure is therefore a bound on what a second frame can buy, not a
prediction: the last table re-measures it on stranger pairs whose two photos are as close to
each other as the frames of a real burst (`--burst-distance`, measured from the recorded burst
in tests/data/liveness with the service's encoder).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

import numpy as np
from identity import ENCODINGS, names

from recognition_svc.calibration import packaged_calibration

SEED = 11
DRAWS = 4


def burst_spread() -> list[float]:
    """Distances between the frames a liveness check encodes (`liveness.burst.analyse_burst`,
    the service's own code) on the recorded real bursts, as a client would send them."""
    from faceclock_dev.liveness_data import jpeg, live_sequences
    from recognition_svc.encoder import DlibEncoder
    from recognition_svc.liveness.burst import analyse_burst
    from recognition_svc.liveness.challenge import LivenessPolicy
    from recognition_svc.liveness.landmarks import FaceLandmarker

    landmarker, encoder = FaceLandmarker(), DlibEncoder()
    spreads = []
    for frames, steps in live_sequences().values():
        burst = analyse_burst(landmarker, encoder, [jpeg(f) for f in frames], steps=steps,
                              policy=LivenessPolicy(), max_pixels=10**7, max_bytes=10**7)
        vectors = [faces[0].encoding for faces in burst.encoded if len(faces) == 1]
        spreads += [float(np.linalg.norm(a - b)) for a, b in itertools.combinations(vectors, 2)]
    return spreads


def measure(vectors: np.ndarray, person: np.ndarray, size: int, threshold: float,
            rng: np.random.Generator, close: float) -> dict[str, int]:
    people = np.unique(person)
    rows_of = {p: np.flatnonzero(person == p) for p in people}
    gallery_people = rng.choice(people, size=size, replace=False)
    in_gallery = set(gallery_people.tolist())
    enrolled = np.array([rows_of[p][0] for p in gallery_people])
    gallery, labels = vectors[enrolled], person[enrolled]
    named = names(vectors, np.arange(len(person)), gallery, labels, threshold)
    counts = dict.fromkeys(("s_photos", "s_named", "s_pairs", "s_both", "c_pairs", "c_both",
                            "c_one", "g_probes", "g_missed", "g_pairs", "g_pair_missed"), 0)
    for p, rows in rows_of.items():
        if p in in_gallery:
            if len(rows) < 3:
                continue
            probes = rows[1:]
            ok = named[probes] == p
            counts["g_probes"] += len(probes)
            counts["g_missed"] += int((~ok).sum())
            for a, b in itertools.combinations(range(len(probes)), 2):
                counts["g_pairs"] += 1
                counts["g_pair_missed"] += int(not (ok[a] and ok[b]))
        elif len(rows) >= 2:
            counts["s_photos"] += len(rows)
            counts["s_named"] += int(sum(bool(n) for n in named[rows]))
            for a, b in itertools.combinations(rows, 2):
                both = bool(named[a]) and named[a] == named[b]
                counts["s_pairs"] += 1
                counts["s_both"] += int(both)
                if np.linalg.norm(vectors[a] - vectors[b]) <= close:
                    counts["c_pairs"] += 1
                    counts["c_both"] += int(both)
                    counts["c_one"] += int(bool(named[a])) + int(bool(named[b]))
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encodings", type=Path, default=ENCODINGS)
    parser.add_argument("--burst-distance", type=float, default=None,
                        help="skip encoding the recorded burst; use this frame-to-frame distance")
    args = parser.parse_args(argv)
    out = sys.stdout.write
    out(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n\n")
    if args.burst_distance is None:
        spread = burst_spread()
        close = float(np.max(spread))
        out(f"recorded burst: {len(spread)} pairs of encoded frames, distance median "
            f"{np.median(spread):.3f}, max {close:.3f} (LFW same-person photos: mean 0.44)\n\n")
    else:
        close = args.burst_distance
    data = np.load(args.encodings)
    vectors = data["encodings"].astype(np.float64)
    person = data["person"]
    calibration = packaged_calibration("dlib_resnet_v1")
    rng = np.random.default_rng(SEED)
    rows = []
    for target in (0.01, 0.001):
        for size in (10, 100, 1000):
            threshold = calibration.threshold_for_gallery(size, target)
            if threshold is None:
                continue
            total: dict[str, int] = {}
            for _ in range(DRAWS):
                for key, value in measure(vectors, person, size, threshold, rng, close).items():
                    total[key] = total.get(key, 0) + value
            rows.append((target, size, threshold, total))

    out("| target FPIR | gallery | threshold | stranger photos / pairs | FPIR 1 frame | FPIR 2 "
        "frames agree | ratio | genuine probes / pairs | FNIR 1 frame | FNIR 2 frames |\n")
    out("|---|---|---|---|---|---|---|---|---|---|\n")
    for target, size, threshold, t in rows:
        one = t["s_named"] / t["s_photos"]
        two = t["s_both"] / t["s_pairs"]
        out(f"| {target:.1%} | {size:,} | {threshold:.3f} | {t['s_photos']:,} / "
            f"{t['s_pairs']:,} | {one:.3%} | {two:.3%} | {two / one if one else float('nan'):.2f}"
            f" | {t['g_probes']:,} / {t['g_pairs']:,} | {t['g_missed'] / t['g_probes']:.1%} | "
            f"{t['g_pair_missed'] / t['g_pairs']:.1%} |\n")

    out(f"\n### stranger pairs whose two photos are as close as burst frames (<= {close:.3f})\n\n")
    out("| target FPIR | gallery | close pairs | FPIR 1 frame (their photos) | FPIR 2 frames agree "
        "| ratio |\n|---|---|---|---|---|---|\n")
    for target, size, _, t in rows:
        one = t["c_one"] / (2 * t["c_pairs"]) if t["c_pairs"] else float("nan")
        two = t["c_both"] / t["c_pairs"] if t["c_pairs"] else float("nan")
        out(f"| {target:.1%} | {size:,} | {t['c_pairs']:,} | {one:.3%} | {two:.3%} | "
            f"{two / one if one else float('nan'):.2f} |\n")


if __name__ == "__main__":
    main()
