"""gRPC client of the recognition replicas: round-robin, deadlines, one retry on UNAVAILABLE only.

Only UNAVAILABLE is retried (the call never reached a working server, so repeating it cannot
enrol twice); every other status is answered as it is.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from faceclock_common.errors import ApiError
from faceclock_common.logging import request_id_var
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc

T = TypeVar("T")
Metadata = list[tuple[str, str]]
Invocation = Callable[[pb_grpc.RecognitionStub, Metadata], Awaitable[T]]

_CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", 16 * 1024 * 1024),
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    # With a dns:/// target (a headless Kubernetes service) spread calls over every address.
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.enable_retries", 0),
]


class RecognitionClient:
    def __init__(self, targets: list[str], deadline_seconds: float) -> None:
        if not targets:
            raise ValueError("at least one recognition target is required")
        self.deadline = deadline_seconds
        self._channels = [aio.insecure_channel(t, options=_CHANNEL_OPTIONS) for t in targets]
        self._stubs = [pb_grpc.RecognitionStub(c) for c in self._channels]
        self._next = itertools.cycle(range(len(self._stubs)))

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()

    async def _call(self, token: str, invoke: Invocation[T]) -> T:
        metadata = [("authorization", f"Bearer {token}"), ("x-request-id", request_id_var.get())]
        last_error: aio.AioRpcError | None = None
        for _ in range(2):  # the second try goes to the next replica
            stub = self._stubs[next(self._next)]
            try:
                return await invoke(stub, metadata)
            except aio.AioRpcError as exc:
                last_error = exc
                if exc.code() != grpc.StatusCode.UNAVAILABLE:
                    raise _to_api_error(exc) from exc
        assert last_error is not None
        raise _to_api_error(last_error) from last_error

    async def enroll(self, token: str, person_id: str, image: bytes) -> pb.EnrollResponse:
        request = pb.EnrollRequest(person_id=person_id, image=image)
        return await self._call(token, lambda s, md: s.Enroll(request, timeout=self.deadline, metadata=md))

    async def identify(self, token: str, image: bytes) -> pb.IdentifyResponse:
        request = pb.IdentifyRequest(image=image)
        return await self._call(token, lambda s, md: s.Identify(request, timeout=self.deadline, metadata=md))

    async def verify(self, token: str, person_id: str, image: bytes) -> pb.VerifyResponse:
        request = pb.VerifyRequest(person_id=person_id, image=image)
        return await self._call(token, lambda s, md: s.Verify(request, timeout=self.deadline, metadata=md))

    async def list_faces(self, token: str, person_id: str) -> pb.ListFacesResponse:
        request = pb.ListFacesRequest(person_id=person_id)
        return await self._call(token, lambda s, md: s.ListFaces(request, timeout=self.deadline, metadata=md))

    async def delete_faces(self, token: str, person_id: str, face_ids: list[str] | None = None) -> int:
        request = pb.DeleteFacesRequest(person_id=person_id, face_ids=face_ids or [])
        response = await self._call(
            token, lambda s, md: s.DeleteFaces(request, timeout=self.deadline, metadata=md))
        return int(response.deleted)

    async def any_serving(self) -> bool:
        """Readiness: at least one replica answers the health protocol with SERVING."""
        for channel in self._channels:
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=2)
            except aio.AioRpcError:
                continue
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                return True
        return False


def _to_api_error(exc: aio.AioRpcError) -> ApiError:
    code = exc.code()
    details = exc.details() or ""
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return ApiError(503, "recognition_unavailable",
                        "Face recognition is unavailable right now; try again shortly.")
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        reason, _, message = details.partition(":")
        if reason.strip() and reason.strip().replace("_", "").isalpha() and message:
            return ApiError(422, reason.strip(), message.strip())
        return ApiError(422, "bad_image", details or "The photo could not be used.")
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return ApiError(401, "unauthorized", "Recognition refused the access token.")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return ApiError(403, "forbidden", "Your role does not allow this.")
    if code == grpc.StatusCode.NOT_FOUND:
        return ApiError(404, "not_found", details or "Not found.")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return ApiError(429, "rate_limited", "Recognition is busy; try again shortly.")
    return ApiError(502, "recognition_error", "Face recognition failed.")
