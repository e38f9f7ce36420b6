"""Auth interceptor, request ids, the gRPC health protocol, and graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import threading

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from faceclock_common.logging import request_id_var
from faceclock_proto.errors import reason_of
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.auth import METHOD_ROLES
from recognition_svc.config import SERVICE_NAME
from recognition_svc.main import create_app, migrate

from ..conftest import make_settings


async def test_every_method_has_a_role_rule() -> None:
    methods = {m.name for m in pb.DESCRIPTOR.services_by_name["Recognition"].methods}
    assert {name.rsplit("/", 1)[-1] for name in METHOD_ROLES} == methods


@pytest.mark.parametrize(("method", "request_", "allowed", "denied"), [
    ("Enroll", pb.EnrollRequest(person_id="1", image=b"x"), ["admin", "hr", "service"],
     ["employee", "kiosk", "manager"]),
    ("DeleteFaces", pb.DeleteFacesRequest(person_id="1"), ["admin", "hr", "service"],
     ["employee", "kiosk", "manager"]),
    ("ListFaces", pb.ListFacesRequest(person_id="1"), ["admin", "hr", "service"],
     ["employee", "kiosk"]),
    ("Stats", pb.StatsRequest(), ["admin", "hr", "service"], ["employee", "kiosk"]),
    ("Identify", pb.IdentifyRequest(image=b"x"), ["kiosk", "employee", "manager", "service"],
     ["nobody"]),
    ("Verify", pb.VerifyRequest(person_id="1", image=b"x"), ["kiosk", "employee"], ["nobody"]),
])
async def test_roles_per_method(start_server, sqlite_url, rpc_error, method, request_, allowed,
                                denied) -> None:
    _, client = await start_server(sqlite_url)
    call = getattr(client.stub, method)
    for role in allowed:
        try:
            await call(request_, metadata=client.meta(role))
        except grpc.aio.AioRpcError as exc:  # a bad image may fail later, but not on auth
            assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT, (role, exc)
    for role in denied:
        error = await rpc_error(call(request_, metadata=client.meta(role)))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED, role
    error = await rpc_error(call(request_))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_bad_tokens_are_refused(start_server, sqlite_url, rpc_error, token_mint) -> None:
    _, client = await start_server(sqlite_url)
    expired = token_mint.token("admin", ttl=-120)
    wrong_audience = token_mint.token("admin", aud="someone-else")
    refresh = token_mint.token("admin", typ="refresh")
    for token in (expired, wrong_audience, refresh, "garbage", ""):
        error = await rpc_error(client.stub.Stats(
            pb.StatsRequest(), metadata=(("authorization", f"Bearer {token}"),)))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, token
        assert reason_of(error) == "unauthorized"


async def test_request_id_is_echoed_and_logged(start_server, sqlite_url, caplog) -> None:
    _, client = await start_server(sqlite_url)
    caplog.set_level(logging.INFO, logger="recognition_svc")
    seen: list[tuple[str, str]] = []

    def remember(record: logging.LogRecord) -> bool:
        # What the JSON formatter of configure_logging would print as request_id.
        seen.append((record.getMessage(), request_id_var.get()))
        return True

    caplog.handler.addFilter(remember)
    call = client.stub.Stats(pb.StatsRequest(), metadata=client.meta("hr", request_id="abc-123"))
    await call
    assert ("x-request-id", "abc-123") in tuple(await call.initial_metadata())
    rpc_logs = [r for r in caplog.records if r.getMessage() == "rpc"]
    assert rpc_logs and rpc_logs[-1].method == "Stats" and rpc_logs[-1].code == "OK"
    assert rpc_logs[-1].subject == "1"  # who called, for the audit trail
    assert ("rpc", "abc-123") in seen
    assert request_id_var.get() != "abc-123"  # the test's own context is untouched
    forged = client.stub.Stats(pb.StatsRequest(), metadata=client.meta("hr", request_id="a b;c{}"))
    await forged
    echoed = dict(tuple(await forged.initial_metadata()))["x-request-id"]
    assert echoed != "a b;c{}" and len(echoed) == 32


async def test_health_not_serving_until_index_loaded(encoders, token_mint, sqlite_url) -> None:
    settings = make_settings(sqlite_url, token_mint.jwks_url)
    migrate(settings)
    app = create_app(settings, encoders=encoders)
    gate = threading.Event()
    original_load = app.recognizer.load

    def slow_load() -> None:
        gate.wait(10)
        original_load()

    app.recognizer.load = slow_load  # type: ignore[method-assign]
    starting = asyncio.create_task(app.start())
    try:
        async with aio.insecure_channel(f"127.0.0.1:{settings.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for _ in range(100):
                if app.port:
                    break
                await asyncio.sleep(0.05)
            for name in ("", SERVICE_NAME):
                answer = await health.Check(health_pb2.HealthCheckRequest(service=name),
                                            wait_for_ready=True, timeout=10)
                assert answer.status == health_pb2.HealthCheckResponse.NOT_SERVING
            stub = pb_grpc.RecognitionStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await stub.Stats(pb.StatsRequest(), metadata=(
                    ("authorization", f"Bearer {token_mint.token('admin')}"),))
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE  # the gateway retries
            gate.set()
            await starting
            for name in ("", SERVICE_NAME):
                answer = await health.Check(health_pb2.HealthCheckRequest(service=name))
                assert answer.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        gate.set()
        await app.stop(0)


async def test_stop_lets_in_flight_calls_finish(start_server, sqlite_url, photo) -> None:
    app, client = await start_server(sqlite_url)
    arrived = asyncio.Event()
    analyse = app.analyser.analyse

    async def signalling_analyse(image: bytes, *, quality: bool, deadline: float | None):
        arrived.set()
        await asyncio.sleep(0.3)  # still working when the stop begins
        return await analyse(image, quality=quality, deadline=deadline)

    app.analyser.analyse = signalling_analyse  # type: ignore[method-assign]
    in_flight = asyncio.create_task(client.identify(photo("obama_3.jpg")))
    await asyncio.wait_for(arrived.wait(), 10)
    stopping = asyncio.create_task(app.stop(5))
    answer = await in_flight
    await stopping
    assert len(answer.faces) == 1
    async with aio.insecure_channel(f"127.0.0.1:{app.port}") as channel:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(),
                                                            timeout=1)
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
