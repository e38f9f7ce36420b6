"""The gateway's recognition client against real gRPC servers on free ports.

The servers here run a small scripted servicer (the real recognition service is exercised by
the end-to-end tests); what is under test is the client's round-robin, retry and error mapping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio

from faceclock_common.errors import ApiError
from faceclock_dev.testing import free_port
from faceclock_proto.errors import refuse
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from gateway_svc.recognition_client import READINESS_SERVICE, RecognitionClient


class ScriptedRecognition(pb_grpc.RecognitionServicer):
    def __init__(self, name: str, *, delay: float = 0.0, fail_with: grpc.StatusCode | None = None,
                 details: str = "", reason: str | None = None, failures: int | None = None
                 ) -> None:
        self.name = name
        self.reason = reason
        self.delay = delay
        self.fail_with = fail_with
        self.details = details
        self.failures = failures  # fail this many calls, then answer (None: fail every call)
        self.calls: list[dict[str, str]] = []

    async def Identify(self, request: pb.IdentifyRequest, context: aio.ServicerContext
                       ) -> pb.IdentifyResponse:
        self.calls.append(dict(context.invocation_metadata() or ()))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_with is not None and (self.failures is None
                                           or len(self.calls) <= self.failures):
            if self.reason is None:
                await context.abort(self.fail_with, self.details)
            await refuse(context, self.fail_with, self.reason, self.details)
        return pb.IdentifyResponse(faces=[pb.FaceMatch(person_id=self.name, distance=0.3)])

    async def DeleteFaces(self, request: pb.DeleteFacesRequest, context: aio.ServicerContext
                          ) -> pb.DeleteFacesResponse:
        return pb.DeleteFacesResponse(deleted=3)

    async def ListFaces(self, request: pb.ListFacesRequest, context: aio.ServicerContext
                        ) -> pb.ListFacesResponse:
        return pb.ListFacesResponse(faces=[pb.FaceRecord(face_id="f1")])


SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


async def _serve(servicer: ScriptedRecognition, health: health_aio.HealthServicer | None = None,
                 port: int | None = None) -> tuple[aio.Server, str]:
    server = aio.server()
    pb_grpc.add_RecognitionServicer_to_server(servicer, server)
    if health is not None:
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
    port = port or free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server, f"127.0.0.1:{port}"


async def _with_health(name: str, status: int = SERVING, **kwargs: object
                       ) -> tuple[ScriptedRecognition, health_aio.HealthServicer, aio.Server, str]:
    servicer = ScriptedRecognition(name, **kwargs)  # type: ignore[arg-type]
    health = health_aio.HealthServicer()
    await health.set("", SERVING)  # liveness: a busy replica is alive
    await health.set(READINESS_SERVICE, status)
    server, target = await _serve(servicer, health)
    return servicer, health, server, target


@pytest.fixture
async def two_replicas() -> AsyncIterator[tuple[list[ScriptedRecognition], list[str]]]:
    servicers = [ScriptedRecognition("1"), ScriptedRecognition("2")]
    started = [await _serve(s) for s in servicers]
    yield servicers, [address for _, address in started]
    for server, _ in started:
        await server.stop(0)


async def test_round_robin_spreads_calls_and_forwards_the_token(two_replicas) -> None:  # type: ignore[no-untyped-def]
    servicers, targets = two_replicas
    client = RecognitionClient(targets, deadline_seconds=5)
    # Connected replicas go first, so while one channel is still connecting every call goes to
    # the other: the even spread is between connected replicas.
    await asyncio.wait_for(asyncio.gather(*(c.channel_ready() for c in client._channels)), 10)
    answers = [(await client.identify("tok", b"img")).faces[0].person_id for _ in range(4)]
    await client.close()
    assert sorted(answers) == ["1", "1", "2", "2"]
    assert all(call["authorization"] == "Bearer tok" for s in servicers for call in s.calls)
    assert all("x-request-id" in call for s in servicers for call in s.calls)


async def test_a_dead_replica_is_skipped(two_replicas) -> None:  # type: ignore[no-untyped-def]
    _, targets = two_replicas
    client = RecognitionClient([f"127.0.0.1:{free_port()}", targets[0]], deadline_seconds=5)
    for _ in range(3):
        assert (await client.identify("tok", b"img")).faces[0].person_id == "1"
    await client.close()


async def test_all_replicas_down_is_503() -> None:
    client = RecognitionClient([f"127.0.0.1:{free_port()}"], deadline_seconds=2)
    with pytest.raises(ApiError) as caught:
        await client.identify("tok", b"img")
    await client.close()
    assert (caught.value.status, caught.value.code) == (503, "recognition_unavailable")
    assert caught.value.headers["Retry-After"] == "2"


@pytest.mark.parametrize(("code", "reason", "details", "status", "error_code"), [
    (grpc.StatusCode.INVALID_ARGUMENT, "bad_image", "cannot decode: truncated", 422, "bad_image"),
    (grpc.StatusCode.INVALID_ARGUMENT, "bad_scope", "At most 5000 person ids", 422, "bad_scope"),
    # The reason travels in the metadata; the sentence is never parsed for it.
    (grpc.StatusCode.FAILED_PRECONDITION, "gallery_too_large",
     "6 enrolled samples; 1:N keeps false matches at 0.01 per attempt only up to 5", 409,
     "gallery_too_large"),
    (grpc.StatusCode.INVALID_ARGUMENT, None, "a photo: unexplained", 422, "bad_image"),
    (grpc.StatusCode.PERMISSION_DENIED, "forbidden", "no", 403, "forbidden"),
    (grpc.StatusCode.UNAUTHENTICATED, "unauthorized", "no", 401, "unauthorized"),
    (grpc.StatusCode.INTERNAL, None, "boom", 502, "recognition_error"),
    # The analysing worker died, perhaps of this photo: not sent on to kill another replica's.
    (grpc.StatusCode.ABORTED, "worker_lost", "exit code -11", 503, "recognition_unavailable"),
])
async def test_errors_are_mapped_and_not_retried(code: grpc.StatusCode, reason: str | None,
                                                 details: str, status: int, error_code: str
                                                 ) -> None:
    servicer = ScriptedRecognition("1", fail_with=code, details=details, reason=reason)
    server, target = await _serve(servicer)
    client = RecognitionClient([target], deadline_seconds=5)
    with pytest.raises(ApiError) as caught:
        await client.identify("tok", b"img")
    await client.close()
    await server.stop(0)
    assert (caught.value.status, caught.value.code) == (status, error_code)
    if status in (409, 422):
        assert caught.value.message == details
    assert len(servicer.calls) == 1  # only UNAVAILABLE is retried


async def test_deadline_gives_503() -> None:
    servicer = ScriptedRecognition("1", delay=2.0)
    server, target = await _serve(servicer)
    client = RecognitionClient([target], deadline_seconds=0.3)
    with pytest.raises(ApiError) as caught:
        await client.identify("tok", b"img")
    await client.close()
    await server.stop(0)
    assert caught.value.status == 503
    assert len(servicer.calls) == 1  # a deadline is not retried: the first call may still run


async def test_a_not_serving_replica_leaves_the_rotation_and_comes_back() -> None:
    """A saturated (NOT_SERVING) replica gets no calls while a serving one is there."""
    busy, busy_health, busy_server, busy_target = await _with_health("1", NOT_SERVING)
    _, _, free_server, free_target = await _with_health("2")
    client = RecognitionClient([busy_target, free_target], deadline_seconds=5)
    try:
        answers = [(await client.identify("tok", b"img")).faces[0].person_id for _ in range(6)]
        assert answers == ["2"] * 6
        assert busy.calls == []
        assert await client.replica_states() == ["not_serving", "serving"]
        assert await client.readiness() == "degraded"

        await busy_health.set(READINESS_SERVICE, SERVING)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not busy.calls:
            await client.identify("tok", b"img")
        assert busy.calls, "the replica did not rejoin within 3 s of saying SERVING"
        assert await client.readiness() == "ready"
    finally:
        await client.close()
        await busy_server.stop(0)
        await free_server.stop(0)


async def test_every_replica_not_serving_is_a_prompt_503_with_retry_after() -> None:
    servicer, _, server, target = await _with_health("1", NOT_SERVING)
    client = RecognitionClient([target], deadline_seconds=10)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        await client.identify("tok", b"img")
    elapsed = time.monotonic() - started
    await client.close()
    await server.stop(0)
    assert (caught.value.status, caught.value.code) == (503, "recognition_unavailable")
    assert caught.value.headers["Retry-After"] == "2"
    assert elapsed < 2, f"shedding took {elapsed:.1f} s"
    assert servicer.calls == []


async def test_busy_is_retried_on_the_next_replica_then_503_not_rate_limited() -> None:
    busy = [ScriptedRecognition(n, fail_with=grpc.StatusCode.RESOURCE_EXHAUSTED, details="busy")
            for n in ("1", "2")]
    started = [await _serve(s) for s in busy]
    _, _, free_server, free_target = await _with_health("3")
    client = RecognitionClient([started[0][1], free_target], deadline_seconds=5)
    all_busy = RecognitionClient([address for _, address in started], deadline_seconds=5)
    try:
        # A busy replica refuses before doing any work, so the other one answers.
        for _ in range(4):
            assert (await client.identify("tok", b"img")).faces[0].person_id == "3"
        with pytest.raises(ApiError) as caught:
            await all_busy.identify("tok", b"img")
        assert (caught.value.status, caught.value.code) == (503, "recognition_busy")
        assert caught.value.headers["Retry-After"] == "1"
        assert sum(len(s.calls) for s in busy) >= 3  # the all-busy call tried both replicas
    finally:
        await client.close()
        await all_busy.close()
        for server, _ in started:
            await server.stop(0)
        await free_server.stop(0)


async def test_readiness_is_down_when_no_replica_answers() -> None:
    client = RecognitionClient([f"127.0.0.1:{free_port()}"], deadline_seconds=2)
    assert await client.readiness() == "down"
    await client.close()


async def test_a_replica_back_after_a_long_outage_is_used_within_two_seconds() -> None:
    """Issue 17 item 18: gRPC's default reconnect backoff grows to two minutes, so after a long
    outage the gateway kept answering 503 for many seconds after recognition was ready."""
    servicer, health, server, target = await _with_health("1")
    port = int(target.rsplit(":", 1)[1])
    client = RecognitionClient([target], deadline_seconds=2)
    try:
        await client.identify("tok", b"img")
        await server.stop(0)
        outage_ends = time.monotonic() + 20
        while time.monotonic() < outage_ends:  # callers keep trying during the outage
            with pytest.raises(ApiError):
                await client.identify("tok", b"img")
            await asyncio.sleep(0.5)
        server, _ = await _serve(servicer, health, port=port)
        back = time.monotonic()
        while True:
            try:
                await client.identify("tok", b"img")
                break
            except ApiError:
                assert time.monotonic() - back < 2.5, "still 503 2.5 s after recognition was back"
                await asyncio.sleep(0.1)
    finally:
        await client.close()
        await server.stop(0)


async def test_busy_is_retried_once_with_a_single_target() -> None:
    """Compose and Kubernetes give one `dns:///` target: the retry goes out on that channel
    (round-robin moves it to another address), it is not skipped."""
    servicer = ScriptedRecognition("1", fail_with=grpc.StatusCode.RESOURCE_EXHAUSTED,
                                   details="busy", failures=1)
    server, target = await _serve(servicer)
    client = RecognitionClient([target], deadline_seconds=5)
    try:
        assert (await client.identify("tok", b"img")).faces[0].person_id == "1"
        assert len(servicer.calls) == 2
    finally:
        await client.close()
        await server.stop(0)


async def test_the_retry_gets_what_is_left_of_one_deadline_not_a_second_one() -> None:
    slow_busy = [ScriptedRecognition(n, delay=1.0, fail_with=grpc.StatusCode.RESOURCE_EXHAUSTED,
                                     details="busy") for n in ("1", "2")]
    started = [await _serve(s) for s in slow_busy]
    client = RecognitionClient([address for _, address in started], deadline_seconds=1.5)
    try:
        began = time.monotonic()
        with pytest.raises(ApiError) as caught:
            await client.identify("tok", b"img")
        elapsed = time.monotonic() - began
        assert caught.value.status == 503
        assert elapsed < 1.8, f"answered after {elapsed:.2f} s with a 1.5 s deadline"
    finally:
        await client.close()
        for server, _ in started:
            await server.stop(0)


async def test_erasure_and_lists_reach_a_saturated_replica() -> None:
    """NOT_SERVING means "no photos now": erasing someone's faces, listing them and the gallery
    stats analyse no photo and must not wait for the morning rush to end."""
    servicer, _, server, target = await _with_health("1", NOT_SERVING)
    client = RecognitionClient([target], deadline_seconds=5)
    try:
        assert await client.delete_faces("tok", "7") == 3
        assert [f.face_id for f in (await client.list_faces("tok", "7")).faces] == ["f1"]
        with pytest.raises(ApiError) as caught:  # a photo still waits for readiness
            await client.identify("tok", b"img")
        assert caught.value.code == "recognition_unavailable"
        assert servicer.calls == []
    finally:
        await client.close()
        await server.stop(0)
