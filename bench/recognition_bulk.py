"""B12 of BENCH.md: bulk enrolment of 1,000 photos through the Enroll RPC, 2 encoding workers.

The server is a real `python -m recognition_svc` with RECOGNITION_ENCODE_PROCESSES=2; the
client keeps 4 calls in flight. Each photo is a different person (so none is refused as a
duplicate); the test photos are cycled. Baseline: plain face_recognition encoding each photo
at full resolution in one process (measured on a slice, scaled to 1,000).

    uv run python bench/recognition_bulk.py [--photos 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import tempfile
import time
from pathlib import Path

from grpc import aio
from recognition_common import photos, table
from recognition_replicas import base_env, serve_jwks, start, stop

from faceclock_dev.testing import TokenMint
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.config import Settings
from recognition_svc.main import migrate


async def enrol_all(port: int, images: list[bytes], token: str, concurrency: int) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for n, image in enumerate(images):
        queue.put_nowait((n, image))
    async with aio.insecure_channel(f"127.0.0.1:{port}",
                                    options=[("grpc.max_send_message_length", 32 << 20)]) as ch:
        stub = pb_grpc.RecognitionStub(ch)

        async def worker() -> None:
            while not queue.empty():
                n, image = queue.get_nowait()
                reply = await stub.Enroll(pb.EnrollRequest(person_id=f"bulk-{n}", image=image),
                                          metadata=[("authorization", f"Bearer {token}")],
                                          timeout=120)
                key = reply.refusal.code or "enrolled"
                outcomes[key] = outcomes.get(key, 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcomes


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc."""
    total, pending = 0.0, [pid]
    ticks = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def plain_baseline(paths: list[Path]) -> float:
    import face_recognition

    gallery = []
    started = time.perf_counter()
    for path in paths:
        gallery.extend(face_recognition.face_encodings(face_recognition.load_image_file(path))[:1])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-sample", type=int, default=40)
    args = parser.parse_args()
    paths = photos()
    chosen = [paths[n % len(paths)] for n in range(args.photos)]
    images = [p.read_bytes() for p in chosen]
    mint = TokenMint()
    serve_jwks(mint)
    key = os.urandom(32)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bulk.db'}"
        migrate(Settings(database_url=url, encryption_key=base64.b64encode(key).decode()))
        env = base_env(url, key, mint, RECOGNITION_ENCODE_PROCESSES=str(args.workers))
        process, port, _ = start(env)
        cpu_before = tree_cpu_seconds(process.pid)
        started = time.perf_counter()
        outcomes = asyncio.run(enrol_all(port, images, mint.token("service"), 2 * args.workers))
        elapsed = time.perf_counter() - started
        cpu = tree_cpu_seconds(process.pid) - cpu_before
        stop(process)
    sample = chosen[: args.baseline_sample]
    baseline = plain_baseline(sample) * args.photos / len(sample)
    table(f"B12 bulk enrolment, {args.photos} photos ({len(paths)} distinct test photos, "
          f"240-2333 px), target ≤ 60 s",
          ["how", "workers", "total s", "photos/s", "server CPU s (all processes)",
           "CPU-bound time on 2 free cores s", "outcomes"],
          [["Enroll RPC, ENCODE_PROCESSES", args.workers, elapsed, args.photos / elapsed, cpu,
            cpu / min(args.workers, os.cpu_count() or 1),
            ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))],
           [f"plain face_recognition loop (measured on {len(sample)}, scaled)", 1, baseline,
            args.photos / baseline, "", "", ""]])


if __name__ == "__main__":
    main()
