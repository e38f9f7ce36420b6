"""Face detection and encoding behind a small interface, so another model can be plugged in.

The dlib pipeline detects on a downscaled copy (HOG detection time grows with the pixel count)
and encodes from 5-point landmarks found at full resolution (encoding cost does not depend on
the photo's size, and full-resolution landmarks keep the encoding as accurate as
`face_recognition.face_encodings` on the original photo).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class FaceBox:
    """Pixel box in the full-resolution, orientation-corrected image (face_recognition order)."""

    top: int
    right: int
    bottom: int
    left: int

    @property
    def width(self) -> int:
        return self.right - self.left


@dataclass(frozen=True)
class EncodedFace:
    box: FaceBox
    encoding: np.ndarray  # float32, shape (dimension,)
    sharpness: float  # variance of the Laplacian over the aligned face chip; -1 if not measured


class FaceEncoder(Protocol):
    name: str
    dimension: int

    def encode(self, image: np.ndarray, *, quality: bool = False) -> list[EncodedFace]:
        """Every face in an RGB uint8 image, with its encoding (and sharpness if `quality`)."""
        ...


def laplacian_variance(grey: np.ndarray) -> float:
    """Blur measure: variance of the 4-neighbour Laplacian (low = blurry)."""
    g = grey.astype(np.float32)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


class DlibEncoder:
    """dlib's HOG detector, 5-point shape predictor and ResNet face model (face_recognition's)."""

    name = "dlib_resnet_v1"
    dimension = 128
    # HOG's window is 80 px: without upsampling, smaller faces in the detection copy are missed.
    _SMALL_FACE_FRACTION = 0.2

    def __init__(self, *, detect_short_side: int = 480, num_jitters: int = 1) -> None:
        import dlib

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # face_recognition_models imports pkg_resources
            import face_recognition_models as models

        self._dlib = dlib
        self.detect_short_side = detect_short_side
        self.num_jitters = num_jitters
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
        self._model = dlib.face_recognition_model_v1(models.face_recognition_model_location())

    def detect(self, image: np.ndarray) -> list[Any]:
        """dlib rectangles in full-resolution coordinates.

        A first pass without upsampling on the small copy is enough for a portrait (kiosk,
        enrolment). Only when it finds nothing, several faces (a group photo, whose cost is
        dominated by encoding anyway) or one small face, a second pass upsampled once finds
        faces half that size.
        """
        height, width = image.shape[:2]
        scale = min(1.0, self.detect_short_side / min(height, width))
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BILINEAR))
        else:
            small = image
        found = list(self._detector(small, 0))
        short = min(small.shape[:2])
        if len(found) != 1 or found[0].width() < self._SMALL_FACE_FRACTION * short:
            again = list(self._detector(small, 1))
            if len(again) >= len(found):
                found = again
        rects = []
        for r in found:
            left = max(0, round(r.left() / scale))
            top = max(0, round(r.top() / scale))
            right = min(width - 1, round(r.right() / scale))
            bottom = min(height - 1, round(r.bottom() / scale))
            if right > left and bottom > top:
                rects.append(self._dlib.rectangle(left, top, right, bottom))
        return rects

    def encode(self, image: np.ndarray, *, quality: bool = False) -> list[EncodedFace]:
        rects = self.detect(image)
        if not rects:
            return []
        shapes = self._dlib.full_object_detections()
        for rect in rects:
            shapes.append(self._predictor(image, rect))
        descriptors = self._model.compute_face_descriptor(image, shapes, self.num_jitters)
        faces = []
        for rect, shape, descriptor in zip(rects, shapes, descriptors, strict=True):
            sharpness = -1.0
            if quality:
                chip = self._dlib.get_face_chip(image, shape, size=150, padding=0.25)
                grey = chip[..., 0] * 0.299 + chip[..., 1] * 0.587 + chip[..., 2] * 0.114
                sharpness = laplacian_variance(grey)
            box = FaceBox(top=rect.top(), right=rect.right(), bottom=rect.bottom(),
                          left=rect.left())
            faces.append(EncodedFace(box=box, encoding=np.asarray(descriptor, dtype=np.float32),
                                     sharpness=sharpness))
        return faces


ENCODERS: dict[str, Callable[..., FaceEncoder]] = {"dlib": DlibEncoder}


def encoder_label(name: str) -> str:
    """The model name Stats reports for a configured encoder, without loading the model."""
    return str(getattr(ENCODERS.get(name), "name", name))


def build_encoder(name: str, *, detect_short_side: int) -> FaceEncoder:
    try:
        factory = ENCODERS[name]
    except KeyError as exc:
        raise ValueError(f"unknown encoder {name!r}; known: {sorted(ENCODERS)}") from exc
    return factory(detect_short_side=detect_short_side)
