"""The gRPC face of the Recognizer: validation, threads for CPU work, proto mapping."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import numpy as np
from grpc import aio

from faceclock_proto.errors import refuse
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.encoder import FaceBox
from recognition_svc.imaging import BadImage
from recognition_svc.liveness.burst import BurstAnalysis
from recognition_svc.matching import Decision, agree, confidence
from recognition_svc.metrics import Metrics
from recognition_svc.pipeline import Analyser, Analysis, Overloaded, WorkerLost
from recognition_svc.recognizer import Recognizer

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PERSON_ID = 64
MAX_FACE_IDS = 100
# A scope is a site's or department's people; identify refuses large galleries anyway.
MAX_SCOPE = 100_000
# At least this many of a liveness burst's encoded frames must show the face to the encoder too.
MIN_ENCODED_FRAMES = 2


def _box(box: FaceBox | None) -> pb.FaceBox | None:
    if box is None:
        return None
    return pb.FaceBox(top=box.top, right=box.right, bottom=box.bottom, left=box.left)


class RecognitionServicer(pb_grpc.RecognitionServicer):
    def __init__(self, *, recognizer: Recognizer, analyser: Analyser, metrics: Metrics,
                 on_change: Callable[[int], Awaitable[None]],
                 load_state: Callable[[], str]) -> None:
        self.recognizer = recognizer
        self.analyser = analyser
        self.metrics = metrics
        self.on_change = on_change
        self.load_state = load_state

    async def _ready(self, context: aio.ServicerContext) -> None:
        """Until the index is loaded every RPC is UNAVAILABLE, so callers retry elsewhere
        instead of matching against a partial gallery."""
        if not self.recognizer.loaded:
            await refuse(context, grpc.StatusCode.UNAVAILABLE, "loading",
                         "The index is not loaded yet")

    async def _analyse(self, context: aio.ServicerContext, image: bytes, *,
                       quality: bool) -> Analysis:
        try:
            return await self.analyser.analyse(image, quality=quality,
                                               deadline=self._deadline(context))
        except (BadImage, Overloaded, WorkerLost) as exc:
            await refuse(context, *self._refusal_for(exc), str(exc))

    async def _analyse_burst(self, context: aio.ServicerContext, frames: list[bytes],
                             steps: list[str]) -> BurstAnalysis:
        try:
            return await self.analyser.analyse_burst(frames, steps=steps,
                                                     deadline=self._deadline(context))
        except (BadImage, Overloaded, WorkerLost) as exc:
            await refuse(context, *self._refusal_for(exc), str(exc))
        except ValueError as exc:
            await refuse(context, grpc.StatusCode.INVALID_ARGUMENT, "bad_challenge", str(exc))

    @staticmethod
    def _refusal_for(exc: BadImage | Overloaded | WorkerLost) -> tuple[grpc.StatusCode, str]:
        """The status and reason an analysis failure travels as."""
        if isinstance(exc, BadImage):
            code, reason = grpc.StatusCode.INVALID_ARGUMENT, "bad_image"
        elif isinstance(exc, Overloaded):
            # Shed load at once rather than let the caller time out: it can go elsewhere.
            code, reason = grpc.StatusCode.RESOURCE_EXHAUSTED, "busy"
        else:
            # Not UNAVAILABLE: the photo itself may have killed the worker, so it is not retried
            # on another replica.
            code, reason = grpc.StatusCode.ABORTED, "worker_lost"
        return code, reason

    @staticmethod
    def _deadline(context: aio.ServicerContext) -> float | None:
        """The caller's deadline in `time.monotonic()` seconds (None: it set none)."""
        remaining = context.time_remaining()
        return None if remaining is None else time.monotonic() + remaining

    @staticmethod
    async def _run(fn: Callable[[], T]) -> T:
        """Index and database work, off the event loop."""
        return await asyncio.to_thread(fn)

    async def _person_id(self, value: str, context: aio.ServicerContext) -> str:
        person_id = value.strip()
        if not person_id or len(person_id) > MAX_PERSON_ID:
            await refuse(context, grpc.StatusCode.INVALID_ARGUMENT, "bad_person_id",
                         f"1 to {MAX_PERSON_ID} characters expected")
        return person_id

    async def Enroll(self, request: pb.EnrollRequest,
                     context: aio.ServicerContext) -> pb.EnrollResponse:
        await self._ready(context)
        person_id = await self._person_id(request.person_id, context)
        analysis = await self._analyse(context, request.image, quality=True)
        try:
            result = await self._run(lambda: self.recognizer.enroll(
                person_id=person_id, analysis=analysis))
        except TimeoutError as exc:  # other enrolments held the deployment-wide lock too long
            await refuse(context, grpc.StatusCode.RESOURCE_EXHAUSTED, "busy", str(exc))
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
        response.lookalike = result.lookalike
        if result.refusal is not None:
            response.refusal.CopyFrom(pb.Refusal(code=result.refusal.code,
                                                 message=result.refusal.message))
        return response

    async def Identify(self, request: pb.IdentifyRequest,
                       context: aio.ServicerContext) -> pb.IdentifyResponse:
        await self._ready(context)
        if request.threshold < 0 or math.isnan(request.threshold):
            await refuse(context, grpc.StatusCode.INVALID_ARGUMENT, "bad_threshold",
                         "Threshold must be 0 (calibrated) or positive")
        scope = await self._scope(request, context)
        recognizer = self.recognizer
        if request.within_identify_limit:
            await self._within_identify_limit(scope, context)
        analysis = await self._analyse(context, request.image, quality=False)
        result = await self._run(lambda: recognizer.identify(
            analysis=analysis, requested_threshold=request.threshold, scope=scope))
        self.metrics.faces_per_photo.observe(len(result.faces))
        response = pb.IdentifyResponse(image_width=result.width, image_height=result.height,
                                       threshold=result.threshold,
                                       gallery_faces=result.gallery_faces)
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

    async def _within_identify_limit(self, scope: list[str] | None,
                                     context: aio.ServicerContext) -> None:
        """Aborts (before any photo is looked at) when the gallery is too large for 1:N."""
        recognizer = self.recognizer
        searched = await self._run(lambda: recognizer.gallery_faces(scope))
        limit = recognizer.policy.identify_limit
        if searched > limit:
            await refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "gallery_too_large",
                         (f"{searched} enrolled samples; 1:N keeps false matches "
                f"at {recognizer.policy.target_fpir:g} per attempt only up to {limit}"))

    async def _scope(self, request: pb.IdentifyRequest | pb.StatsRequest,
                     context: aio.ServicerContext) -> list[str] | None:
        if not request.HasField("scope"):
            return None
        return await self._checked_scope(list(request.scope.person_ids), context)

    @staticmethod
    async def _checked_scope(person_ids: list[str], context: aio.ServicerContext) -> list[str]:
        if len(person_ids) > MAX_SCOPE or any(not p or len(p) > MAX_PERSON_ID
                                              for p in person_ids):
            await refuse(context, grpc.StatusCode.INVALID_ARGUMENT, "bad_scope",
                         (f"At most {MAX_SCOPE} person ids of 1 to {MAX_PERSON_ID} characters"))
        return person_ids

    async def Verify(self, request: pb.VerifyRequest,
                     context: aio.ServicerContext) -> pb.VerifyResponse:
        await self._ready(context)
        person_id = await self._person_id(request.person_id, context)
        analysis = await self._analyse(context, request.image, quality=False)
        result = await self._run(lambda: self.recognizer.verify(
            person_id=person_id, analysis=analysis))
        return pb.VerifyResponse(match=result.match, distance=result.distance,
                                 face_found=result.face_found, threshold=result.threshold,
                                 confidence=confidence(result.distance, result.threshold)
                                 if result.match else 0.0, faces=result.faces)

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
            await refuse(context, grpc.StatusCode.INVALID_ARGUMENT, "bad_face_ids",
                         f"At most {MAX_FACE_IDS} face ids of 36 characters")
        deleted, change_id = await self._run(lambda: self.recognizer.delete_faces(
            person_id=person_id, face_ids=face_ids))
        if change_id:
            await self.on_change(change_id)
            self._gauge_index()
        return pb.DeleteFacesResponse(deleted=deleted)

    async def Stats(self, request: pb.StatsRequest,
                    context: aio.ServicerContext) -> pb.StatsResponse:
        await self._ready(context)
        scope = await self._scope(request, context)
        r = self.recognizer
        policy = r.policy
        scope_faces = await self._run(lambda: r.gallery_faces(scope))
        scope_threshold = policy.for_gallery(scope_faces)
        return pb.StatsResponse(
            faces=len(r.index), persons=r.index.persons, index_type=r.index.kind,
            applied_change_id=r.applied_change_id, threshold=r.settings.threshold,
            encoder=r.encoder_name, target_fpir=policy.target_fpir,
            identify_limit_faces=policy.identify_limit, scope_faces=scope_faces,
            scope_threshold=scope_threshold or 0.0,
            scope_fnir=policy.genuine_failure_rate(scope_threshold),
            verify_threshold=policy.for_gallery(1) or 0.0,
            identify_max_fnir=policy.identify_max_fnir,
            calibration_source=policy.calibration.source.get("dataset", ""),
            load_state=self.load_state(), pending_photos=self.analyser.pending,
            max_pending_photos=self.analyser.max_pending, workers=self.analyser.workers,
            worker_mode=self.analyser.mode)

    async def CheckLiveness(self, request: pb.CheckLivenessRequest,
                            context: aio.ServicerContext) -> pb.CheckLivenessResponse:
        await self._ready(context)
        scope = None
        if request.HasField("identify_scope"):
            scope = await self._checked_scope(list(request.identify_scope.person_ids), context)
            await self._within_identify_limit(scope, context)
        frames = list(request.frames)
        burst = await self._analyse_burst(context, frames, list(request.steps))
        response = pb.CheckLivenessResponse(frames=len(frames),
                                            frames_with_face=burst.frames_with_face)
        refusal = (burst.verdict.code, burst.verdict.message) if not burst.verdict.live \
            else self._one_person(burst)
        self.metrics.liveness.labels(refusal[0] if refusal else "live").inc()
        if refusal is not None:
            response.refusal, response.message = refusal
            return response
        response.live = True
        response.best_frame = burst.best_frame
        if scope is not None:
            decision, agreeing = await self._run(lambda: self._agreed(burst, scope))
            outcome = "ambiguous" if decision.ambiguous else (
                "unknown" if decision.unknown else "matched")
            self.metrics.identified.labels(outcome).inc()
            response.match.CopyFrom(pb.FaceMatch(
                person_id=decision.person_id, distance=decision.distance,
                confidence=decision.confidence, ambiguous=decision.ambiguous,
                candidates=[pb.PersonMatch(person_id=c.person_id, distance=c.distance)
                            for c in decision.candidates]))
            response.agreeing_frames = agreeing
        return response

    def _agreed(self, burst: BurstAnalysis, scope: list[str]) -> tuple[Decision, int]:
        """Each encoded frame identified within the scope, then the frames' agreed answer."""
        decisions = []
        for faces in burst.encoded:
            if len(faces) == 1:
                result = self.recognizer.identify(analysis=Analysis(faces, 0, 0), scope=scope)
                decisions.append(result.faces[0].decision)
        return agree(decisions, needed=MIN_ENCODED_FRAMES)

    def _one_person(self, burst: BurstAnalysis) -> tuple[str, str] | None:
        """The encoded frames must show one person: every two encodings within the calibrated
        1:1 threshold (a burst that swaps a photo for a live accomplice is refused)."""
        single = [faces[0].encoding for faces in burst.encoded if len(faces) == 1]
        if len(single) < MIN_ENCODED_FRAMES:
            return "no_face", "The face was not clear enough in the burst's frames."
        vectors = np.vstack(single)
        spread = float(np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=2).max())
        threshold = self.recognizer.policy.for_gallery(1)
        if threshold is None or spread > threshold:
            return "different_faces", "The burst shows more than one person."
        return None

    def _gauge_index(self) -> None:
        self.metrics.index_size.set(len(self.recognizer.index))
        self.metrics.persons.set(self.recognizer.index.persons)
        self.metrics.applied_change.set(self.recognizer.applied_change_id)
