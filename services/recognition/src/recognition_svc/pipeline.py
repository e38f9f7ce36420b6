"""Where photos are turned into encodings: in worker processes (the default) or in threads.

dlib's objects are not safe to share between threads (its HOG detector releases the GIL; two
threads in one detector gave wrong encodings, then crashed), so every worker, thread or process,
has an encoder of its own. The ResNet descriptor holds the GIL, so threads overlap detection
only; processes run everything in parallel, and a crash in native code costs a pool of workers
instead of the server (figures: bench/recognition_concurrency.py).

Work waits for a worker here, in the event loop, not in an executor's queue: so a photo whose
caller has gone, or whose deadline has passed, is never analysed, and a caller whose photo
cannot be analysed before its deadline is told so at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from recognition_svc.encoder import EncodedFace, FaceEncoder, build_encoder
from recognition_svc.imaging import MAX_ASPECT_RATIO, MAX_SIDE, decode_image
from recognition_svc.liveness.burst import BurstAnalysis, analyse_burst
from recognition_svc.liveness.challenge import LivenessPolicy
from recognition_svc.liveness.landmarks import FaceLandmarker

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Average analysis time assumed before any was measured, and the weight of each new one.
INITIAL_ANALYSIS_SECONDS = 0.3
ANALYSIS_SECONDS_WEIGHT = 0.2
# Time the "busy" answer needs to reach the caller before its deadline does.
ANSWER_MARGIN_SECONDS = 0.25


@dataclass(frozen=True)
class Analysis:
    faces: list[EncodedFace]
    width: int
    height: int


@dataclass(frozen=True)
class Limits:
    max_pixels: int
    max_bytes: int
    max_side: int = MAX_SIDE
    max_aspect_ratio: float = MAX_ASPECT_RATIO


@dataclass(frozen=True)
class Detection:
    """How an encoder is built (a worker process builds its own from this)."""

    encoder: str
    short_side: int
    max_pixels: int
    model_path: str | None = None  # the onnx encoder's model file

    def build(self) -> FaceEncoder:
        return build_encoder(self.encoder, detect_short_side=self.short_side,
                             detect_max_pixels=self.max_pixels, model_path=self.model_path)


class Overloaded(Exception):
    """The photo cannot be analysed before the caller's deadline, or too many are waiting."""


class WorkerLost(Exception):
    """The worker process died (a crash in native code, or killed at the time limit)."""


def analyse(encoder: FaceEncoder, image: bytes, *, limits: Limits, quality: bool) -> Analysis:
    pixels = decode_image(image, max_pixels=limits.max_pixels, max_bytes=limits.max_bytes,
                          max_side=limits.max_side, max_aspect_ratio=limits.max_aspect_ratio)
    faces = encoder.encode(pixels, quality=quality)
    if not faces:
        # A phone photo stored on its side without an EXIF tag: look at it turned both ways
        # (cheapest detection only, so a photo without a face costs little more).
        for quarter_turns in (3, 1):
            turned = np.ascontiguousarray(np.rot90(pixels, quarter_turns))
            faces = encoder.encode(turned, quality=quality, thorough=False)
            if faces:
                pixels = turned
                break
    height, width = pixels.shape[:2]
    return Analysis(faces, width, height)


def burst(encoder: FaceEncoder, landmarker: FaceLandmarker, frames: Sequence[bytes], *,
          steps: Sequence[str], limits: Limits) -> BurstAnalysis:
    return analyse_burst(landmarker, encoder, frames, steps=steps, policy=LivenessPolicy(),
                         max_pixels=limits.max_pixels, max_bytes=limits.max_bytes)


class EncoderPool:
    """Lends each encoder to one caller at a time; builds another only when all are lent, so
    there are never more encoders than callers at once."""

    def __init__(self, factory: Callable[[], FaceEncoder]) -> None:
        self._factory = factory
        self._free: list[FaceEncoder] = []
        self._built = 0
        self._lock = threading.Lock()

    @property
    def built(self) -> int:
        return self._built

    def _build(self) -> FaceEncoder:
        encoder = self._factory()
        with self._lock:
            self._built += 1
        return encoder

    def reserve(self, count: int) -> None:
        """Build encoders now until `count` exist (the models load before the first photo)."""
        while self._built < count:
            encoder = self._build()
            with self._lock:
                self._free.append(encoder)

    @contextlib.contextmanager
    def borrow(self) -> Iterator[FaceEncoder]:
        with self._lock:
            encoder = self._free.pop() if self._free else None
        if encoder is None:
            encoder = self._build()
        try:
            yield encoder
        finally:
            with self._lock:
                self._free.append(encoder)


