"""Face detection and encoding behind a small interface, so another model can be plugged in.

The dlib pipeline detects on a downscaled copy (HOG detection time grows with the pixel count)
and encodes from 5-point landmarks found at full resolution (encoding cost does not depend on
the photo's size, and full-resolution landmarks keep the encoding as accurate as
`face_recognition.face_encodings` on the original photo).

An encoder is used by one thread at a time: dlib's objects are not thread-safe (its HOG
detector releases the GIL, and two threads sharing one encoder gave wrong encodings, then
crashed). `pipeline.EncoderPool` lends each encoder to one caller at a time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from recognition_svc.calibration import (
    Calibration,
    CalibrationError,
    load_calibration,
    packaged_calibration,
)


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

    def encode(self, image: np.ndarray, *, quality: bool = False,
               thorough: bool = True) -> list[EncodedFace]:
        """Every face in an RGB uint8 image, with its encoding (and sharpness if `quality`).

        `thorough=False` allows only the cheapest detection (a retry on a rotated copy)."""
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
    # Below this the upsampled copy is still smaller than the HOG window: nothing to find.
    _MIN_DETECT_SIDE = 40

    def __init__(self, *, detect_short_side: int = 480, detect_max_pixels: int = 410_000,
                 num_jitters: int = 1) -> None:
        import dlib

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # face_recognition_models imports pkg_resources
            import face_recognition_models as models

        self._dlib = dlib
        self.detect_short_side = detect_short_side
        self.detect_max_pixels = detect_max_pixels
        self.num_jitters = num_jitters
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
        self._model = dlib.face_recognition_model_v1(models.face_recognition_model_location())

    def detection_scale(self, height: int, width: int) -> float:
        """Scale of the detection copy: short side and pixel count both capped, so the work per
        photo is bounded whatever its shape (a 400 x 99,900 photo must not cost 30 s)."""
        return min(1.0, self.detect_short_side / min(height, width),
                   (self.detect_max_pixels / (height * width)) ** 0.5)

    def detect(self, image: np.ndarray, *, thorough: bool = True) -> list[Any]:
        """dlib rectangles in full-resolution coordinates.

        A first pass without upsampling on the small copy is enough for a portrait (kiosk,
        enrolment). Only when it finds nothing, several faces (a group photo, whose cost is
        dominated by encoding anyway) or one small face, a second pass upsampled once finds
        faces half that size. The copy is at most `detect_max_pixels`, so that pass is bounded.
        """
        height, width = image.shape[:2]
        scale = self.detection_scale(height, width)
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BILINEAR))
        else:
            small = image
        short = min(small.shape[:2])
        if short < self._MIN_DETECT_SIDE:
            return []
        found = list(self._detector(small, 0))
        if thorough and (len(found) != 1
                         or found[0].width() < self._SMALL_FACE_FRACTION * short):
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

    def landmarks(self, image: np.ndarray, rects: list[Any]) -> Any:
        """dlib's 5 points per face: two corners of each eye and the base of the nose."""
        shapes = self._dlib.full_object_detections()
        for rect in rects:
            shapes.append(self._predictor(image, rect))
        return shapes

    def describe(self, image: np.ndarray, shapes: Any) -> list[np.ndarray]:
        """The 128-d ResNet encoding of each face, from its landmarks."""
        return [np.asarray(d, dtype=np.float32)
                for d in self._model.compute_face_descriptor(image, shapes, self.num_jitters)]

    def encode(self, image: np.ndarray, *, quality: bool = False,
               thorough: bool = True) -> list[EncodedFace]:
        rects = self.detect(image, thorough=thorough)
        if not rects:
            return []
        shapes = self.landmarks(image, rects)
        descriptors = self.describe(image, shapes)
        faces = []
        for rect, shape, descriptor in zip(rects, shapes, descriptors, strict=True):
            sharpness = -1.0
            if quality:
                chip = self._dlib.get_face_chip(image, shape, size=150, padding=0.25)
                grey = chip[..., 0] * 0.299 + chip[..., 1] * 0.587 + chip[..., 2] * 0.114
                sharpness = laplacian_variance(grey)
            box = FaceBox(top=rect.top(), right=rect.right(), bottom=rect.bottom(),
                          left=rect.left())
            faces.append(EncodedFace(box=box, encoding=descriptor, sharpness=sharpness))
        return faces


