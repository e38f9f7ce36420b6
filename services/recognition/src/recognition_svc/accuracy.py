"""Accuracy report: enrol k photos per person, query with the rest and with people left out.

    python -m recognition_svc.accuracy FOLDER [--k 1] [--leave-out 1] [--threshold 0.6]

FOLDER holds `person/photo` images. People with no more than k photos, plus `--leave-out`
others (chosen with a fixed seed), are not enrolled: their photos are impostor queries. The
service's own pipeline, index and decision rule are used, so the figures are the service's.

- rank-1: share of genuine queries whose nearest enrolled person (ignoring the threshold) is
  the right one;
- FNIR: share of genuine queries not identified as their person at the threshold (unknown,
  ambiguous or wrong);
- FPIR: share of impostor queries identified as anyone at the threshold.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recognition_svc.encoder import DlibEncoder, FaceEncoder
from recognition_svc.index import FaceIndex
from recognition_svc.matching import decide, nearest_per_person
from recognition_svc.pipeline import Limits, analyse

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
LIMITS = Limits(max_pixels=40_000_000, max_bytes=32 * 1024 * 1024)


@dataclass
class Report:
    k: int
    threshold: float
    enrolled_people: int = 0
    enrolled_photos: int = 0
    genuine: int = 0
    impostor: int = 0
    rank1_hits: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    failed_to_acquire: list[str] = field(default_factory=list)

    @property
    def rank1(self) -> float:
        return self.rank1_hits / self.genuine if self.genuine else 0.0

    @property
    def fnir(self) -> float:
        return self.false_negatives / self.genuine if self.genuine else 0.0

    @property
    def fpir(self) -> float:
        return self.false_positives / self.impostor if self.impostor else 0.0

    def table(self) -> str:
        rows = [
            ("k (enrolled photos per person)", str(self.k)),
            ("threshold", f"{self.threshold:.2f}"),
            ("enrolled people / photos", f"{self.enrolled_people} / {self.enrolled_photos}"),
            ("genuine queries", str(self.genuine)),
            ("impostor queries (people not enrolled)", str(self.impostor)),
            ("rank-1 accuracy", f"{self.rank1:.3f}"),
            ("FNIR at threshold", f"{self.fnir:.3f}"),
            ("FPIR at threshold", f"{self.fpir:.3f}"),
            ("photos without exactly one face (skipped)", str(len(self.failed_to_acquire))),
        ]
        width = max(len(r[0]) for r in rows)
        lines = [f"| {'measure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
        lines += [f"| {name.ljust(width)} | {value} |" for name, value in rows]
        return "\n".join(lines)


def people_of(folder: Path) -> dict[str, list[Path]]:
    people = {}
    for person in sorted(p for p in folder.iterdir() if p.is_dir()):
        photos = sorted(p for p in person.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if photos:
            people[person.name] = photos
    return people


def evaluate(folder: Path, *, encoder: FaceEncoder, k: int = 1, leave_out: int = 1,
             threshold: float = 0.6, margin: float = 0.04, seed: int = 0) -> Report:
    people = people_of(folder)
    enrollable = [p for p, photos in people.items() if len(photos) > k]
    left_out = set(random.Random(seed).sample(enrollable, min(leave_out, max(0, len(enrollable) - 2))))
    left_out |= {p for p, photos in people.items() if len(photos) <= k}
    report = Report(k=k, threshold=threshold)
    index = FaceIndex()
    next_id = 1

    def single_face(path: Path) -> np.ndarray | None:
        faces = analyse(encoder, path.read_bytes(), limits=LIMITS, quality=False).faces
        if len(faces) != 1:
            report.failed_to_acquire.append(str(path.relative_to(folder)))
            return None
        return faces[0].encoding

    queries: list[tuple[str | None, np.ndarray]] = []
    for person, photos in people.items():
        if person in left_out:
            for path in photos:
                encoding = single_face(path)
                if encoding is not None:
                    queries.append((None, encoding))
            continue
        enrolled_any = False
        for path in photos[:k]:
            encoding = single_face(path)
            if encoding is not None:
                index.add(np.array([next_id]), encoding[None, :], [person])
                next_id += 1
                report.enrolled_photos += 1
                enrolled_any = True
        report.enrolled_people += enrolled_any
        for path in photos[k:]:
            encoding = single_face(path)
            if encoding is not None:
                queries.append((person, encoding))

    for truth, encoding in queries:
        neighbours = index.search(encoding, 32)
        decision = decide(neighbours, threshold=threshold, margin=margin)
        if truth is None:
            report.impostor += 1
            report.false_positives += bool(decision.person_id)
            continue
        report.genuine += 1
        ranked = nearest_per_person(neighbours)
        report.rank1_hits += bool(ranked) and ranked[0].person_id == truth
        report.false_negatives += decision.person_id != truth
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--leave-out", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=0.6)
    args = parser.parse_args(argv)
    report = evaluate(args.folder, encoder=DlibEncoder(), k=args.k, leave_out=args.leave_out,
                      threshold=args.threshold)
    sys.stdout.write(report.table() + "\n")


if __name__ == "__main__":
    main()
