"""Hostile shapes (issue 17): tiny files that describe huge or absurdly thin images.

A 36,000,000 x 1 px PNG (37 kB) crashed dlib's HOG detector; a 400 x 99,900 px PNG cost
~30 s of CPU and 2 GB. Both must be refused at once, from the header, and the server must
stay up. It runs as a real process with encoding threads (where a crash in dlib would end it).
"""

from __future__ import annotations

import asyncio
import io
import time

import grpc
import pytest
from grpc import aio
from PIL import Image

from faceclock_proto.errors import reason_of
from faceclock_proto.recognition.v1 import recognition_pb2 as pb

from ..conftest import Client


def blank_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.slow
def test_slivers_are_refused_at_once_and_the_server_stays_up(start_process, token_mint,
                                                             photo) -> None:
    process, port = start_process(RECOGNITION_ENCODE_PROCESSES="0")
    slivers = [blank_png(36_000_000, 1), blank_png(400, 99_900), blank_png(1, 20_000)]
    assert all(len(data) < 100_000 for data in slivers)

    async def scenario() -> None:
        async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = Client(channel, token_mint)
            for data in slivers:
                for call in (client.stub.Identify(pb.IdentifyRequest(image=data),
                                                  metadata=client.meta("kiosk"), timeout=30),
                             client.stub.Enroll(pb.EnrollRequest(person_id="1", image=data),
                                                metadata=client.meta("hr"), timeout=30)):
                    started = time.monotonic()
                    with pytest.raises(grpc.aio.AioRpcError) as info:
                        await call
                    assert time.monotonic() - started < 5
                    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
                    assert reason_of(info.value) == "bad_image"
            assert len((await client.identify(photo("obama_1.jpg"))).faces) == 1

    asyncio.run(scenario())
    assert process.poll() is None, "recognition died on a hostile image"
