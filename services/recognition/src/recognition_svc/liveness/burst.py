"""A burst of frames → a liveness verdict and the encodings of a few of its frames.

Landmarks are found in every frame (cheap: about 10 ms each); the expensive face encoder runs
on three frames only, the most frontal one of each third of the burst, so the caller can check
that the person who moved is the same person throughout, and identify the most frontal one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from recognition_svc.encoder import EncodedFace, FaceEncoder
from recognition_svc.imaging import decode_image
from recognition_svc.liveness.challenge import LivenessPolicy, Verdict, judge
from recognition_svc.liveness.geometry import FrameMeasure, measure
from recognition_svc.liveness.landmarks import FaceLandmarker

ENCODED_FRAMES = 3


@dataclass(frozen=True)
class BurstAnalysis:
    verdict: Verdict
    frames_with_face: int
    # One list of faces per encoded frame (empty when the encoder found none there).
    encoded: list[list[EncodedFace]]
    best_frame: int  # the most frontal of the encoded frames; -1 when not live


def frames_to_encode(measures: Sequence[FrameMeasure | None], count: int) -> list[int]:
    """The most frontal frame with a face in each of `count` equal parts of the burst."""
    chosen: list[int] = []
    n = len(measures)
    for part in range(count):
        lo, hi = part * n // count, (part + 1) * n // count
        candidates = [(abs(m.yaw), i) for i, m in enumerate(measures[lo:hi], lo) if m is not None]
        if candidates:
            chosen.append(min(candidates)[1])
    return chosen


def analyse_burst(landmarker: FaceLandmarker, encoder: FaceEncoder, frames: Sequence[bytes], *,
                  steps: Sequence[str], policy: LivenessPolicy, max_pixels: int,
                  max_bytes: int) -> BurstAnalysis:
    """Raises BadImage for an undecodable frame and ValueError for a bad challenge."""
    if not policy.min_frames <= len(frames) <= policy.max_frames:
        raise ValueError(f"{policy.min_frames} to {policy.max_frames} frames expected, "
                         f"got {len(frames)}")
    pixels = [decode_image(f, max_pixels=max_pixels, max_bytes=max_bytes) for f in frames]
    measures: list[FrameMeasure | None] = []
    counts: list[int] = []
    for image in pixels:
        faces = landmarker.find(image)
        counts.append(len(faces))
        measures.append(measure(faces[0].points, image.shape[:2]) if len(faces) == 1 else None)
    verdict = judge(measures, counts, steps, policy)
    encoded: list[list[EncodedFace]] = []
    best = -1
    if verdict.live:
        chosen = frames_to_encode(measures, ENCODED_FRAMES)
        encoded = [encoder.encode(pixels[i]) for i in chosen]
        best = min(chosen, key=lambda i: abs(measures[i].yaw))  # type: ignore[union-attr]
    return BurstAnalysis(verdict=verdict, frames_with_face=sum(m is not None for m in measures),
                         encoded=encoded, best_frame=best)
