"""Many photos analysed at once give exactly the answers they give one at a time.

dlib objects are not thread-safe: two threads sharing one encoder gave wrong encodings, then
`free(): invalid size` and a segfault. The server runs as a real process here, so a crash in
native code fails the test instead of killing pytest.
"""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from grpc import aio

from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from recognition_svc.encoder import DlibEncoder
from recognition_svc.pipeline import EncoderPool, Limits, ThreadAnalyser, analyse

from ..conftest import Client

LIMITS = Limits(max_pixels=40_000_000, max_bytes=16 * 1024 * 1024)
CLIENTS = 8
DISTANCE_TOLERANCE = 1e-4


def manifest_photos(faces_dir: Path) -> list[Path]:
    """Every photo the manifest lists: single faces, groups and edge cases."""
    manifest = json.loads((faces_dir / "manifest.json").read_text())
    paths = [faces_dir / "people" / person / name
             for person, names in manifest["people"].items() for name in names]
    paths += [faces_dir / "group" / name for name in manifest["group"]]
    paths += [faces_dir / "other" / name for name in manifest["other"]]
    return paths


def test_threads_with_their_own_encoders_match_one_thread(faces_dir, encoder) -> None:
    """The server's thread pool (4 threads, encoders lent one per thread) against one thread."""
    photos = [path.read_bytes() for path in manifest_photos(faces_dir)]
    reference = [analyse(encoder, data, limits=LIMITS, quality=True) for data in photos]
    pool = EncoderPool(DlibEncoder)
    analyser = ThreadAnalyser(pool, LIMITS, threads=4, max_pending=1000, time_limit=60)

    async def run_all() -> list[Any]:
        await analyser.start()
        return await asyncio.gather(*(analyser.analyse(photos[n % len(photos)], quality=True)
                                      for n in range(4 * len(photos))))

    try:
        results = asyncio.run(run_all())
    finally:
        analyser.close()
    assert pool.built == 4
    for n, result in enumerate(results):
        expected = reference[n % len(photos)]
        assert [f.box for f in result.faces] == [f.box for f in expected.faces], n
        for got, want in zip(result.faces, expected.faces, strict=True):
            assert np.abs(got.encoding - want.encoding).max() < 1e-5, n
            assert abs(got.sharpness - want.sharpness) < 1e-3, n


def test_encoder_pool_never_lends_one_encoder_twice() -> None:
    lent: set[int] = set()
    clash: list[int] = []

    def use(pool: EncoderPool) -> None:
        with pool.borrow() as borrowed:
            key = id(borrowed)
            if key in lent:
                clash.append(key)
            lent.add(key)
            time.sleep(0.01)
            lent.discard(key)

    pool = EncoderPool(object)  # type: ignore[arg-type]
    with ThreadPoolExecutor(8) as threads:
        list(threads.map(lambda _: use(pool), range(200)))
    assert not clash
    assert 1 <= pool.built <= 8


def summary(answer: pb.IdentifyResponse) -> list[tuple[Any, ...]]:
    return [(face.box.top, face.box.right, face.box.bottom, face.box.left, face.person_id,
             face.ambiguous, sorted(c.person_id for c in face.candidates), face.distance)
            for face in answer.faces]


def same_answer(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> bool:
    return len(got) == len(want) and all(
        g[:-1] == w[:-1] and abs(g[-1] - w[-1]) < DISTANCE_TOLERANCE
        for g, w in zip(got, want, strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("workers", [
    {"RECOGNITION_ENCODE_PROCESSES": "0", "RECOGNITION_ENCODE_THREADS": "4"},
    {"RECOGNITION_ENCODE_PROCESSES": "2"},
], ids=["threads", "processes"])
def test_concurrent_clients_get_the_quiet_answers(start_process, faces_dir, token_mint,
                                                  workers) -> None:
    """8 clients at once: identify (every manifest photo, several rounds), verify and enrol
    answers equal the ones given to one client at a time, and the server stays up."""
    process, port = start_process(**workers)
    photos = [path.read_bytes() for path in manifest_photos(faces_dir)]
    people = sorted(p for p in (faces_dir / "people").iterdir() if p.is_dir())

    async def scenario() -> None:
        async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = Client(channel, token_mint)
            for person in people:
                first = sorted(person.iterdir())[0]
                assert (await client.enroll(person.name, first.read_bytes())).face_id, person

            async def verify(data: bytes) -> tuple[bool, float, bool]:
                reply = await client.stub.Verify(
                    pb.VerifyRequest(person_id="obama", image=data),
                    metadata=client.meta("kiosk"), timeout=60)
                return reply.match, round(reply.distance, 4), reply.face_found

            async def enrol_quality(n: int, data: bytes) -> tuple[Any, ...]:
                reply = await client.enroll(f"new-{n}", data)
                return (reply.refusal.code, reply.box.left, reply.box.top,
                        reply.quality.face_width_px, round(reply.quality.sharpness, 2))

            quiet = [summary(await client.identify(data)) for data in photos]
            quiet_verify = [await verify(data) for data in photos]
            gate = asyncio.Semaphore(CLIENTS)

            async def limited(call: Any) -> Any:
                async with gate:
                    return await call

            rounds = 3
            busy = await asyncio.gather(*(
                limited(client.identify(photos[n % len(photos)]))
                for n in range(rounds * len(photos))))
            busy_verify = await asyncio.gather(*(limited(verify(data)) for data in photos))
            for n, answer in enumerate(busy):
                assert same_answer(summary(answer), quiet[n % len(photos)]), (
                    n, summary(answer), quiet[n % len(photos)])
            assert busy_verify == quiet_verify
            assert any(face for face in quiet) and any(v[0] for v in quiet_verify)

            # Enrolment (quality measured on the face chip) under concurrency, new persons each
            # time: every answer equals the quiet one for the same photo.
            single = [await enrol_quality(n, data) for n, data in enumerate(photos)]
            offset = len(photos)
            crowd = await asyncio.gather(*(limited(enrol_quality(offset + n, data))
                                           for n, data in enumerate(photos)))
            assert crowd == single

    asyncio.run(scenario())
    assert process.poll() is None, "recognition died under concurrent load"
