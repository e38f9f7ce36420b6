"""Where photos are turned into encodings: in threads of the server, or in worker processes.

dlib holds the GIL while it detects and encodes, so threads give no parallelism; with
`RECOGNITION_ENCODE_PROCESSES=N` the CPU work runs in N worker processes (spawned, each with its
own copy of the models) while the server process keeps the index, the database and gRPC.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

from recognition_svc.encoder import EncodedFace, FaceEncoder, build_encoder
from recognition_svc.imaging import decode_image


@dataclass(frozen=True)
class Analysis:
    faces: list[EncodedFace]
    width: int
    height: int


@dataclass(frozen=True)
class Limits:
    max_pixels: int
    max_bytes: int


def analyse(encoder: FaceEncoder, image: bytes, *, limits: Limits, quality: bool) -> Analysis:
    pixels = decode_image(image, max_pixels=limits.max_pixels, max_bytes=limits.max_bytes)
    height, width = pixels.shape[:2]
    return Analysis(encoder.encode(pixels, quality=quality), width, height)


class ThreadAnalyser:
    """Encodes in a thread pool of the server process (no parallelism, but a free event loop)."""

    def __init__(self, encoder: FaceEncoder, limits: Limits, *, threads: int) -> None:
        self.encoder = encoder
        self.limits = limits
        self._executor: Executor = ThreadPoolExecutor(threads, thread_name_prefix="encode")

    async def start(self) -> None:
        return None

    async def analyse(self, image: bytes, *, quality: bool) -> Analysis:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, lambda: analyse(self.encoder, image, limits=self.limits,
                                            quality=quality))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


# The encoder of a worker process. A process-wide global is the only way a
# ProcessPoolExecutor initializer can hand state to the tasks that run in that process.
_worker_encoder: FaceEncoder | None = None


def _worker_init(encoder_name: str, detect_short_side: int) -> None:
    global _worker_encoder
    _worker_encoder = build_encoder(encoder_name, detect_short_side=detect_short_side)


def _worker_analyse(image: bytes, limits: Limits, quality: bool) -> Analysis:
    assert _worker_encoder is not None, "worker initializer did not run"
    return analyse(_worker_encoder, image, limits=limits, quality=quality)


def _worker_ready() -> int:
    time.sleep(0.2)  # keep this worker busy so the pool starts the next one
    return os.getpid()


class ProcessAnalyser:
    def __init__(self, encoder_name: str, limits: Limits, *, processes: int,
                 detect_short_side: int) -> None:
        self.limits = limits
        self.processes = processes
        self._executor = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init, initargs=(encoder_name, detect_short_side))

    async def start(self) -> None:
        """Start every worker (and load its models) before the server reports SERVING."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, _worker_ready)
                               for _ in range(self.processes)))

    async def analyse(self, image: bytes, *, quality: bool) -> Analysis:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _worker_analyse, image, self.limits,
                                          quality)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


Analyser = ThreadAnalyser | ProcessAnalyser
