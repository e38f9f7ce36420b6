"""B14, honest identity: FPIR and FNIR of verify and identify from real dlib encodings.

    uv run python bench/identity.py [--encodings ../shared/testdata/encodings/lfw-dlib-encodings.npz]

Uses the LFW encodings (9,775 photos, 5,734 people) and the service's own decision rule
(`matching.decide`) and calibrated thresholds (`calibration/`, FPIR ~= N x FMR):

* identify, gallery of N people (one enrolment photo each, drawn at random): genuine probes
  are other photos of gallery people, impostor probes every photo of people outside it.
  FNIR = genuine probes not named as their person; FPIR = impostor probes named as anyone.
  Measured for N = 100 ... 5,000 (LFW has 5,734 people); beyond, from the calibration.
* verify: a claimed person's k enrolment photos against a probe of them (genuine) or of
  someone else (impostor), at the 1:1 threshold calibrated for k samples.
* East Asian subset: LFW has no ethnicity labels; people whose family name is a common
  Chinese, Korean or Japanese one are taken as a rough proxy (a heuristic, stated as such).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from recognition_svc.calibration import packaged_calibration
from recognition_svc.index import Neighbour
from recognition_svc.matching import decide

ENCODINGS = Path(__file__).resolve().parents[2] / "shared/testdata/encodings/lfw-dlib-encodings.npz"
TARGET_FPIR = 0.001
MARGIN = 0.04
SEED = 11
EAST_ASIAN_SURNAMES = {
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song",
    "Tang", "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan",
    "Cai", "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen", "Yao",
    "Jiao", "Jin", "Kim", "Lee", "Park", "Choi", "Jung", "Jeong", "Kang", "Cho", "Yoon", "Jang",
    "Lim", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Yoo", "Hong", "Jeon", "Ko", "Moon",
    "Roh", "Chung", "Koizumi", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto",
    "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto",
    "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori", "Abe", "Ikeda", "Hashimoto", "Ishikawa",
    "Ogawa", "Okada", "Hasegawa", "Fujita", "Nakata", "Kawaguchi", "Chan", "Wong", "Leung",
    "Ho", "Chiang",
}


def east_asian(name: str) -> bool:
    """Family name first (Chinese, Korean) or last (Japanese, Western order in LFW)."""
    parts = name.split("_")
    return parts[0] in EAST_ASIAN_SURNAMES or parts[-1] in EAST_ASIAN_SURNAMES


def pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(squared, 0.0))


def names(vectors: np.ndarray, rows: np.ndarray, gallery: np.ndarray, labels: np.ndarray,
          threshold: float) -> np.ndarray:
    """The person each row is named as by the service's rule ('' for unknown or ambiguous)."""
    answers = []
    for start in range(0, len(rows), 512):
        distances = pairwise(vectors[rows[start:start + 512]], gallery)
        nearest = np.argsort(distances, axis=1)[:, :8]
        for row, order in zip(distances, nearest, strict=True):
            neighbours = [Neighbour(int(i), str(labels[i]), float(row[i])) for i in order]
            answers.append(decide(neighbours, threshold=threshold, margin=MARGIN).person_id)
    return np.array(answers, dtype=object)


def identify_at(vectors: np.ndarray, person: np.ndarray, size: int, threshold: float,
                rng: np.random.Generator) -> tuple[float, float, int, int]:
    """(FNIR, FPIR, genuine probes, impostor probes) for a random gallery of `size` people."""
    people = np.unique(person)
    gallery_people = rng.choice(people, size=size, replace=False)
    inside = np.isin(person, gallery_people)
    enrolled_rows = np.array([np.flatnonzero(person == p)[0] for p in gallery_people])
    enrolled = np.zeros(len(person), dtype=bool)
    enrolled[enrolled_rows] = True
    genuine_rows = np.flatnonzero(inside & ~enrolled)
    impostor_rows = np.flatnonzero(~inside)
    gallery = vectors[enrolled_rows]
    labels = person[enrolled_rows]

    genuine = names(vectors, genuine_rows, gallery, labels, threshold)
    fnir = float(np.mean([answer != person[row] for answer, row in
                          zip(genuine, genuine_rows, strict=True)])) if len(genuine) else float("nan")
    impostor = names(vectors, impostor_rows, gallery, labels, threshold)
    fpir = float(np.mean([bool(answer) for answer in impostor]))
    return fnir, fpir, len(genuine_rows), len(impostor_rows)


def verify_at(vectors: np.ndarray, person: np.ndarray, k: int, threshold: float,
              rng: np.random.Generator, impostors: int = 400_000) -> tuple[float, float, int]:
    """(FNIR, FPIR, genuine attempts) with k enrolment photos per claimed person."""
    rows_of: dict[str, np.ndarray] = {}
    for p in np.unique(person):
        rows_of[str(p)] = np.flatnonzero(person == p)
    eligible = [p for p, rows in rows_of.items() if len(rows) > k]
    misses = attempts = 0
    for p in eligible:
        rows = rows_of[p]
        distances = pairwise(vectors[rows[k:]], vectors[rows[:k]]).min(axis=1)
        misses += int((distances > threshold).sum())
        attempts += len(distances)
    # Impostors: a random person claimed with a random photo of somebody else.
    claimed = rng.choice(eligible, size=impostors)
    probes = rng.integers(0, len(person), size=impostors)
    accepted = 0
    for name, probe in zip(claimed, probes, strict=True):
        if person[probe] == name:
            continue
        enrolment = vectors[rows_of[str(name)][:k]]
        accepted += int(np.linalg.norm(enrolment - vectors[probe], axis=1).min() <= threshold)
    return misses / attempts, accepted / impostors, attempts