class BaseAnalyser:
    """Admission and accounting shared by both kinds of worker."""

    mode = ""

    def __init__(self, limits: Limits, *, workers: int, max_pending: int,
                 time_limit: float) -> None:
        self.limits = limits
        self.workers = workers
        self.max_pending = max_pending
        self.time_limit = time_limit
        self.pending = 0  # photos waiting or being analysed (event-loop only, no lock needed)
        self.expected_seconds = INITIAL_ANALYSIS_SECONDS
        self._running: dict[int, float] = {}  # analysis number → monotonic start
        self._numbers = itertools.count()
        self._slots: asyncio.Semaphore | None = None

    @property
    def saturated(self) -> bool:
        return self.pending >= self.max_pending

    @property
    def stalled(self) -> bool:
        """An analysis has run past the time limit (a worker stuck in native code)."""
        now = time.monotonic()
        return any(now - started > self.time_limit for started in self._running.values())

    async def start(self) -> None:
        self._slots = asyncio.Semaphore(self.workers)

    async def analyse(self, image: bytes, *, quality: bool,
                      deadline: float | None = None) -> Analysis:
        """`deadline` is the caller's, in `time.monotonic()` seconds."""
        return await self._admitted(lambda: self._submit(image, quality), deadline)

    async def analyse_burst(self, frames: Sequence[bytes], *, steps: Sequence[str],
                            deadline: float | None = None) -> BurstAnalysis:
        """A liveness burst takes one worker, like one photo."""
        return await self._admitted(lambda: self._submit_burst(list(frames), list(steps)),
                                    deadline)

    async def _admitted(self, submit: Callable[[], Future[T]], deadline: float | None) -> T:
        if self.saturated:
            raise Overloaded("too many photos waiting to be analysed")
        self.pending += 1
        try:
            await self._admit(deadline)
            number = next(self._numbers)
            self._running[number] = time.monotonic()
            loop = asyncio.get_running_loop()
            try:
                future = submit()
            except BaseException:
                self._finished(number)
                raise
            # The worker is free again when the work ends, not when an impatient caller leaves.
            future.add_done_callback(lambda _: self._call_finished(loop, number))
            return await self._result(future)
        finally:
            self.pending -= 1

    async def _admit(self, deadline: float | None) -> None:
        assert self._slots is not None, "start() was not awaited"
        if deadline is None or not self._slots.locked():
            await self._slots.acquire()  # a free worker takes it at once, whatever the deadline
            return
        budget = deadline - time.monotonic() - self.expected_seconds - ANSWER_MARGIN_SECONDS
        waiting = max(0, self.pending - 1 - len(self._running))
        # Workers finish about every expected/workers seconds; the running ones are halfway.
        wait = (waiting / self.workers + 0.5) * self.expected_seconds
        if wait > budget:
            raise Overloaded("the queue cannot be worked off before the deadline")
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=budget)
        except TimeoutError as exc:
            raise Overloaded("no worker became free before the deadline") from exc
        if time.monotonic() >= deadline:
            self._slots.release()
            raise Overloaded("the deadline passed while waiting")

    def _call_finished(self, loop: asyncio.AbstractEventLoop, number: int) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed while a worker ran
            loop.call_soon_threadsafe(self._finished, number)

    def _finished(self, number: int) -> None:
        started = self._running.pop(number, None)
        if started is not None:
            elapsed = time.monotonic() - started
            self.expected_seconds += ANALYSIS_SECONDS_WEIGHT * (elapsed - self.expected_seconds)
        assert self._slots is not None
        self._slots.release()

    def _submit(self, image: bytes, quality: bool) -> Future[Analysis]:
        raise NotImplementedError

    def _submit_burst(self, frames: list[bytes], steps: list[str]) -> Future[BurstAnalysis]:
        raise NotImplementedError

    async def _result(self, future: Future[T]) -> T:
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        raise NotImplementedError


class ThreadAnalyser(BaseAnalyser):
    """Threads of the server process, each analysis with an encoder of its own."""

    mode = "threads"

    def __init__(self, encoders: EncoderPool, limits: Limits, *, threads: int,
                 max_pending: int, time_limit: float) -> None:
        super().__init__(limits, workers=threads, max_pending=max_pending,
                         time_limit=time_limit)
        self.encoders = encoders
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="encode")
        # A LiteRT interpreter must not be shared by two threads: one landmarker per thread.
        self._local = threading.local()

    async def start(self) -> None:
        await super().start()
        await asyncio.to_thread(self.encoders.reserve, self.workers)

    def _analyse(self, image: bytes, quality: bool) -> Analysis:
        with self.encoders.borrow() as encoder:
            return analyse(encoder, image, limits=self.limits, quality=quality)

    def _submit(self, image: bytes, quality: bool) -> Future[Analysis]:
        return self._executor.submit(self._analyse, image, quality)

    def _landmarker(self) -> FaceLandmarker:
        if not hasattr(self._local, "landmarker"):
            self._local.landmarker = FaceLandmarker()
        landmarker: FaceLandmarker = self._local.landmarker
        return landmarker

    def _burst(self, frames: list[bytes], steps: list[str]) -> BurstAnalysis:
        with self.encoders.borrow() as encoder:
            return burst(encoder, self._landmarker(), frames, steps=steps, limits=self.limits)

    def _submit_burst(self, frames: list[bytes], steps: list[str]) -> Future[BurstAnalysis]:
        return self._executor.submit(self._burst, frames, steps)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


