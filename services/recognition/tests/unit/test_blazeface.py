"""Both BlazeFace detectors the mediapipe wheel ships, decoded by our own code (the bench of
issue 11 item 7 compares them with HOG; liveness uses the short-range one)."""

from __future__ import annotations

import numpy as np
import pytest

from faceclock_dev.liveness_data import photo
from recognition_svc.liveness.landmarks import FULL_RANGE, SHORT_RANGE, BlazeFace


@pytest.mark.parametrize("model", [SHORT_RANGE, FULL_RANGE], ids=["short", "full"])
def test_each_blazeface_finds_the_one_face_and_its_eyes(model) -> None:
    image = np.asarray(photo("obama/obama_1.jpg"))
    found = BlazeFace(model).detect(image)
    assert len(found) == 1, found
    x0, y0, x1, y1 = found[0].box
    assert 0 <= x0 < x1 <= image.shape[1] and 0 <= y0 < y1 <= image.shape[0]
    # The eyes lie inside the box, in its upper half, the subject's right eye on the left.
    (rx, ry), (lx, ly) = found[0].right_eye, found[0].left_eye
    assert x0 < rx < lx < x1 and y0 < ry < (y0 + y1) / 2 and y0 < ly < (y0 + y1) / 2
    assert not BlazeFace(model).detect(np.full_like(image, 128))