def subgroup_rates(vectors: np.ndarray, person: np.ndarray, mask: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Same-person and different-person distances among the rows of a subset."""
    rows = np.flatnonzero(mask)
    distances = pairwise(vectors[rows], vectors[rows])
    same = person[rows][:, None] == person[rows][None, :]
    upper = np.triu(np.ones_like(same), 1).astype(bool)
    return distances[same & upper], distances[~same & upper]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encodings", type=Path, default=ENCODINGS)
    args = parser.parse_args(argv)
    data = np.load(args.encodings)
    vectors = data["encodings"].astype(np.float64)
    person = data["person"]
    calibration = packaged_calibration("dlib_resnet_v1")
    rng = np.random.default_rng(SEED)
    out = sys.stdout.write
    out(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}; "
        f"{len(person)} photos of {len(np.unique(person))} people; target FPIR {TARGET_FPIR:.1%}\n\n")

    out("### identify: measured on LFW at the calibrated threshold (one photo enrolled per person)\n\n")
    out("| gallery (people) | threshold | genuine probes | FNIR | impostor probes | FPIR |\n")
    out("|---|---|---|---|---|---|\n")
    for size in (100, 300, 1000, 3000, 5000):
        threshold = calibration.threshold_for_gallery(size, TARGET_FPIR)
        if threshold is None:
            out(f"| {size:,} | none (FMR {TARGET_FPIR / size:.0e} is below what LFW resolves) "
                "| | 100 % (identify refuses) | | 0 % |\n")
            continue
        # Small galleries have few genuine probes: average several random galleries.
        draws = [identify_at(vectors, person, size, threshold, rng)
                 for _ in range(max(1, 1000 // size))]
        genuine = sum(d[2] for d in draws)
        impostor = sum(d[3] for d in draws)
        fnir = sum(d[0] * d[2] for d in draws) / genuine
        fpir = sum(d[1] * d[3] for d in draws) / impostor
        out(f"| {size:,} | {threshold:.3f} | {genuine:,} | {fnir:.1%} | {impostor:,} | {fpir:.3%} |\n")

    out("\n### identify at the old fixed threshold 0.6 (what the seed shipped)\n\n")
    out("| gallery (people) | FNIR | FPIR |\n|---|---|---|\n")
    for size in (100, 1000, 5000):
        fnir, fpir, _, _ = identify_at(vectors, person, size, 0.6, rng)
        out(f"| {size:,} | {fnir:.1%} | {fpir:.1%} |\n")

    out("\n### verify (1:1 against the claimed person's k photos), threshold for k samples\n\n")
    out("| k enrolled | threshold | genuine attempts | FNIR | impostor attempts | FPIR |\n")
    out("|---|---|---|---|---|---|\n")
    for k in (1, 2, 3):
        threshold = calibration.threshold_for_gallery(k, TARGET_FPIR)
        assert threshold is not None
        fnir, fpir, attempts = verify_at(vectors, person, k, threshold, rng)
        out(f"| {k} | {threshold:.3f} | {attempts:,} | {fnir:.1%} | 400,000 | {fpir:.3%} |\n")

    out("\n### beyond LFW's size: FPIR ~= N x FMR (calibration), FNIR = genuine pairs beyond t\n\n")
    out("| gallery (samples) | FMR needed | threshold | FNIR |\n|---|---|---|---|\n")
    for size in (100, 1_000, 10_000, 100_000):
        needed = TARGET_FPIR / size
        threshold = calibration.threshold_for_gallery(size, TARGET_FPIR)
        if threshold is None:
            out(f"| {size:,} | {needed:.0e} | none: below the {calibration.min_fmr:.1e} LFW "
                f"resolves | > {calibration.false_non_match_rate(0.30):.0%} (at 0.30) |\n")
        else:
            out(f"| {size:,} | {needed:.0e} | {threshold:.3f} | "
                f"{calibration.false_non_match_rate(threshold):.1%} |\n")

    mask = np.array([east_asian(str(p)) for p in person])
    same, different = subgroup_rates(vectors, person, mask)
    group_threshold = float(np.quantile(different, TARGET_FPIR))
    out("\n### population: East Asian family names (heuristic) among themselves\n\n")
    out("| subset | people | same / different-person pairs | FMR at 0.545 (the LFW 1:1 threshold) "
        "| FMR at 0.6 | threshold for FMR 0.1 % | FNIR there |\n|---|---|---|---|---|---|---|\n")
    out(f"| all LFW | {len(np.unique(person)):,} | {calibration.same_pairs:,} / "
        f"{calibration.different_pairs:,} | {calibration.false_match_rate(0.545):.2%} | "
        f"{calibration.false_match_rate(0.6):.2%} | 0.545 | "
        f"{calibration.false_non_match_rate(0.545):.1%} |\n")
    out(f"| East Asian names | {len(np.unique(person[mask])):,} | {len(same):,} / "
        f"{len(different):,} | {(different <= 0.545).mean():.2%} | {(different <= 0.6).mean():.2%} "
        f"| {group_threshold:.3f} | {(same > group_threshold).mean():.1%} |\n")

if __name__ == "__main__":
    main()
