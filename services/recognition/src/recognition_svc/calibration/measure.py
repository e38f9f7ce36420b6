"""Measure an encoder's calibration from labelled encodings and write it as JSON.

    python -m recognition_svc.calibration.measure ENCODINGS.npz --encoder NAME \
        --dataset "what the photos are, and their licence" --pipeline "how they were encoded" \
        > NAME.json

ENCODINGS.npz holds `encodings` (rows x d float), `person` (label per row) and optionally
`image` (file name per row). Every pair of rows is compared: same label -> same-person
distance, different labels -> different-person distance.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from recognition_svc.calibration import Calibration

BIN_WIDTH = 0.005
MAX_DISTANCE = 2.0  # unit-length encodings are at most 2 apart; dlib's stay below 1.5
CHUNK = 1000


def pair_distances(encodings: np.ndarray, labels: np.ndarray, *, bin_width: float = BIN_WIDTH
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Every same-person distance, and a histogram of the different-person ones (there are
    tens of millions)."""
    vectors = np.asarray(encodings, dtype=np.float64)
    _, person = np.unique(labels, return_inverse=True)
    squares = (vectors ** 2).sum(axis=1)
    edges = np.arange(0.0, MAX_DISTANCE + bin_width / 2, bin_width)
    different = np.zeros(len(edges) - 1, dtype=np.int64)
    same: list[np.ndarray] = []
    columns = np.arange(len(vectors))
    for start in range(0, len(vectors), CHUNK):
        rows = columns[start:start + CHUNK]
        squared = squares[rows, None] + squares[None, :] - 2.0 * vectors[rows] @ vectors.T
        distances = np.sqrt(np.maximum(squared, 0.0))
        later = columns[None, :] > rows[:, None]  # each unordered pair once
        same_person = person[rows, None] == person[None, :]
        same.append(distances[later & same_person])
        # Farther than the last edge (not for unit-length encodings) counts in the last bin.
        different += np.histogram(np.minimum(distances[later & ~same_person], edges[-1]),
                                  edges)[0]
    return np.concatenate(same), different


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("encodings", type=Path)
    parser.add_argument("--encoder", required=True, help="the encoder's model name")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--pipeline", required=True)
    parser.add_argument("--notes", default="")
    args = parser.parse_args(argv)
    data = np.load(args.encodings)
    labels = data["person"]
    same, different = pair_distances(data["encodings"], labels)
    source = {
        "dataset": args.dataset, "pipeline": args.pipeline, "notes": args.notes,
        "file": args.encodings.name, "images": len(labels),
        "people": len(np.unique(labels)),
        "people_with_pairs": int((np.unique(labels, return_counts=True)[1] > 1).sum()),
        "same_person_mean": round(float(same.mean()), 4),
        "same_person_sd": round(float(same.std()), 4),
        "measured_by": "python -m recognition_svc.calibration.measure",
        "measured_at": datetime.now(UTC).date().isoformat(),
    }
    calibration = Calibration.measure(encoder=args.encoder, same=same,
                                      different_counts=different, bin_width=BIN_WIDTH,
                                      source=source)
    json.dump(calibration.to_json(), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
