"""gRPC client of the recognition replicas: spread over healthy replicas, shed load promptly.

- Each channel watches its replica's gRPC health for the Recognition service (client-side
  health checking, gRFC A17): a replica that says NOT_SERVING (loading, saturated, stalled,
  shutting down) leaves the rotation at once and rejoins the moment it says SERVING again. A
  `dns:///` target does the same per address. (The server-wide "" status is liveness: it stays
  SERVING under load so that a busy replica is not restarted.)
- Calls go round-robin to replicas whose channel is READY first; the others only when no
  replica is ready (a call on a failing channel fails at once, it does not wait).
- UNAVAILABLE and RESOURCE_EXHAUSTED are retried once, on the next replica where there are
  several targets (with one `dns:///` target, round-robin moves the retry to another address),
  within what is left of the one deadline: the call never reached a working server or was
  refused before any work, so repeating it cannot enrol twice. Every other status is answered
  as it is; ABORTED (the analysing worker died, perhaps of this very photo) is not retried
  here, so one bad photo cannot take down a worker on every replica.
- Unavailable, busy and deadline answers are 503 with Retry-After: a kiosk waits and sends the
  photo again; they are never `rate_limited` (the caller did nothing wrong).
- Reconnect backoff is capped at about a second, so a replica that comes back after a long
  outage is used within a second or two of being ready (the default cap is two minutes).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

import grpc
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from faceclock_common.errors import ApiError, try_later
from faceclock_common.logging import request_id_var
from faceclock_proto.errors import reason_of
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc

T = TypeVar("T")
Metadata = list[tuple[str, str]]
# (stub, metadata, timeout in seconds) -> the call
Invocation = Callable[[pb_grpc.RecognitionStub, Metadata, float], Awaitable[T]]
ReplicaState = Literal["serving", "not_serving", "down"]

# Seconds a client is told to wait: a busy replica frees up within a photo or two; a replica that
# is down is restarted by its supervisor within seconds.
BUSY_RETRY_AFTER = 1
UNAVAILABLE_RETRY_AFTER = 2

# Readiness: "faceclock.recognition.v1.Recognition", SERVING only while photos can be taken now.
READINESS_SERVICE = pb.DESCRIPTOR.services_by_name["Recognition"].full_name
# With a dns:/// target (a headless Kubernetes service) spread calls over every address.
_ROUND_ROBIN: dict[str, object] = {"loadBalancingConfig": [{"round_robin": {}}]}
# Photos go only to backends whose readiness is SERVING.
_SERVICE_CONFIG = json.dumps({**_ROUND_ROBIN,
                              "healthCheckConfig": {"serviceName": READINESS_SERVICE}})
_BACKOFF_OPTIONS = [
    ("grpc.initial_reconnect_backoff_ms", 250),
    ("grpc.min_reconnect_backoff_ms", 250),
    ("grpc.max_reconnect_backoff_ms", 1000),
]
_COMMON_OPTIONS = [
    ("grpc.max_send_message_length", 16 * 1024 * 1024),
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.enable_retries", 0),
    *_BACKOFF_OPTIONS,
]
_CHANNEL_OPTIONS = [*_COMMON_OPTIONS, ("grpc.service_config", _SERVICE_CONFIG)]
# Calls that analyse no photo (erasure, the faces list, gallery stats) and the status probe must
# reach a replica that is saturated: no health filtering on these.
_UNFILTERED_OPTIONS = [*_COMMON_OPTIONS, ("grpc.service_config", json.dumps(_ROUND_ROBIN))]
_RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)


class RecognitionClient:
    def __init__(self, targets: list[str], deadline_seconds: float) -> None:
        if not targets:
            raise ValueError("at least one recognition target is required")
        self.deadline = deadline_seconds
        self._channels = [aio.insecure_channel(t, options=_CHANNEL_OPTIONS) for t in targets]
        self._unfiltered = [aio.insecure_channel(t, options=_UNFILTERED_OPTIONS) for t in targets]
        self._stubs = [pb_grpc.RecognitionStub(c) for c in self._channels]
        self._unfiltered_stubs = [pb_grpc.RecognitionStub(c) for c in self._unfiltered]
        self._next = itertools.cycle(range(len(self._stubs)))

    async def close(self) -> None:
        for channel in (*self._channels, *self._unfiltered):
            await channel.close()

    def _replica_order(self) -> list[int]:
        """Round-robin from the next replica, those with a ready (connected, SERVING) channel
        first. get_state(True) also wakes an idle channel so that it starts connecting."""
        start = next(self._next)
        order = [(start + i) % len(self._stubs) for i in range(len(self._stubs))]
        ready = grpc.ChannelConnectivity.READY
        return sorted(order, key=lambda i: self._channels[i].get_state(try_to_connect=True) != ready)

    async def _call(self, token: str, invoke: Invocation[T], *,
                    deadline_seconds: float | None = None, photo: bool = True) -> T:
        metadata = [("authorization", f"Bearer {token}"), ("x-request-id", request_id_var.get())]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (deadline_seconds or self.deadline)
        stubs = self._stubs if photo else self._unfiltered_stubs
        order = [stubs[i] for i in self._replica_order()]
        for attempt in range(2):
            try:
                return await invoke(order[attempt % len(order)], metadata, deadline - loop.time())
            except aio.AioRpcError as exc:
                if exc.code() not in _RETRIED or attempt == 1 or deadline - loop.time() < 0.05:
                    raise _to_api_error(exc) from exc
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def enroll(self, token: str, person_id: str, image: bytes) -> pb.EnrollResponse:
        request = pb.EnrollRequest(person_id=person_id, image=image)
        return await self._call(token, lambda s, md, t: s.Enroll(request, timeout=t, metadata=md))

    async def identify(self, token: str, image: bytes, *, scope: list[int] | None = None,
                       within_identify_limit: bool = False) -> pb.IdentifyResponse:
        """1:N over the whole gallery, or only over `scope` (employee ids) when given."""
        request = pb.IdentifyRequest(image=image, within_identify_limit=within_identify_limit)
        if scope is not None:
            request.scope.CopyFrom(pb.GalleryScope(person_ids=[str(i) for i in scope]))
        return await self._call(token, lambda s, md, t: s.Identify(request, timeout=t, metadata=md))

    async def stats(self, token: str, *, scope: list[int] | None = None) -> pb.StatsResponse:
        request = pb.StatsRequest()
        if scope is not None:
            request.scope.CopyFrom(pb.GalleryScope(person_ids=[str(i) for i in scope]))
        return await self._call(token, lambda s, md, t: s.Stats(request, timeout=t, metadata=md),
                                photo=False)

    async def verify(self, token: str, person_id: str, image: bytes) -> pb.VerifyResponse:
        request = pb.VerifyRequest(person_id=person_id, image=image)
        return await self._call(token, lambda s, md, t: s.Verify(request, timeout=t, metadata=md))

    async def check_liveness(self, token: str, frames: list[bytes], steps: list[str], *,
                             identify_scope: list[int] | None = None,
                             ) -> pb.CheckLivenessResponse:
        request = pb.CheckLivenessRequest(frames=frames, steps=steps)
        if identify_scope is not None:
            request.identify_scope.CopyFrom(
                pb.GalleryScope(person_ids=[str(i) for i in identify_scope]))
        # A burst is a few dozen landmark passes and three encodings: twice a photo's deadline.
        return await self._call(token, lambda s, md, t: s.CheckLiveness(
            request, timeout=t, metadata=md), deadline_seconds=2 * self.deadline)

    async def list_faces(self, token: str, person_id: str) -> pb.ListFacesResponse:
        request = pb.ListFacesRequest(person_id=person_id)
        return await self._call(
            token, lambda s, md, t: s.ListFaces(request, timeout=t, metadata=md), photo=False)

    async def delete_faces(self, token: str, person_id: str, face_ids: list[str] | None = None) -> int:
        request = pb.DeleteFacesRequest(person_id=person_id, face_ids=face_ids or [])
        response = await self._call(
            token, lambda s, md, t: s.DeleteFaces(request, timeout=t, metadata=md), photo=False)
        return int(response.deleted)

    async def replica_states(self) -> list[ReplicaState]:
        """Each replica's own readiness: SERVING, NOT_SERVING (loading, saturated, stalled,
        shutting down) or no answer within 2 s (down or hung)."""
        async def probe(channel: aio.Channel) -> ReplicaState:
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=READINESS_SERVICE), timeout=2)
            except aio.AioRpcError:
                return "down"
            return "serving" if reply.status == health_pb2.HealthCheckResponse.SERVING else "not_serving"

        return list(await asyncio.gather(*(probe(c) for c in self._unfiltered)))

    async def readiness(self) -> Literal["ready", "degraded", "down"]:
        """ready: every replica serves; degraded: some are saturated, loading or down; down: none
        answers at all."""
        states = await self.replica_states()
        if all(state == "serving" for state in states):
            return "ready"
        return "down" if all(state == "down" for state in states) else "degraded"


def _to_api_error(exc: aio.AioRpcError) -> ApiError:
    code = exc.code()
    reason = reason_of(exc)
    details = exc.details() or ""
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                grpc.StatusCode.ABORTED):
        return try_later(503, "recognition_unavailable",
                            "Face recognition is unavailable right now; try again shortly.",
                            UNAVAILABLE_RETRY_AFTER)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return try_later(503, "recognition_busy", "Face recognition is busy; try again in a moment.",
                            BUSY_RETRY_AFTER)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ApiError(422, reason or "bad_image", details or "The photo could not be used.")
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return ApiError(409, reason or "failed_precondition", details)
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return ApiError(401, "unauthorized", "Recognition refused the access token.")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return ApiError(403, "forbidden", "Your role does not allow this.")
    if code == grpc.StatusCode.NOT_FOUND:
        return ApiError(404, "not_found", details or "Not found.")
    return ApiError(502, "recognition_error", "Face recognition failed.")
