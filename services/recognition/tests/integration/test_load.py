"""Under load: honest health, prompt shedding before the caller's deadline, no work for callers
that have gone, and a crashed worker process replaced while the server keeps serving."""

from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from faceclock_proto.errors import reason_of
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from recognition_svc.config import SERVICE_NAME
from recognition_svc.main import RecognitionApp, create_app, migrate

from ..conftest import Client, make_settings

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class HeldWorker:
    """Makes the server's (only) worker thread wait inside its analysis until released."""

    def __init__(self, app: RecognitionApp) -> None:
        self.release = threading.Event()
        self.holding = threading.Event()
        self.started = 0
        work = app.analyser._analyse  # type: ignore[union-attr]

        def held(image: bytes, quality: bool) -> Any:
            self.started += 1
            self.holding.set()
            self.release.wait(30)
            return work(image, quality)

        app.analyser._analyse = held  # type: ignore[union-attr,method-assign]

    async def wait_holding(self) -> None:
        assert await asyncio.to_thread(self.holding.wait, 10)


async def health_of(client: Client, service: str) -> int:
    reply = await health_pb2_grpc.HealthStub(client.channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=5)
    return int(reply.status)


async def until(condition: Callable[[], Any], within: float = 5.0) -> None:
    """Waits for a condition (a plain or an async function) to hold."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_health_says_not_serving_while_saturated_and_serving_after(
        start_server, sqlite_url, photo) -> None:
    app, client = await start_server(sqlite_url, max_pending=2, encode_threads=1)
    held = HeldWorker(app)
    calls = [asyncio.create_task(client.identify(photo(name)))
             for name in ("obama_1.jpg", "biden_1.jpg")]
    await held.wait_holding()

    async def saturated() -> bool:
        return await health_of(client, SERVICE_NAME) == NOT_SERVING

    await until(saturated)
    assert await health_of(client, "") == SERVING  # busy, not dead: no restart wanted
    stats = await client.stats()
    assert (stats.load_state, stats.pending_photos, stats.max_pending_photos) == (
        "saturated", 2, 2)
    assert (stats.workers, stats.worker_mode) == (1, "threads")
    held.release.set()
    assert [len((await call).faces) for call in calls] == [1, 1]

    async def serving() -> bool:
        return await health_of(client, SERVICE_NAME) == SERVING

    await until(serving)
    assert (await client.stats()).load_state == "serving"


async def test_health_says_not_serving_while_an_analysis_is_stalled(
        start_server, sqlite_url, photo) -> None:
    app, client = await start_server(sqlite_url, encode_threads=1, analysis_time_limit=0.5)
    held = HeldWorker(app)
    call = asyncio.create_task(client.identify(photo("obama_1.jpg")))
    await held.wait_holding()

    async def stalled() -> bool:
        return (await health_of(client, SERVICE_NAME) == NOT_SERVING
                and await health_of(client, "") == NOT_SERVING)

    await until(stalled)
    assert (await client.stats()).load_state == "stalled"
    held.release.set()
    assert len((await call).faces) == 1

    async def recovered() -> bool:
        return (await health_of(client, SERVICE_NAME) == SERVING
                and await health_of(client, "") == SERVING)

    await until(recovered)


async def test_busy_is_answered_before_the_deadline_not_after(
        start_server, sqlite_url, photo, rpc_error) -> None:
    app, client = await start_server(sqlite_url, encode_threads=1)
    held = HeldWorker(app)
    first = asyncio.create_task(client.identify(photo("obama_1.jpg")))
    await held.wait_holding()
    request = pb.IdentifyRequest(image=photo("obama_2.jpg"))
    # No worker frees up in time: told so before the 3 s deadline, not by the deadline.
    started = time.monotonic()
    error = await rpc_error(client.stub.Identify(request, metadata=client.meta("kiosk"),
                                                 timeout=3))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    assert reason_of(error) == "busy"
    assert time.monotonic() - started < 3
    # When analyses have been slow (5 s each), the photo in analysis (half done, on average)
    # plus this one's 5 s cannot fit in 6 s: refused at once.
    app.analyser.expected_seconds = 5.0
    started = time.monotonic()
    error = await rpc_error(client.stub.Identify(request, metadata=client.meta("kiosk"),
                                                 timeout=6))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert time.monotonic() - started < 1
    held.release.set()
    assert len((await first).faces) == 1
    assert held.started == 1  # the refused photos were never analysed


async def test_a_free_worker_takes_a_photo_whatever_the_estimate(server, photo) -> None:
    """The estimate only decides for photos that would wait: an idle replica tries."""
    app, client = server
    app.analyser.expected_seconds = 5.0  # slower than the caller's whole deadline
    answer = await client.stub.Identify(pb.IdentifyRequest(image=photo("obama_1.jpg")),
                                        metadata=client.meta("kiosk"), timeout=4)
    assert len(answer.faces) == 1


async def test_photo_whose_caller_has_gone_is_not_analysed(start_server, sqlite_url,
                                                           photo) -> None:
    app, client = await start_server(sqlite_url, encode_threads=1)
    held = HeldWorker(app)
    first = asyncio.create_task(client.identify(photo("obama_1.jpg")))
    await held.wait_holding()
    gone = client.stub.Identify(pb.IdentifyRequest(image=photo("biden_1.jpg")),
                                metadata=client.meta("kiosk"))
    await until(lambda: app.analyser.pending == 2)
    gone.cancel()
    await until(lambda: app.analyser.pending == 1)
    held.release.set()
    assert len((await first).faces) == 1
    assert len((await client.identify(photo("obama_2.jpg"))).faces) == 1
    assert held.started == 2  # the first and the last photo, never the abandoned one


@pytest.mark.slow
async def test_a_crashed_worker_process_is_replaced_and_the_server_keeps_serving(
        token_mint, sqlite_url, photo) -> None:
    settings = make_settings(sqlite_url, token_mint.jwks_url, encode_processes=2)
    migrate(settings)
    app = create_app(settings)
    await app.start()
    try:
        async with aio.insecure_channel(f"127.0.0.1:{app.port}") as channel:
            client = Client(channel, token_mint)
            assert (await client.enroll("1", photo("obama_1.jpg"))).face_id
            workers = multiprocessing.active_children()
            assert len(workers) == 2
            in_flight = asyncio.create_task(client.identify(photo("obama_and_biden.jpg")))
            await until(lambda: bool(app.analyser._running))
            for worker in workers:
                os.kill(worker.pid or 0, signal.SIGSEGV)  # as a crash in dlib would
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await in_flight
            assert info.value.code() == grpc.StatusCode.ABORTED
            assert reason_of(info.value) == "worker_lost"
            assert app.analyser.replacements == 1
            answer = await client.identify(photo("obama_2.jpg"))
            assert [f.person_id for f in answer.faces] == ["1"]
            assert all(w.pid not in {p.pid for p in workers}
                       for w in multiprocessing.active_children())
            assert await health_of(client, SERVICE_NAME) == SERVING
    finally:
        await app.stop(1)


@pytest.mark.slow
async def test_an_analysis_past_the_time_limit_is_killed_not_waited_for(
        token_mint, sqlite_url, photo, rpc_error) -> None:
    settings = make_settings(sqlite_url, token_mint.jwks_url, encode_processes=1,
                             analysis_time_limit=0.01)
    migrate(settings)
    app = create_app(settings)
    await app.start()
    try:
        async with aio.insecure_channel(f"127.0.0.1:{app.port}") as channel:
            client = Client(channel, token_mint)
            started = time.monotonic()
            error = await rpc_error(client.identify(photo("obama_1080p.jpg")))
            assert error.code() == grpc.StatusCode.ABORTED
            assert reason_of(error) == "worker_lost"
            assert time.monotonic() - started < 10
            assert app.analyser.replacements >= 1
    finally:
        await app.stop(1)
