"""The challenge judge on made-up per-frame measures (no model, no I/O)."""

from __future__ import annotations

import pytest

from recognition_svc.liveness.challenge import LivenessPolicy, judge
from recognition_svc.liveness.geometry import FrameMeasure

POLICY = LivenessPolicy()


def frame(yaw: float = 0.0, eyes: float = 0.3, shape: float = 0.75, x: float = 100.0) -> FrameMeasure:
    return FrameMeasure(yaw=yaw, eye_openness=eyes, face_shape=shape, centre=(x, 100.0), width=80.0)


def run(frames: list[FrameMeasure | None], steps: list[str]) -> str:
    return judge(frames, [0 if f is None else 1 for f in frames], steps, POLICY).code


TURN_LEFT_THEN_BLINK = ([frame(yaw=y) for y in (0, 0, 8, 20, 25, 20, 5, 0)]
                        + [frame(eyes=0.1), frame(), frame(), frame()])


def test_turn_then_blink_in_that_order_is_live() -> None:
    verdict = judge(TURN_LEFT_THEN_BLINK, [1] * len(TURN_LEFT_THEN_BLINK),
                    ["turn_left", "blink"], POLICY)
    assert verdict.live and verdict.step_frames == (3, 8)


@pytest.mark.parametrize("steps", [["blink", "turn_left"], ["turn_right", "blink"], ["turn_left"] * 2])
def test_the_wrong_order_or_direction_is_refused(steps: list[str]) -> None:
    assert run(TURN_LEFT_THEN_BLINK, steps) == "challenge_not_met"


def test_a_still_face_meets_no_challenge() -> None:
    still = [frame()] * 12
    for steps in (["blink"], ["turn_left"], ["turn_right", "blink"]):
        assert run(still, steps) == "challenge_not_met"


def test_eyes_that_flatten_with_the_whole_face_are_no_blink() -> None:
    """A print tilted away from the camera: the eyes and the face shorten together."""
    tilted = [frame(), frame(), frame(), frame(eyes=0.1, shape=0.5), frame(), frame(), frame()]
    assert run(tilted, ["blink"]) == "challenge_not_met"
    blink = [frame(), frame(), frame(), frame(eyes=0.1), frame(), frame(), frame()]
    assert run(blink, ["blink"]) == "live"


def test_coming_back_from_a_right_turn_is_not_a_left_turn() -> None:
    back = [frame(yaw=y) for y in (0, -10, -30, -40, -30, -15, -5, 0)]
    assert run(back, ["turn_left"]) == "challenge_not_met"
    assert run(back, ["turn_right"]) == "live"


def test_a_face_missing_from_the_burst_or_jumping_or_doubled_is_refused() -> None:
    assert run([frame()] * 3 + [None] * 9, ["blink"]) == "no_face"
    jumping = [frame(x=100 + (200 if i % 2 else 0)) for i in range(10)]
    assert run(jumping, ["blink"]) == "face_jumped"
    frames = [frame()] * 10
    assert judge(frames, [1] * 9 + [2], ["blink"], POLICY).code == "multiple_faces"


def test_unknown_steps_are_an_error() -> None:
    with pytest.raises(ValueError):
        run([frame()] * 10, ["smile"])
    with pytest.raises(ValueError):
        run([frame()] * 10, [])
