"""Face detection: dlib HOG (the service's) against mediapipe's BlazeFace, each paired with
dlib's 5-point landmarks and ResNet encoder.

    uv run python bench/detector_compare.py [--repeats 3]

BlazeFace short-range and full-range are the models inside the installed mediapipe wheel, run
with LiteRT by `recognition_svc.liveness.landmarks.BlazeFace` (nothing is downloaded). On the
photos of ../shared/testdata/faces (manifest.json says how many faces each holds) and the 69
frames of the recorded kiosk burst (tests/data/liveness, one face each):

* faces found: detections against the manifest's count (recall), and detections beyond it;
* encoding agreement: for each face both found (boxes overlapping), the distance between the
  encoding from the HOG box and from the BlazeFace box (0 = the same; the 1:1 threshold is
  about 0.55, so a shift of 0.1 moves a face a fifth of the way across it);
* same answer: each single-person photo identified (nearest person, the person's own photo
  left out) among the other photos encoded the HOG way: does the BlazeFace-box encoding name
  the same person as the HOG-box one?
* CPU per photo (process time, so other load on the machine does not count): detection alone,
  and detection + landmarks + encoding, best of --repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from recognition_common import FACES

from recognition_svc.encoder import DlibEncoder
from recognition_svc.imaging import decode_image
from recognition_svc.liveness.landmarks import FULL_RANGE, SHORT_RANGE, BlazeFace

LIVE_DIR = Path(__file__).resolve().parents[1] / "tests/data/liveness/iris_example"


@dataclass
class Photo:
    name: str
    kind: str  # single, group, other, kiosk frame
    person: str | None
    expected: int
    pixels: np.ndarray


@dataclass
class Result:
    boxes: list[Any]  # dlib rectangles
    encodings: list[np.ndarray]
    detect_cpu: float
    total_cpu: float


def photos() -> list[Photo]:
    manifest = json.loads((FACES / "manifest.json").read_text())

    def load(path: Path) -> np.ndarray:
        return decode_image(path.read_bytes(), max_pixels=40_000_000, max_bytes=32 << 20)

    found = [Photo(name, "single", person, 1, load(FACES / "people" / person / name))
             for person, names in manifest["people"].items() for name in names]
    found += [Photo(name, "group", None, int(entry["faces"]), load(FACES / "group" / name))
              for name, entry in manifest["group"].items()]
    found += [Photo(name, "other", None, 1, load(FACES / "other" / name))
              for name in manifest["other"]]
    found += [Photo(path.name, "kiosk frame", "iris", 1, load(path))
              for path in sorted(LIVE_DIR.glob("*.jpg"))]
    return found


def blazeface_rects(detector: BlazeFace) -> Callable[[np.ndarray], list[Any]]:
    import dlib

    def detect(image: np.ndarray) -> list[Any]:
        height, width = image.shape[:2]
        rects = []
        for d in detector.detect(image):
            x0, y0, x1, y1 = d.box
            left, top = max(0, round(x0)), max(0, round(y0))
            right, bottom = min(width - 1, round(x1)), min(height - 1, round(y1))
            if right > left and bottom > top:
                rects.append(dlib.rectangle(left, top, right, bottom))
        return rects

    return detect


def run(encoder: DlibEncoder, detect: Callable[[np.ndarray], list[Any]], image: np.ndarray,
        repeats: int) -> Result:
    best_detect = best_total = float("inf")
    boxes: list[Any] = []
    encodings: list[np.ndarray] = []
    for _ in range(repeats):
        start = time.process_time()
        boxes = detect(image)
        detected = time.process_time()
        encodings = []
        if boxes:
            shapes = encoder.landmarks(image, boxes)
            encodings = encoder.describe(image, shapes)
        done = time.process_time()
        best_detect, best_total = min(best_detect, detected - start), min(best_total, done - start)
    return Result(boxes, encodings, best_detect, best_total)


def overlap(a: Any, b: Any) -> float:
    inter = max(0, min(a.right(), b.right()) - max(a.left(), b.left())) * max(
        0, min(a.bottom(), b.bottom()) - max(a.top(), b.top()))
    return inter / (a.area() + b.area() - inter)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    encoder = DlibEncoder()
    detectors = {
        "HOG (dlib, the service's)": encoder.detect,
        "BlazeFace short-range": blazeface_rects(BlazeFace(SHORT_RANGE)),
        "BlazeFace full-range": blazeface_rects(BlazeFace(FULL_RANGE)),
    }
    items = photos()
    results = {name: [run(encoder, detect, p.pixels, args.repeats) for p in items]
               for name, detect in detectors.items()}
    hog_name = next(iter(detectors))
    hog = results[hog_name]
    out = sys.stdout.write
    out(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}; "
        f"{len(items)} photos, best of {args.repeats}\n\n")
    out("| detector | photos | faces expected | found (recall) | extra | encoding distance to HOG's, "
        "median / max (faces both found) | same person named as with HOG | CPU per photo: "
        "detect / detect + encode (median) |\n|---|---|---|---|---|---|---|---|\n")
    singles = [i for i, p in enumerate(items) if p.kind == "single"]
    for name, found in results.items():
        for kind in ("single", "group", "other", "kiosk frame"):
            rows = [i for i, p in enumerate(items) if p.kind == kind]
            expected = sum(items[i].expected for i in rows)
            hits = sum(min(len(found[i].boxes), items[i].expected) for i in rows)
            extra = sum(max(0, len(found[i].boxes) - items[i].expected) for i in rows)
            distances = []
            for i in rows:
                for box, vector in zip(found[i].boxes, found[i].encodings, strict=True):
                    pairs = [(overlap(box, b), v) for b, v in
                             zip(hog[i].boxes, hog[i].encodings, strict=True)]
                    best = max(pairs, key=lambda pair: pair[0], default=None)
                    if best is not None and best[0] > 0.3:
                        distances.append(float(np.linalg.norm(vector - best[1])))
            same = ""
            if kind == "single":
                agree = total = 0
                for i in singles:
                    if not found[i].encodings or not hog[i].encodings:
                        continue
                    others = [j for j in singles if j != i and hog[j].encodings]
                    gallery = np.vstack([hog[j].encodings[0] for j in others])

                    def nearest(vector: np.ndarray, gallery: np.ndarray = gallery,
                                others: list[int] = others) -> str | None:
                        return items[others[int(np.argmin(
                            np.linalg.norm(gallery - vector, axis=1)))]].person

                    total += 1
                    agree += nearest(found[i].encodings[0]) == nearest(hog[i].encodings[0])
                same = f"{agree} / {total}"
            spread = (f"{np.median(distances):.3f} / {max(distances):.3f}" if distances
                      else "-")
            cpu = (f"{np.median([found[i].detect_cpu for i in rows]) * 1000:.0f} / "
                   f"{np.median([found[i].total_cpu for i in rows]) * 1000:.0f} ms")
            out(f"| {name} | {len(rows)} {kind} | {expected} | {hits} ({hits / expected:.0%}) | "
                f"{extra} | {spread} | {same} | {cpu} |\n")


if __name__ == "__main__":
    main()
