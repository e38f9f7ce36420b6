"""The gateway's recognition client against real gRPC servers on free ports.

The servers here run a small scripted servicer (the real recognition service is exercised by
the end-to-end tests); what is under test is the client's round-robin, retry and error mapping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc import aio

from faceclock_common.errors import ApiError
from faceclock_dev.testing import free_port
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from gateway_svc.recognition_client import RecognitionClient


class ScriptedRecognition(pb_grpc.RecognitionServicer):
    def __init__(self, name: str, *, delay: float = 0.0, fail_with: grpc.StatusCode | None = None,
                 details: str = "") -> None:
        self.name = name
        self.delay = delay
        self.fail_with = fail_with
        self.details = details
        self.calls: list[dict[str, str]] = []

    async def Identify(self, request: pb.IdentifyRequest, context: aio.ServicerContext
                       ) -> pb.IdentifyResponse:
        self.calls.append(dict(context.invocation_metadata() or ()))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_with is not None:
            await context.abort(self.fail_with, self.details)
        return pb.IdentifyResponse(faces=[pb.FaceMatch(person_id=self.name, distance=0.3)])


async def _serve(servicer: ScriptedRecognition) -> tuple[aio.Server, str]:
    server = aio.server()
    pb_grpc.add_RecognitionServicer_to_server(servicer, server)
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server, f"127.0.0.1:{port}"


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


@pytest.mark.parametrize(("code", "details", "status", "error_code"), [
    (grpc.StatusCode.INVALID_ARGUMENT, "bad_image: cannot decode", 422, "bad_image"),
    (grpc.StatusCode.PERMISSION_DENIED, "no", 403, "forbidden"),
    (grpc.StatusCode.UNAUTHENTICATED, "no", 401, "unauthorized"),
    (grpc.StatusCode.INTERNAL, "boom", 502, "recognition_error"),
])
async def test_errors_are_mapped_and_not_retried(code: grpc.StatusCode, details: str, status: int,
                                                 error_code: str) -> None:
    servicer = ScriptedRecognition("1", fail_with=code, details=details)
    server, target = await _serve(servicer)
    client = RecognitionClient([target], deadline_seconds=5)
    with pytest.raises(ApiError) as caught:
        await client.identify("tok", b"img")
    await client.close()
    await server.stop(0)
    assert (caught.value.status, caught.value.code) == (status, error_code)
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
