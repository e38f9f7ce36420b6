"""Recorded live sequences and photo attacks for the liveness tests, the bench and the
browser tests.

Live: `tests/data/liveness/iris_example/` holds the 69 frames (16.7 fps) of a real person who
smiles at the camera, turns her head to her right, turns back and blinks (source and licence in
that folder's SOURCE.md). Mirrored, the same frames show a turn to her left.

Attacks are built from the still photos in ../shared/testdata/faces: the photo held still,
shifted, scaled, rotated in the picture plane, and "moved in front of the camera" (drifting,
growing, rolling and tilting away in perspective over the burst, as a hand holding a print
does).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from faceclock_dev.testing import FACES_DIR, REPO_ROOT

LIVE_DIR = REPO_ROOT / "tests" / "data" / "liveness" / "iris_example"
LIVE_FPS = 1000 / 60
# Frame numbers (of LIVE_DIR) where the recorded person does what a challenge asks.
LIVE_TURN_RIGHT = (26, 34)  # from facing the camera to turned 50 degrees to her right
LIVE_BLINK = 67


def live_frames(*, mirrored: bool = False) -> list[Image.Image]:
    frames = [Image.open(p).convert("RGB") for p in sorted(LIVE_DIR.glob("*.jpg"))]
    if mirrored:
        frames = [f.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for f in frames]
    return frames


def live_sequences() -> dict[str, tuple[list[Image.Image], list[str]]]:
    """Live bursts as a client would capture them (about 8 fps, every second frame, both
    phases), each with the challenges its real motion performs, in the order it happens."""
    sequences: dict[str, tuple[list[Image.Image], list[str]]] = {}
    for mirrored in (False, True):
        frames = live_frames(mirrored=mirrored)
        turn = "turn_left" if mirrored else "turn_right"
        for phase in (0, 1):
            burst = frames[phase::2]
            if burst[-1] is not frames[-1]:
                burst.append(frames[-1])
            name = f"{'mirrored' if mirrored else 'recorded'}_phase{phase}"
            sequences[name] = (burst, [turn, "blink"])
    return sequences


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def photo(name: str = "obama/obama_1.jpg") -> Image.Image:
    image = Image.open(FACES_DIR / "people" / name).convert("RGB")
    image.thumbnail((640, 640))
    return image


def _canvas(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    canvas = Image.new("RGB", size, (128, 128, 128))
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return canvas


def _place(image: Image.Image, *, dx: float = 0, dy: float = 0, scale: float = 1.0,
           angle: float = 0.0, tilt: float = 0.0) -> Image.Image:
    """The photo moved in front of a fixed camera: shifted by (dx, dy) of its size, scaled,
    rolled by `angle` degrees, and tilted back by `tilt` degrees (its top goes away from the
    camera, which shortens the picture vertically and narrows its top in perspective)."""
    width, height = image.size
    out = image
    if tilt:
        shrink = math.cos(math.radians(tilt))
        narrow = 0.25 * math.sin(math.radians(tilt))
        # Corners of the tilted print in the output, then the coefficients PIL wants
        # (output -> input).
        top = height * (1 - shrink) / 2
        corners_out = [(width * narrow, top), (width * (1 - narrow), top),
                       (width, height - top), (0, height - top)]
        corners_in = [(0, 0), (width, 0), (width, height), (0, height)]
        rows = []
        for (x, y), (u, v) in zip(corners_out, corners_in, strict=True):
            rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
            rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        target = np.array([c for point in corners_in for c in point], dtype=float)
        coefficients = np.linalg.solve(np.array(rows, dtype=float), target)
        out = out.transform(out.size, Image.Transform.PERSPECTIVE, tuple(coefficients),
                            Image.Resampling.BILINEAR, fillcolor=(128, 128, 128))
    if scale != 1.0:
        out = out.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                         Image.Resampling.BILINEAR)
    if angle:
        out = out.rotate(angle, Image.Resampling.BILINEAR, expand=False, fillcolor=(128, 128, 128))
    canvas = _canvas(out, (round(width * 1.3), round(height * 1.3)))
    return canvas.transform(canvas.size, Image.Transform.AFFINE,
                            (1, 0, -dx * width, 0, 1, -dy * height), Image.Resampling.BILINEAR,
                            fillcolor=(128, 128, 128))


Attack = Callable[[Image.Image, int], list[Image.Image]]


def _series(count: int, placement: Callable[[float], dict[str, float]],
            image: Image.Image) -> list[Image.Image]:
    return [_place(image, **placement(i / max(1, count - 1))) for i in range(count)]


ATTACKS: dict[str, Attack] = {
    "still": lambda image, n: _series(n, lambda t: {}, image),
    "shifted": lambda image, n: _series(n, lambda t: {"dx": 0.12 * t, "dy": -0.05 * t}, image),
    "scaled": lambda image, n: _series(n, lambda t: {"scale": 1.0 + 0.3 * t}, image),
    "rotated": lambda image, n: _series(n, lambda t: {"angle": 25.0 * math.sin(math.pi * t)},
                                        image),
    # A hand moving a print: drift, approach, roll, and tilt back and forth (which shortens the
    # face and its eyes together, the way a blink must not look).
    "moved": lambda image, n: _series(n, lambda t: {
        "dx": 0.08 * math.sin(2 * math.pi * t), "dy": 0.04 * t, "scale": 1.0 + 0.15 * t,
        "angle": 8.0 * math.sin(3 * math.pi * t), "tilt": 35.0 * abs(math.sin(2 * math.pi * t)),
    }, image),
}


def attack_sequences(photos: list[str], frames: int = 16) -> dict[str, list[Image.Image]]:
    return {f"{kind}:{Path(name).stem}": build(photo(name), frames)
            for name in photos for kind, build in ATTACKS.items()}
