"""The gRPC face of the Recognizer: validation, threads for CPU work, proto mapping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
from grpc import aio

from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.encoder import FaceBox
from recognition_svc.imaging import BadImage
from recognition_svc.matching import effective_threshold
from recognition_svc.metrics import Metrics
from recognition_svc.pipeline import Analyser, Analysis
from recognition_svc.recognizer import Recognizer

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PERSON_ID = 64
MAX_FACE_IDS = 100


def _box(box: FaceBox | None) -> pb.FaceBox | None:
    if box is None:
        return None
    return pb.FaceBox(top=box.top, right=box.right, bottom=box.bottom, left=box.left)


class RecognitionServicer(pb_grpc.RecognitionServicer):
    def __init__(self, *, recognizer: Recognizer, analyser: Analyser, metrics: Metrics,
                 on_change: Callable[[int], Awaitable[None]]) -> None:
        self.recognizer = recognizer
        self.analyser = analyser
        self.metrics = metrics
        self._pending = 0  # photos being analysed or queued (event-loop only, no lock needed)
        self.on_change = on_change

    async def _ready(self, context: aio.ServicerContext) -> None:
        """Until the index is loaded every RPC is UNAVAILABLE, so callers retry elsewhere
        instead of matching against a partial gallery."""
        if not self.recognizer.loaded:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "loading: the index is not loaded yet")

    async def _analyse(self, context: aio.ServicerContext, image: bytes, *,
                       quality: bool) -> Analysis:
        # Shed load rather than queue without bound: a caller told "busy" can go elsewhere.
        if self._pending >= self.recognizer.settings.max_pending:
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                "busy: too many photos waiting to be analysed")
        self._pending += 1
        try:
            return await self.analyser.analyse(image, quality=quality)
        except BadImage as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad_image: {exc}")
            raise  # unreachable: abort raises
        finally:
            self._pending -= 1

    @staticmethod
    async def _run(fn: Callable[[], T]) -> T:
        """Index and database work, off the event loop."""
        return await asyncio.to_thread(fn)

    async def _person_id(self, value: str, context: aio.ServicerContext) -> str:
        person_id = value.strip()
        if not person_id or len(person_id) > MAX_PERSON_ID:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                                f"bad_person_id: 1 to {MAX_PERSON_ID} characters expected")
        return person_id

    async def Enroll(self, request: pb.EnrollRequest,
                     context: aio.ServicerContext) -> pb.EnrollResponse:
        await self._ready(context)
        person_id = await self._person_id(request.person_id, context)
        analysis = await self._analyse(context, request.image, quality=True)
        result = await self._run(lambda: self.recognizer.enroll(
            person_id=person_id, analysis=analysis))
        if result.change_id:
            await self.on_change(result.change_id)
            self._gauge_index()
        response = pb.EnrollResponse(
            face_id=result.face_id,
            quality=pb.SampleQuality(face_width_px=result.face_width_px,
                                     sharpness=result.sharpness,
                                     nearest_own_distance=result.nearest_own_distance),
            resembles=[pb.PersonMatch(person_id=c.person_id, distance=c.distance)
                       for c in result.resembles],
        )
        if result.box is not None:
            response.box.CopyFrom(_box(result.box))
        if result.refusal is not None:
            response.refusal.CopyFrom(pb.Refusal(code=result.refusal.code,
                                                 message=result.refusal.message))
        return response

    async def Identify(self, request: pb.IdentifyRequest,
                       context: aio.ServicerContext) -> pb.IdentifyResponse:
        await self._ready(context)
        try:
            threshold = effective_threshold(request.threshold, self.recognizer.settings.threshold)
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad_threshold: {exc}")
        analysis = await self._analyse(context, request.image, quality=False)
        result = await self._run(lambda: self.recognizer.identify(
            analysis=analysis, threshold=threshold))
        self.metrics.faces_per_photo.observe(len(result.faces))
        response = pb.IdentifyResponse(image_width=result.width, image_height=result.height)
        for face in result.faces:
            d = face.decision
            outcome = "ambiguous" if d.ambiguous else ("unknown" if d.unknown else "matched")
            self.metrics.identified.labels(outcome).inc()
            response.faces.append(pb.FaceMatch(
                box=_box(face.box), person_id=d.person_id, distance=d.distance,
                confidence=d.confidence, ambiguous=d.ambiguous,
                candidates=[pb.PersonMatch(person_id=c.person_id, distance=c.distance)
                            for c in d.candidates],
            ))
        return response

    async def Verify(self, request: pb.VerifyRequest,
                     context: aio.ServicerContext) -> pb.VerifyResponse:
        await self._ready(context)
        person_id = await self._person_id(request.person_id, context)
        analysis = await self._analyse(context, request.image, quality=False)
        result = await self._run(lambda: self.recognizer.verify(
            person_id=person_id, analysis=analysis))
        return pb.VerifyResponse(match=result.match, distance=result.distance,
                                 face_found=result.face_found)

    async def ListFaces(self, request: pb.ListFacesRequest,
                        context: aio.ServicerContext) -> pb.ListFacesResponse:
        await self._ready(context)
        person_id = await self._person_id(request.person_id, context)
        stored = await self._run(lambda: self.recognizer.list_faces(person_id=person_id))
        response = pb.ListFacesResponse()
        for face in stored:
            record = response.faces.add(face_id=face.face_id)
            record.created_at.FromDatetime(face.created_at)
        return response

    async def DeleteFaces(self, request: pb.DeleteFacesRequest,
                          context: aio.ServicerContext) -> pb.DeleteFacesResponse:
        await self._ready(context)
        person_id = await self._person_id(request.person_id, context)
        face_ids = list(request.face_ids)
        if len(face_ids) > MAX_FACE_IDS or any(len(f) > 36 or not f for f in face_ids):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                                f"bad_face_ids: at most {MAX_FACE_IDS} face ids of 36 characters")
        deleted, change_id = await self._run(lambda: self.recognizer.delete_faces(
            person_id=person_id, face_ids=face_ids))
        if change_id:
            await self.on_change(change_id)
            self._gauge_index()
        return pb.DeleteFacesResponse(deleted=deleted)

    async def Stats(self, request: pb.StatsRequest,
                    context: aio.ServicerContext) -> pb.StatsResponse:
        await self._ready(context)
        r = self.recognizer
        return pb.StatsResponse(faces=len(r.index), persons=r.index.persons,
                                index_type=r.index.kind, applied_change_id=r.applied_change_id,
                                threshold=r.settings.threshold, encoder=r.encoder_name)

    def _gauge_index(self) -> None:
        self.metrics.index_size.set(len(self.recognizer.index))
        self.metrics.persons.set(self.recognizer.index.persons)
        self.metrics.applied_change.set(self.recognizer.applied_change_id)
