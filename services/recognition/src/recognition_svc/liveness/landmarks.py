"""468 face landmarks per frame from the models the mediapipe 0.10.14 wheel ships (Apache-2.0).

mediapipe's own runtime pins protobuf<5, which grpcio here cannot use, so only its model files
are taken from the installed wheel (never downloaded at run time) and run with LiteRT:
BlazeFace short-range (`face_detection_short_range.tflite`) finds the face, and FaceMesh
(`face_landmark.tflite`) places 468 points in a crop around it, rotated upright by the eyes.
The pre- and post-processing follow mediapipe's own graphs (face_detection_short_range_cpu,
face_landmark_front_cpu): letterboxed 128 px input in [-1, 1] with 896 SSD anchors, and a
192 px crop 1.5 times the detected box in [0, 1]. The full-range BlazeFace the wheel also ships
(192 px input, 2,304 anchors) is decoded the same way; only bench/detector_compare.py uses it
(HOG stays the recognition detector: bench/README-recognition.md).

A LiteRT interpreter is not thread-safe: one `FaceLandmarker` belongs to one worker.
"""

from __future__ import annotations

import importlib.metadata
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

MODEL_DISTRIBUTION = "mediapipe"
DETECTOR_MODEL = "mediapipe/modules/face_detection/face_detection_short_range.tflite"
LANDMARK_MODEL = "mediapipe/modules/face_landmark/face_landmark.tflite"

_MESH_SIZE = 192
_MIN_PRESENCE = 0.5
_NMS_IOU = 0.3
_ROI_SCALE = 1.5