# ArcFace's 112 x 112 template: eye centres (image left, image right) and the nose tip.
ARCFACE_POINTS = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366]])
ARCFACE_SIZE = 112


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2 x 3 rotation + uniform scale + shift mapping `source` points nearest onto
    `target` (least squares, Umeyama 1991)."""
    source_mean, target_mean = source.mean(0), target.mean(0)
    s, t = source - source_mean, target - target_mean
    u, singular, vt = np.linalg.svd(t.T @ s / len(source))
    d = np.diag([1.0, np.sign(np.linalg.det(u @ vt))])
    rotation = u @ d @ vt
    scale = float(np.trace(np.diag(singular) @ d)) / float((s ** 2).sum(1).mean())
    shift = target_mean - scale * rotation @ source_mean
    return np.hstack([scale * rotation, shift[:, None]])


def aligned_face(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The 112 x 112 crop an ArcFace-style model expects, from dlib's 5 landmarks (eye
    corners 0-1 and 2-3, nose base 4): eye centres and nose onto the ArcFace template."""
    eyes = sorted((points[0:2].mean(0), points[2:4].mean(0)), key=lambda p: float(p[0]))
    source = np.array([eyes[0], eyes[1], points[4]], dtype=np.float64)
    forward = np.vstack([similarity_transform(source, ARCFACE_POINTS), [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(forward)[:2].ravel()  # PIL maps output pixels back to input
    chip = Image.fromarray(image).transform((ARCFACE_SIZE, ARCFACE_SIZE), Image.Transform.AFFINE,
                                            data=tuple(inverse), resample=Image.Resampling.BILINEAR)
    return np.asarray(chip)


class OnnxEncoder:
    """An ArcFace-style ONNX model the operator provides by path (nothing is downloaded):
    input N x 3 x 112 x 112 RGB scaled to [-1, 1], output N x d embeddings, compared after L2
    normalisation. Detection and landmarks are dlib's (HOG, 5 points), as for DlibEncoder."""

    dimension: int

    def __init__(self, *, detect_short_side: int = 480, detect_max_pixels: int = 410_000,
                 model_path: str | None = None) -> None:
        if not model_path:
            raise ValueError("the onnx encoder needs RECOGNITION_ONNX_MODEL_PATH")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread per session: requests are parallelised across encoders, not inside one.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(model_path, sess_options=options,
                                                     providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.dimension = int(self._session.get_outputs()[0].shape[-1])
        self.name = onnx_label(model_path)
        self._dlib = DlibEncoder(detect_short_side=detect_short_side,
                                 detect_max_pixels=detect_max_pixels)

    def encode(self, image: np.ndarray, *, quality: bool = False,
               thorough: bool = True) -> list[EncodedFace]:
        rects = self._dlib.detect(image, thorough=thorough)
        if not rects:
            return []
        shapes = self._dlib.landmarks(image, rects)
        chips = [aligned_face(image, np.array([[p.x, p.y] for p in shape.parts()],
                                              dtype=np.float64)) for shape in shapes]
        batch = (np.stack(chips).astype(np.float32).transpose(0, 3, 1, 2) - 127.5) / 127.5
        embeddings = np.asarray(self._session.run(None, {self._input: batch})[0],
                                dtype=np.float32).reshape(len(chips), -1)
        embeddings /= np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
        faces = []
        for rect, chip, embedding in zip(rects, chips, embeddings, strict=True):
            grey = chip[..., 0] * 0.299 + chip[..., 1] * 0.587 + chip[..., 2] * 0.114
            faces.append(EncodedFace(
                box=FaceBox(top=rect.top(), right=rect.right(), bottom=rect.bottom(),
                            left=rect.left()),
                encoding=embedding, sharpness=laplacian_variance(grey) if quality else -1.0))
        return faces


def onnx_label(model_path: str) -> str:
    """An ONNX model is named after its file: its calibration must carry the same name."""
    return f"onnx:{Path(model_path).stem}"


ENCODERS: dict[str, Callable[..., FaceEncoder]] = {"dlib": DlibEncoder, "onnx": OnnxEncoder}


def encoder_label(name: str, model_path: str | None = None) -> str:
    """The model name Stats reports for a configured encoder, without loading the model."""
    if name == "onnx" and model_path:
        return onnx_label(model_path)
    return str(getattr(ENCODERS.get(name), "name", name))


def encoder_dimension(name: str, model_path: str | None = None) -> int:
    """The length of the encoder's vectors (the index is built for it), without its models."""
    if name == "onnx" and model_path:
        import onnxruntime

        session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        return int(session.get_outputs()[0].shape[-1])
    return int(getattr(ENCODERS.get(name), "dimension", 128))


def encoder_calibration(label: str, path: str | None = None) -> Calibration:
    """The encoder's calibration: the file given, or the one shipped for a built-in encoder
    (by model name). Thresholds of one model are meaningless for another: the names agree."""
    calibration = load_calibration(path) if path else packaged_calibration(label)
    if calibration.encoder != label:
        raise CalibrationError(
            f"the calibration is for {calibration.encoder!r}, the encoder is {label!r}")
    return calibration


def build_encoder(name: str, *, detect_short_side: int, detect_max_pixels: int,
                  model_path: str | None = None) -> FaceEncoder:
    try:
        factory = ENCODERS[name]
    except KeyError as exc:
        raise ValueError(f"unknown encoder {name!r}; known: {sorted(ENCODERS)}") from exc
    if name == "onnx":
        return factory(detect_short_side=detect_short_side, detect_max_pixels=detect_max_pixels,
                       model_path=model_path)
    return factory(detect_short_side=detect_short_side, detect_max_pixels=detect_max_pixels)
