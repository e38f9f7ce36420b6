"""B1, B2, B3 of BENCH.md: photo → encodings, ours against plain face_recognition, same files,
measured interleaved in one run (one process, one thread).

    uv run python bench/recognition_pipeline.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import io
import time

from PIL import Image
from recognition_common import FACES, p50, pct, table

from recognition_svc.encoder import DlibEncoder
from recognition_svc.pipeline import Limits, analyse

LIMITS = Limits(max_pixels=40_000_000, max_bytes=32 * 1024 * 1024)


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def photo_640x480() -> bytes:
    source = Image.open(FACES / "people" / "obama" / "obama_1080p.jpg")
    width, height = source.size
    crop = source.crop(((width - height * 4 // 3) // 2, 0, (width + height * 4 // 3) // 2, height))
    return jpeg(crop.resize((640, 480), Image.Resampling.LANCZOS))


def group_1080p() -> bytes:
    """Six different people tiled 3x2 on a 1920x1080 frame (faces ≈ 120-200 px wide)."""
    names = ["obama/obama_1.jpg", "biden/biden_2.jpg", "kit_harington/kit_harington_3.jpg",
             "rose_leslie/rose_leslie_2.jpg", "alex_lacamoire/alex_lacamoire_1.jpg",
             "lin_manuel_miranda/lin_manuel_miranda_1.png"]
    frame = Image.new("RGB", (1920, 1080), (90, 90, 90))
    for n, name in enumerate(names):
        tile = Image.open(FACES / "people" / name).convert("RGB")
        tile.thumbnail((640, 540), Image.Resampling.LANCZOS)
        x, y = (n % 3) * 640 + (640 - tile.width) // 2, (n // 3) * 540 + (540 - tile.height) // 2
        frame.paste(tile, (x, y))
    return jpeg(frame)


def plain(data: bytes) -> int:
    """Plain face_recognition: detect and encode at full resolution."""
    import face_recognition

    return len(face_recognition.face_encodings(face_recognition.load_image_file(io.BytesIO(data))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    encoder = DlibEncoder()
    cases = [
        ("B1", "single face 640x480", photo_640x480(), "p50 ≤ 100 ms"),
        ("B2", "single face 1920x1080", (FACES / "people/obama/obama_1080p.jpg").read_bytes(),
         "p50 ≤ 150 ms and ≥ 4x plain"),
        ("B3", "group 1920x1080, 6 faces", group_1080p(), "≤ 600 ms"),
    ]
    ours: dict[str, list[float]] = {c[0]: [] for c in cases}
    theirs: dict[str, list[float]] = {c[0]: [] for c in cases}
    found: dict[str, tuple[int, int]] = {}
    for case, _, data, _ in cases:  # warm-up, and the face counts
        found[case] = (len(analyse(encoder, data, limits=LIMITS, quality=False).faces), plain(data))
    for _ in range(args.repeat):
        for case, _, data, _ in cases:
            started = time.perf_counter()
            analyse(encoder, data, limits=LIMITS, quality=False)
            middle = time.perf_counter()
            plain(data)
            ours[case].append((middle - started) * 1000)
            theirs[case].append((time.perf_counter() - middle) * 1000)
    rows = []
    for case, what, _, target in cases:
        rows.append([case, what, target, f"{found[case][0]} / {found[case][1]}", p50(ours[case]),
                     pct(ours[case], 90), p50(theirs[case]),
                     f"{p50(theirs[case]) / p50(ours[case]):.1f}x"])
    table(f"B1-B3 decode + detect + encode, {args.repeat} runs each, interleaved",
          ["#", "photo", "target", "faces ours / plain", "ours p50 ms", "ours p90 ms",
           "plain face_recognition p50 ms", "speed-up"], rows)


if __name__ == "__main__":
    main()