# The encoder of a worker process. A process-wide global is the only way a
# ProcessPoolExecutor initializer can hand state to the tasks that run in that process.
_worker_encoder: FaceEncoder | None = None
_worker_landmarker: FaceLandmarker | None = None


def _exit_with_parent(parent_sentinel: int) -> None:
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


def _worker_init(detection: Detection) -> None:
    global _worker_encoder
    # A server killed outright (kill -9, OOM) must not leave its workers behind holding models.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True,
                         name="exit-with-parent").start()
    # Ctrl-C reaches the whole process group: the server decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The time limit is a CPU-time timer whose signal's default action ends the process even
    # inside dlib. CPU time, not wall time: a worker slowed by a busy machine is not killed.
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    _worker_encoder = detection.build()


def _worker_analyse(image: bytes, limits: Limits, quality: bool, time_limit: float) -> Analysis:
    assert _worker_encoder is not None, "worker initializer did not run"
    signal.setitimer(signal.ITIMER_PROF, time_limit)
    try:
        return analyse(_worker_encoder, image, limits=limits, quality=quality)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def _worker_burst(frames: list[bytes], steps: list[str], limits: Limits,
                  time_limit: float) -> BurstAnalysis:
    global _worker_landmarker
    assert _worker_encoder is not None, "worker initializer did not run"
    if _worker_landmarker is None:
        _worker_landmarker = FaceLandmarker()
    signal.setitimer(signal.ITIMER_PROF, time_limit)
    try:
        return burst(_worker_encoder, _worker_landmarker, frames, steps=steps, limits=limits)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def _worker_ready() -> int:
    time.sleep(0.2)  # keep this worker busy so the pool starts the next one
    return os.getpid()


class ProcessAnalyser(BaseAnalyser):
    """Spawned worker processes, each with its own models. A worker that dies (a crash in
    native code, or killed at the time limit) breaks its pool: the pool is replaced, the photos
    it held are answered `WorkerLost` (retry), and later photos go to the new pool."""

    mode = "processes"

    def __init__(self, detection: Detection, limits: Limits, *, processes: int,
                 max_pending: int, time_limit: float) -> None:
        super().__init__(limits, workers=processes, max_pending=max_pending,
                         time_limit=time_limit)
        self.detection = detection
        self.replacements = 0
        self._executor = self._new_executor()
        self._warming: set[asyncio.Task[None]] = set()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init, initargs=(self.detection,))

    async def start(self) -> None:
        """Start every worker (and load its models) before the server reports SERVING."""
        await super().start()
        await self._warm(self._executor)

    async def _warm(self, executor: ProcessPoolExecutor) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(executor, _worker_ready)
                               for _ in range(self.workers)))

    def _submit(self, image: bytes, quality: bool) -> Future[Analysis]:
        return self._submit_to_pool(_worker_analyse, image, self.limits, quality,
                                    self.time_limit)

    def _submit_burst(self, frames: list[bytes], steps: list[str]) -> Future[BurstAnalysis]:
        return self._submit_to_pool(_worker_burst, frames, steps, self.limits, self.time_limit)

    def _submit_to_pool(self, fn: Callable[..., T], *args: object) -> Future[T]:
        executor = self._executor
        try:
            return executor.submit(fn, *args)
        except BrokenProcessPool as exc:
            self._replace(executor)
            raise WorkerLost("a worker process died; retry") from exc

    async def _result(self, future: Future[T]) -> T:
        executor = self._executor
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self._replace(executor)
            raise WorkerLost("a worker process died; retry") from exc

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if broken is not self._executor:
            return  # another caller replaced it already
        self.replacements += 1
        logger.error("encoding worker process died; starting a new pool",
                     extra={"replacements": self.replacements})
        self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)
        task = asyncio.get_running_loop().create_task(self._warm_quietly(self._executor))
        self._warming.add(task)
        task.add_done_callback(self._warming.discard)

    async def _warm_quietly(self, executor: ProcessPoolExecutor) -> None:
        try:
            await self._warm(executor)
        except BrokenProcessPool:
            logger.warning("new encoding pool broke while starting")

    def close(self) -> None:
        for task in self._warming:
            task.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)


Analyser = ThreadAnalyser | ProcessAnalyser
