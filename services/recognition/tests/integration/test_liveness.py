"""CheckLiveness on a real server: a recorded live burst passes, photo attacks are refused."""

from __future__ import annotations

import grpc
import pytest

from faceclock_dev.liveness_data import ATTACKS, jpeg, live_frames
from faceclock_dev.liveness_data import photo as still_photo
from faceclock_proto.errors import reason_of
from faceclock_proto.recognition.v1 import recognition_pb2 as pb

pytestmark = pytest.mark.slow


async def check(client, frames: list[bytes], steps: list[str],
                scope: list[str] | None = None) -> pb.CheckLivenessResponse:
    request = pb.CheckLivenessRequest(frames=frames, steps=steps)
    if scope is not None:
        request.identify_scope.person_ids.extend(scope)
    return await client.stub.CheckLiveness(request,
                                           metadata=client.meta("kiosk"), timeout=60)


async def test_a_recorded_live_burst_passes_and_names_a_frame_to_identify(server) -> None:
    _, client = server
    enrolled = await client.enroll("7", jpeg(live_frames()[0].resize((400, 400))))
    assert enrolled.face_id, enrolled
    # 48 frames at the recording's 16.7 fps: facing the camera, turning right, blinking.
    frames, steps = live_frames()[21:], ["turn_right", "blink"]
    answer = await check(client, [jpeg(f) for f in frames], steps)
    assert answer.live, answer
    assert answer.frames == answer.frames_with_face == len(frames)
    # The frame to identify is one of the frontal ones, and it is the enrolled person.
    assert 0 <= answer.best_frame < 6 or answer.best_frame >= len(frames) - 4, answer.best_frame
    identified = await client.identify(jpeg(frames[answer.best_frame]))
    assert [f.person_id for f in identified.faces] == ["7"]
    # The same frames do not perform the other order or the other direction.
    for other in (["blink", "turn_right"], ["turn_left", "blink"]):
        refused = await check(client, [jpeg(f) for f in frames], other)
        assert not refused.live and refused.refusal == "challenge_not_met", (other, refused)


async def test_an_identify_scope_names_whom_the_encoded_frames_agree_on(
        start_server, database_url, photo, rpc_error) -> None:
    # Targets under which 1:N may search a few samples (the defaults allow none).
    _, client = await start_server(database_url, target_fpir=0.01, identify_max_fnir=0.05)
    assert (await client.enroll("7", jpeg(live_frames()[0].resize((400, 400))))).face_id
    assert (await client.enroll("1", photo("obama_1.jpg"))).face_id
    frames, steps = [jpeg(f) for f in live_frames()[21:]], ["turn_right", "blink"]
    answer = await check(client, frames, steps, scope=["7", "1"])
    assert answer.live and answer.match.person_id == "7", answer
    assert answer.agreeing_frames >= 2 and 0 < answer.match.confidence < 1
    # Among people she is not one of, the frames name nobody.
    stranger = await check(client, frames, steps, scope=["1"])
    assert stranger.live and stranger.match.person_id == "" and stranger.agreeing_frames == 0
    assert not stranger.match.ambiguous and stranger.match.distance > 0.5
    # Without a scope nothing is identified.
    assert not (await check(client, frames, steps)).HasField("match")
    # A gallery beyond what 1:N covers is refused before the frames are looked at.
    for person, name in (("2", "biden_1.jpg"), ("3", "kit_harington_1.jpg"),
                         ("4", "rose_leslie_1.jpg"), ("5", "alex_lacamoire_1.jpg")):
        assert (await client.enroll(person, photo(name))).face_id
    error = await rpc_error(check(client, frames, steps, scope=["7", "1", "2", "3", "4", "5"]))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(error) == "gallery_too_large"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_a_burst_made_from_one_photo_is_refused(server, attack: str) -> None:
    """Still, shifted, scaled, rotated in 2-D, or moved and tilted in front of the camera."""
    _, client = server
    still = still_photo("obama/obama_1.jpg")
    assert (await client.enroll("1", jpeg(still))).face_id
    frames = [jpeg(f) for f in ATTACKS[attack](still, 16)]
    for steps in (["turn_left", "blink"], ["blink", "turn_right"]):
        answer = await check(client, frames, steps)
        assert not answer.live and answer.refusal, (attack, steps, answer)


async def test_bad_bursts_are_invalid_arguments(server, rpc_error) -> None:
    _, client = server
    frame = jpeg(still_photo("obama/obama_1.jpg"))
    for frames, steps in (([frame] * 8, ["smile"]), ([frame] * 8, []), ([frame] * 2, ["blink"]),
                          ([b"not an image"] * 8, ["blink"])):
        error = await rpc_error(check(client, frames, steps))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (steps, error.details())