def model_path(relative: str) -> Path:
    """A model file inside the installed mediapipe wheel, found without importing mediapipe
    (whose bindings need the older protobuf)."""
    try:
        distribution = importlib.metadata.distribution(MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise RuntimeError("the mediapipe wheel (for its face models) is not installed") from exc
    path = Path(str(distribution.locate_file(relative)))
    if not path.is_file():
        raise RuntimeError(f"{relative} is missing from the installed mediapipe wheel")
    return path


def _ssd_anchors(layers: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Anchor centres, fixed size 1, for (grid cells per side, anchors per cell) layers."""
    centres = []
    for grid, per_cell in layers:
        for y in range(grid):
            for x in range(grid):
                centres.extend([((x + 0.5) / grid, (y + 0.5) / grid)] * per_cell)
    return np.asarray(centres, dtype=np.float32)


@dataclass(frozen=True)
class BlazeFaceModel:
    """One of the BlazeFace detectors the wheel ships, with its graph's settings."""

    path: str
    size: int  # square input, letterboxed, in [-1, 1]
    layers: tuple[tuple[int, int], ...]
    min_score: float


# Faces within about 2 m of a phone or kiosk camera: 16x16 cells x 2 at stride 8, 8x8 cells
# x 6 at stride 16 (three layers of two anchors that share the stride).
SHORT_RANGE = BlazeFaceModel(DETECTOR_MODEL, 128, ((16, 2), (8, 6)), 0.5)
# Faces up to about 5 m (smaller in the picture): 48x48 cells x 1 at stride 4.
FULL_RANGE = BlazeFaceModel(
    "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite", 192,
    ((48, 1),), 0.6)


@dataclass(frozen=True)
class Detection:
    """A face found by BlazeFace, in pixels of the frame."""

    score: float
    box: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max
    right_eye: tuple[float, float]  # the subject's right eye: on the left of the picture
    left_eye: tuple[float, float]


@dataclass(frozen=True)
class FaceLandmarks:
    detection: Detection
    points: np.ndarray  # (468, 3) float32: x, y in frame pixels, z in the same scale
    presence: float


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x1 = np.maximum(a[0], b[:, 0])
    y1 = np.maximum(a[1], b[:, 1])
    x2 = np.minimum(a[2], b[:, 2])
    y2 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return np.asarray(inter / np.maximum(area_a + area_b - inter, 1e-9))


class BlazeFace:
    """A BlazeFace detector on LiteRT, decoded as mediapipe's graph does. Not thread-safe."""

    def __init__(self, model: BlazeFaceModel = SHORT_RANGE) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._model = model
        self._detector = Interpreter(model_path=str(model_path(model.path)), num_threads=1)
        self._detector.allocate_tensors()
        self._anchors = _ssd_anchors(model.layers)
        # (The two models name their outputs differently: 16 box values and 1 score each.)
        outputs = sorted(self._detector.get_output_details(), key=lambda d: -int(d["shape"][-1]))
        self._regressors = outputs[0]["index"]
        self._classificators = outputs[1]["index"]

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Faces in an RGB uint8 frame, best first, overlapping boxes merged away."""
        size = self._model.size
        height, width = image.shape[:2]
        side = max(height, width)
        # Letterbox onto a square so the model sees the face undistorted.
        pad_x, pad_y = (side - width) / 2, (side - height) / 2
        square = cv2.copyMakeBorder(image, math.floor(pad_y), math.ceil(pad_y), math.floor(pad_x),
                                    math.ceil(pad_x), cv2.BORDER_CONSTANT, value=(0, 0, 0))
        small = cv2.resize(square, (size, size), interpolation=cv2.INTER_AREA)
        tensor = (small.astype(np.float32) / 127.5 - 1.0)[None]
        self._detector.set_tensor(self._detector.get_input_details()[0]["index"], tensor)
        self._detector.invoke()
        raw = self._detector.get_tensor(self._regressors)[0]
        logits = self._detector.get_tensor(self._classificators)[0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -100.0, 100.0)))
        keep = np.nonzero(scores >= self._model.min_score)[0]
        if keep.size == 0:
            return []
        order = keep[np.argsort(-scores[keep])]
        anchors = self._anchors[order]
        values = raw[order] / size
        cx, cy = values[:, 0] + anchors[:, 0], values[:, 1] + anchors[:, 1]
        w, h = values[:, 2], values[:, 3]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1) * side
        boxes -= np.array([pad_x, pad_y, pad_x, pad_y], dtype=np.float32)
        eyes = (values[:, 4:8] + np.tile(anchors, 2)) * side - np.array(
            [pad_x, pad_y, pad_x, pad_y], dtype=np.float32)
        found: list[Detection] = []
        taken = np.zeros(len(order), dtype=bool)
        for i in range(len(order)):
            if taken[i]:
                continue
            taken |= _iou(boxes[i], boxes) > _NMS_IOU
            found.append(Detection(
                score=float(scores[order[i]]),
                box=(float(boxes[i, 0]), float(boxes[i, 1]), float(boxes[i, 2]), float(boxes[i, 3])),
                right_eye=(float(eyes[i, 0]), float(eyes[i, 1])),
                left_eye=(float(eyes[i, 2]), float(eyes[i, 3]))))
        return found


class FaceLandmarker:
    """BlazeFace + FaceMesh on LiteRT. Not thread-safe: one per worker thread or process."""

    def __init__(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._detector = BlazeFace(SHORT_RANGE)
        self._mesh = Interpreter(model_path=str(model_path(LANDMARK_MODEL)), num_threads=1)
        self._mesh.allocate_tensors()
        mesh_outputs = sorted(self._mesh.get_output_details(), key=lambda d: -int(d["shape"][-1]))
        self._mesh_points = mesh_outputs[0]["index"]  # 1404 = 468 x 3
        self._mesh_presence = mesh_outputs[1]["index"]

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Faces in an RGB uint8 frame (BlazeFace short-range), best first."""
        return self._detector.detect(image)

    def landmarks(self, image: np.ndarray, detection: Detection) -> FaceLandmarks:
        """468 points of the detected face, in frame pixels."""
        x0, y0, x1, y1 = detection.box
        centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2
        size = _ROI_SCALE * max(x1 - x0, y1 - y0)
        (rx, ry), (lx, ly) = detection.right_eye, detection.left_eye
        # The crop is turned so the eyes lie level, as mediapipe's graph does.
        rotation = -math.atan2(-(ly - ry), lx - rx)
        cos, sin = math.cos(rotation), math.sin(rotation)
        scale = size / _MESH_SIZE
        # crop pixel (u, v) -> frame pixel: centre + R(rotation) @ ((u, v) * scale - size / 2)
        to_frame = np.array([
            [cos * scale, -sin * scale, centre_x - (cos - sin) * size / 2],
            [sin * scale, cos * scale, centre_y - (sin + cos) * size / 2],
        ], dtype=np.float64)
        crop = cv2.warpAffine(image, to_frame, (_MESH_SIZE, _MESH_SIZE),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        tensor = (crop.astype(np.float32) / 255.0)[None]
        self._mesh.set_tensor(self._mesh.get_input_details()[0]["index"], tensor)
        self._mesh.invoke()
        raw = self._mesh.get_tensor(self._mesh_points).reshape(468, 3)
        logit = float(self._mesh.get_tensor(self._mesh_presence).reshape(-1)[0])
        uv = np.concatenate([raw[:, :2], np.ones((468, 1), dtype=np.float32)], axis=1)
        points = np.empty((468, 3), dtype=np.float32)
        points[:, :2] = uv @ to_frame.T
        points[:, 2] = raw[:, 2] * scale
        return FaceLandmarks(detection=detection, points=points,
                             presence=1.0 / (1.0 + math.exp(-max(-100.0, min(100.0, logit)))))

    def find(self, image: np.ndarray) -> list[FaceLandmarks]:
        """Landmarks of every face in the frame that the mesh model also takes for a face."""
        faces = [self.landmarks(image, d) for d in self.detect(image)]
        return [f for f in faces if f.presence >= _MIN_PRESENCE]
