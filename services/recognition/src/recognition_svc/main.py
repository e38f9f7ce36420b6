"""The app factory: every long-lived resource is built here and injected, nothing at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio

from faceclock_common.db import make_engine, make_session_factory, run_migrations
from faceclock_common.security import JwksKeyStore, TokenVerifier
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.auth import AuthInterceptor
from recognition_svc.calibration import ThresholdPolicy
from recognition_svc.config import SERVICE_NAME, Settings
from recognition_svc.crypto import EncodingCipher
from recognition_svc.encoder import encoder_calibration, encoder_dimension, encoder_label
from recognition_svc.index import FaceIndex
from recognition_svc.metrics import Metrics
from recognition_svc.pipeline import (
    Analyser,
    Detection,
    EncoderPool,
    Limits,
    ProcessAnalyser,
    ThreadAnalyser,
)
from recognition_svc.recognizer import Recognizer
from recognition_svc.servicer import RecognitionServicer

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
MAX_MESSAGE_BYTES = 20 * 1024 * 1024
PRUNE_EVERY_SECONDS = 3600.0
LOAD_CHECK_SECONDS = 0.25


def threshold_policy(settings: Settings, encoder_name: str) -> ThresholdPolicy:
    """The operator's targets over the encoder's calibration (refuses to start without one)."""
    return ThresholdPolicy(calibration=encoder_calibration(encoder_name, settings.calibration_path),
                           target_fpir=settings.target_fpir,
                           identify_max_fnir=settings.identify_max_fnir,
                           ceiling=settings.threshold)


def migrate(settings: Settings) -> None:
    run_migrations(MIGRATIONS, settings.database_url)


class RecognitionApp:
    """One replica: a grpc.aio server, its index, and the task that follows the change log."""

    def __init__(self, settings: Settings, *, encoders: EncoderPool | None = None) -> None:
        settings.check_production_safety()
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.metrics = Metrics()
        self.analyser = self._analyser(settings, encoders)
        encoder_name = encoder_label(settings.encoder, settings.onnx_model_path)
        self.recognizer = Recognizer(
            settings=settings,
            session_factory=make_session_factory(self.engine),
            cipher=EncodingCipher(settings.encryption_key_bytes()),
            encoder_name=encoder_name,
            index=FaceIndex(encoder_dimension(settings.encoder, settings.onnx_model_path),
                            approximate_above=settings.approximate_above,
                            probe_fraction=settings.probe_fraction),
            policy=threshold_policy(settings, encoder_name),
        )
        verifier = TokenVerifier(JwksKeyStore(settings.jwks_url), issuer=settings.jwt_issuer,
                                 audience=settings.jwt_audience)
        self.health = health_aio.HealthServicer()
        self.server = aio.server(
            interceptors=[AuthInterceptor(verifier, self.metrics)],
            options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                     ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)],
        )
        self.servicer = RecognitionServicer(recognizer=self.recognizer, analyser=self.analyser,
                                            metrics=self.metrics, on_change=self._changed,
                                            load_state=lambda: self.load_state)
        pb_grpc.add_RecognitionServicer_to_server(self.servicer, self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.port = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._redis = None
        if settings.redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(settings.redis_url)

    @staticmethod
    def _analyser(settings: Settings, encoders: EncoderPool | None) -> Analyser:
        """Worker processes, unless configured to 0 or given encoders to share (tests)."""
        limits = Limits(max_pixels=settings.max_image_pixels, max_bytes=settings.max_image_bytes,
                        max_side=settings.max_image_side,
                        max_aspect_ratio=settings.max_image_aspect_ratio)
        detection = Detection(settings.encoder, settings.detect_short_side,
                              settings.detect_max_pixels, settings.onnx_model_path)
        if settings.encode_processes and encoders is None:
            return ProcessAnalyser(detection, limits, processes=settings.encode_processes,
                                   max_pending=settings.max_pending,
                                   time_limit=settings.analysis_time_limit)
        return ThreadAnalyser(encoders or EncoderPool(detection.build), limits,
                              threads=settings.encode_threads, max_pending=settings.max_pending,
                              time_limit=settings.analysis_time_limit)

    async def start(self) -> int:
        """Listen at once (NOT_SERVING), load the index, then report SERVING."""
        for name in ("", SERVICE_NAME):
            await self.health.set(name, NOT_SERVING)
        self.port = self.server.add_insecure_port(f"{self.settings.host}:{self.settings.port}")
        await self.server.start()
        if self.settings.metrics_port:
            self.metrics.serve(self.settings.metrics_port, self.settings.host)
        await asyncio.gather(self.analyser.start(), asyncio.to_thread(self.recognizer.load))
        self.metrics.index_size.set(len(self.recognizer.index))
        self.metrics.persons.set(self.recognizer.index.persons)
        self._tasks.append(asyncio.create_task(self._follow()))
        if self._redis is not None:
            self._tasks.append(asyncio.create_task(self._listen()))
        await self._show(self.load_state)
        self._tasks.append(asyncio.create_task(self._watch_load()))
        logger.info("recognition serving", extra={"port": self.port})
        return self.port

    @property
    def load_state(self) -> str:
        """`loading`, `serving`, `saturated` (max_pending photos waiting or in analysis) or
        `stalled` (an analysis has run past the time limit)."""
        if not self.recognizer.loaded:
            return "loading"
        if self.analyser.stalled:
            return "stalled"
        if self.analyser.saturated:
            return "saturated"
        return "serving"

    async def _show(self, state: str) -> None:
        """Readiness (the service's name) is SERVING only when photos can be taken now; liveness
        ("") stays SERVING under load, so a busy replica is not restarted, only a stuck one."""
        await self.health.set(SERVICE_NAME, SERVING if state == "serving" else NOT_SERVING)
        await self.health.set("", NOT_SERVING if state in ("loading", "stalled") else SERVING)

    async def _watch_load(self) -> None:
        shown = self.load_state
        while True:
            await asyncio.sleep(LOAD_CHECK_SECONDS)
            state = self.load_state
            self.metrics.pending.set(self.analyser.pending)
            if state != shown:
                logger.warning("recognition load state changed", extra={
                    "from_state": shown, "to_state": state, "pending": self.analyser.pending})
                await self._show(state)
                shown = state

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking calls, let in-flight ones finish within `grace`, then release everything."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.settings.shutdown_grace if grace is None else grace)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.settings.snapshot_path and self.recognizer.loaded:
            try:
                await asyncio.to_thread(self.recognizer.save_snapshot)
            except Exception:  # shutting down must not fail on a full disk
                logger.exception("index snapshot at shutdown failed")
        if self._redis is not None:
            await self._redis.aclose()
        self.analyser.close()
        await asyncio.to_thread(self.recognizer.index.wait_for_rebuild)
        self.metrics.close()
        self.engine.dispose()

    async def wait_for_termination(self) -> None:
        await self.server.wait_for_termination()

    async def _changed(self, change_id: int) -> None:
        """Tell the other replicas at once; they also poll, so a lost message only delays."""
        if self._redis is None:
            return
        try:
            await self._redis.publish(self.settings.notify_channel, str(change_id))
        except Exception:  # Redis down must not fail an enrolment: polling covers it
            logger.warning("could not publish change notification", exc_info=True)

    async def _follow(self) -> None:
        last_snapshot = last_prune = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_interval)
            self._wake.clear()
            try:
                if await asyncio.to_thread(self.recognizer.catch_up):
                    self.metrics.index_size.set(len(self.recognizer.index))
                    self.metrics.persons.set(self.recognizer.index.persons)
                self.metrics.applied_change.set(self.recognizer.applied_change_id)
            except Exception:  # a database hiccup must not end the follower
                logger.exception("change-log sync failed")
            if time.monotonic() - last_prune >= PRUNE_EVERY_SECONDS:
                last_prune = time.monotonic()
                try:
                    await asyncio.to_thread(self.recognizer.prune_changes)
                except Exception:
                    logger.exception("change-log pruning failed")
            if (self.settings.snapshot_path
                    and time.monotonic() - last_snapshot >= self.settings.snapshot_interval
                    and self.recognizer.snapshot_change_id != self.recognizer.applied_change_id):
                last_snapshot = time.monotonic()
                try:
                    await asyncio.to_thread(self.recognizer.save_snapshot)
                except Exception:
                    logger.exception("index snapshot failed")

    async def _listen(self) -> None:
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.settings.notify_channel)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("change notifications lost; polling only for now", exc_info=True)
                await asyncio.sleep(2.0)


def create_app(settings: Settings | None = None, *,
               encoders: EncoderPool | None = None) -> RecognitionApp:
    return RecognitionApp(settings or Settings(), encoders=encoders)
