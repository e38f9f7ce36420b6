"""B13: how to run dlib in parallel — threads with an encoder each, or worker processes.

1. Does dlib release the GIL? A pure-Python counter thread runs beside one dlib call loop; its
   progress (against running alone) tells whether the call lets other Python threads run.
2. Throughput: the 640x480 kiosk photo through the service's own analysers, one thread vs
   2 threads (own encoders) vs 2 worker processes, interleaved rounds, medians.

    uv run python bench/recognition_concurrency.py [--rounds 5] [--photos 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from collections.abc import Callable

import numpy as np
from PIL import Image
from recognition_common import FACES, table
from recognition_pipeline import photo_640x480

from recognition_svc.encoder import DlibEncoder
from recognition_svc.pipeline import (
    BaseAnalyser,
    Detection,
    EncoderPool,
    Limits,
    ProcessAnalyser,
    ThreadAnalyser,
)

LIMITS = Limits(max_pixels=40_000_000, max_bytes=32 * 1024 * 1024)


def spinner_share(work: Callable[[], None]) -> float:
    """Progress of a Python counter thread while `work` runs, relative to it running alone."""
    def count_for(seconds: float) -> int:
        n, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            n += 1
        return n

    alone = count_for(0.5) / 0.5
    stop = threading.Event()
    counted = [0]

    def spin() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            if n % 1000 == 0 and stop.is_set():
                break
        counted[0] = n

    spinner = threading.Thread(target=spin)
    started = time.perf_counter()
    spinner.start()
    work()
    stop.set()
    spinner.join()
    elapsed = time.perf_counter() - started
    return counted[0] / elapsed / alone


def gil_rows() -> list[list[object]]:
    encoder = DlibEncoder()
    pixels = np.asarray(Image.open(FACES / "people" / "obama" / "obama_480p.jpg").convert("RGB"))
    rect = encoder.detect(pixels)[0]
    shape = encoder._predictor(pixels, rect)

    def detect() -> None:
        for _ in range(10):
            encoder._detector(pixels, 0)

    def describe() -> None:
        for _ in range(10):
            encoder._model.compute_face_descriptor(pixels, shape, 1)

    rows = []
    for name, work in (("HOG detector (480p, no upsampling)", detect),
                       ("ResNet face descriptor", describe)):
        share = statistics.median(spinner_share(work) for _ in range(3))
        rows.append([name, f"{share:.0%}", "released" if share > 0.5 else "held"])
    return rows


async def throughput(analyser: BaseAnalyser, image: bytes, photos: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(analyser.analyse(image, quality=False) for _ in range(photos)))
    return photos / (time.perf_counter() - started)


async def throughput_rows(rounds: int, photos: int) -> list[list[object]]:
    image = photo_640x480()
    detection = Detection("dlib", 480, 410_000)
    one = ThreadAnalyser(EncoderPool(DlibEncoder), LIMITS, threads=1, max_pending=10_000,
                         time_limit=60)
    threads = ThreadAnalyser(EncoderPool(DlibEncoder), LIMITS, threads=2, max_pending=10_000,
                             time_limit=60)
    processes = ProcessAnalyser(detection, LIMITS, processes=2, max_pending=10_000,
                                time_limit=60)
    configs: dict[str, BaseAnalyser] = {"1 thread": one, "2 threads, own encoders": threads,
                                        "2 worker processes": processes}
    for analyser in configs.values():
        await analyser.start()
        await throughput(analyser, image, 4)  # warm up
    figures: dict[str, list[float]] = {name: [] for name in configs}
    loads = []
    for _ in range(rounds):
        for name, analyser in configs.items():
            figures[name].append(await throughput(analyser, image, photos))
            loads.append(os.getloadavg()[0])
    for analyser in configs.values():
        analyser.close()
    base = statistics.median(figures["1 thread"])
    return [[name, f"{statistics.median(values):.2f}", f"{min(values):.2f}",
             f"{max(values):.2f}", f"{statistics.median(values) / base:.2f}x",
             f"{min(loads):.1f}-{max(loads):.1f}"]
            for name, values in figures.items()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--photos", type=int, default=40)
    args = parser.parse_args()
    table("B13a: does dlib release the GIL?",
          ["dlib call", "counter thread's progress beside it", "GIL"], gil_rows())
    rows = asyncio.run(throughput_rows(args.rounds, args.photos))
    table("B13b: analysis throughput",
          ["640x480 kiosk photo, analysed by", "photos/s median", "min", "max", "vs 1 thread",
           "load average during"], rows)
    print(f"\n{args.rounds} interleaved rounds of {args.photos} photos each; "
          f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
