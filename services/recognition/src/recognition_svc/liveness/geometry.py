"""What one frame's landmarks say: head yaw, how open the eyes are, and the face's shape.

Yaw comes from OpenCV's solvePnP between eight FaceMesh points and a generic 3-D face model
(millimetre-scale points of an average head; no per-person calibration), with a pinhole
camera whose focal length is the frame width. Eye openness is the eye aspect ratio of
Soukupová and Čech (2016) on FaceMesh's eye contour. The face's shape (eye-to-mouth height
over eye distance) lets a blink be told apart from a photo tilted away from the camera, which
flattens the eyes and the whole face alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# FaceMesh indices of points that do not move with the jaw (an open mouth would tilt the fit):
# nose tip, the subject's right and left outer and inner eye corners, right and left mouth
# corners, nose base; with a generic head's coordinates in millimetres (x to the subject's
# left, y up, z towards the camera).
_POSE_POINTS = (1, 33, 263, 133, 362, 61, 291, 2)
_MODEL_POINTS = np.array([
    (0.0, 0.0, 0.0),
    (-45.0, 35.0, -27.0),
    (45.0, 35.0, -27.0),
    (-16.0, 33.0, -18.0),
    (16.0, 33.0, -18.0),
    (-29.0, -29.0, -24.0),
    (29.0, -29.0, -24.0),
    (0.0, -12.0, -12.0),
], dtype=np.float64)

# Eye contours as (corner, upper, upper, corner, lower, lower), the order of the EAR formula.
_RIGHT_EYE = (33, 160, 158, 133, 153, 144)
_LEFT_EYE = (362, 385, 387, 263, 373, 380)
_MOUTH_CENTRE = (13, 14)


@dataclass(frozen=True)
class FrameMeasure:
    """One frame's face: yaw in degrees (positive: the subject turned to their left, i.e.
    towards the right of the picture), mean eye aspect ratio, and face shape."""

    yaw: float
    eye_openness: float
    face_shape: float
    centre: tuple[float, float]
    width: float


def eye_aspect_ratio(points: np.ndarray, eye: tuple[int, ...]) -> float:
    p = points[list(eye), :2]
    vertical = np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])
    horizontal = np.linalg.norm(p[0] - p[3])
    return float(vertical / (2.0 * horizontal)) if horizontal > 0 else 0.0


def head_yaw(points: np.ndarray, frame_size: tuple[int, int]) -> float:
    """Degrees the head is turned about the vertical axis, from solvePnP."""
    height, width = frame_size
    focal = float(width)
    camera = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]], dtype=np.float64)
    image_points = points[list(_POSE_POINTS), :2].astype(np.float64)
    # The model's y points up and the picture's down: flip it so the two agree.
    model = _MODEL_POINTS * np.array([1.0, -1.0, -1.0])
    # SQPnP finds the global minimum: no flip to the mirror-image pose that EPnP gave on
    # near-frontal faces.
    ok, rvec, _ = cv2.solvePnP(model, image_points, camera, np.zeros(4),
                               flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return math.nan
    rotation, _ = cv2.Rodrigues(rvec)
    forward = rotation @ np.array([0.0, 0.0, -1.0])
    # Relative to the line of sight to the nose, not to the camera's axis: a face (or a flat
    # photo) that only moves sideways across the picture has not turned.
    sight = math.atan2(float(image_points[0, 0]) - width / 2, focal)
    return float(math.degrees(math.atan2(forward[0], -forward[2]) + sight))


def measure(points: np.ndarray, frame_size: tuple[int, int]) -> FrameMeasure:
    eyes = (eye_aspect_ratio(points, _RIGHT_EYE) + eye_aspect_ratio(points, _LEFT_EYE)) / 2
    right_eye, left_eye = points[_RIGHT_EYE[0], :2], points[_LEFT_EYE[3], :2]
    eye_mid = (right_eye + left_eye) / 2
    mouth = points[list(_MOUTH_CENTRE), :2].mean(axis=0)
    eye_distance = float(np.linalg.norm(left_eye - right_eye))
    shape = float(np.linalg.norm(mouth - eye_mid)) / eye_distance if eye_distance > 0 else 0.0
    xs, ys = points[:, 0], points[:, 1]
    return FrameMeasure(
        yaw=head_yaw(points, frame_size), eye_openness=eyes, face_shape=shape,
        centre=(float(xs.mean()), float(ys.mean())), width=float(xs.max() - xs.min()))
