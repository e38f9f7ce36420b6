"""Fixtures for the recognition tests: a real grpc.aio server on a free port (in this process,
or as `python -m recognition_svc` where native code could crash), real databases."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from faceclock_dev.testing import TokenMint, free_port
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.config import SERVICE_NAME, Settings
from recognition_svc.encoder import DlibEncoder
from recognition_svc.main import RecognitionApp, create_app, migrate
from recognition_svc.pipeline import EncoderPool

TEST_KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(scope="session")
def encoder() -> DlibEncoder:
    """One encoder for tests that encode in their own thread (dlib objects are not
    thread-safe: servers borrow from `encoders` instead)."""
    return DlibEncoder()


@pytest.fixture(scope="session")
def encoders() -> EncoderPool:
    """Encoders the test servers share, each lent to one thread at a time (models load once
    per concurrently used encoder, not once per server)."""
    return EncoderPool(DlibEncoder)


def make_settings(database_url: str, jwks_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "FACECLOCK_JWKS_URL": jwks_url, "FACECLOCK_ENV": "test", "host": "127.0.0.1",
        "port": free_port(), "database_url": database_url, "encryption_key": TEST_KEY,
        "metrics_port": 0, "poll_interval": 0.2, "shutdown_grace": 2.0,
        "FACECLOCK_REDIS_URL": None,
    }
    values.update(overrides)
    return Settings(**values)


class Client:
    """A stub plus the caller's token, for terse tests."""

    def __init__(self, channel: aio.Channel, mint: TokenMint) -> None:
        self.channel = channel
        self.stub = pb_grpc.RecognitionStub(channel)
        self.mint = mint

    def meta(self, *roles: str, request_id: str = "test-req-1") -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.mint.token(*roles)}"),
                ("x-request-id", request_id))

    async def enroll(self, person_id: str, image: bytes) -> pb.EnrollResponse:
        return await self.stub.Enroll(pb.EnrollRequest(person_id=person_id, image=image),
                                      metadata=self.meta("hr"), timeout=30)

    async def identify(self, image: bytes, threshold: float = 0) -> pb.IdentifyResponse:
        return await self.stub.Identify(pb.IdentifyRequest(image=image, threshold=threshold),
                                        metadata=self.meta("kiosk"), timeout=30)

    async def delete(self, person_id: str, *face_ids: str) -> pb.DeleteFacesResponse:
        return await self.stub.DeleteFaces(
            pb.DeleteFacesRequest(person_id=person_id, face_ids=list(face_ids)),
            metadata=self.meta("service"), timeout=10)

    async def stats(self) -> pb.StatsResponse:
        return await self.stub.Stats(pb.StatsRequest(), metadata=self.meta("admin"), timeout=10)


StartServer = Callable[..., Any]


@pytest.fixture
async def start_server(encoders: EncoderPool, token_mint: TokenMint
                       ) -> AsyncIterator[Callable[..., Any]]:
    """Starts replicas on free ports (migrating first) and stops them all at the end."""
    started: list[RecognitionApp] = []
    channels: list[aio.Channel] = []

    async def start(database_url: str, **overrides: Any) -> tuple[RecognitionApp, Client]:
        settings = make_settings(database_url, token_mint.jwks_url, **overrides)
        migrate(settings)
        app = create_app(settings, encoders=encoders)
        await app.start()
        started.append(app)
        channel = aio.insecure_channel(f"127.0.0.1:{app.port}")
        channels.append(channel)
        return app, Client(channel, token_mint)

    yield start
    for channel in channels:
        await channel.close()
    for app in started:
        await app.stop(0)


@pytest.fixture
async def server(start_server: StartServer, database_url: str) -> tuple[RecognitionApp, Client]:
    result: tuple[RecognitionApp, Client] = await start_server(database_url)
    return result


@pytest.fixture(scope="session")
def photo(faces_dir: Path) -> Callable[[str], bytes]:
    """A test photo's bytes by file name (people/*/, group/ or other/)."""

    def read(name: str) -> bytes:
        found = sorted(faces_dir.rglob(name))
        if not found:
            raise FileNotFoundError(name)
        return found[0].read_bytes()

    return read


@pytest.fixture
def rpc_error() -> Callable[[Any], Any]:
    """Awaits a call that must fail and returns its AioRpcError."""

    async def expect(awaitable: Any) -> grpc.aio.AioRpcError:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await awaitable
        return info.value

    return expect


@pytest.fixture
def start_process(tmp_path: Path, token_mint: TokenMint) -> Iterator[Callable[..., Any]]:
    """`python -m recognition_svc` on a free port, SERVING; stopped at the end."""
    processes: list[subprocess.Popen[str]] = []

    def start(**env_overrides: str) -> tuple[subprocess.Popen[str], int]:
        port = free_port()
        env = {**os.environ, "RECOGNITION_PORT": str(port), "RECOGNITION_METRICS_PORT": "0",
               "RECOGNITION_DATABASE_URL": f"sqlite:///{tmp_path / f'rec-{port}.db'}",
               "RECOGNITION_ENCRYPTION_KEY": TEST_KEY, "FACECLOCK_JWKS_URL": token_mint.jwks_url,
               "FACECLOCK_ENV": "test", "RECOGNITION_LOG_LEVEL": "WARNING", **env_overrides}
        env.pop("FACECLOCK_REDIS_URL", None)
        log = open(tmp_path / f"rec-{port}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "recognition_svc"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        wait_serving(port, process, timeout=120)
        return process, port

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_serving(port: int, process: subprocess.Popen[str], *, timeout: float) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert process.poll() is None, f"recognition exited with {process.returncode}"
            try:
                if health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME),
                                timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    raise AssertionError("recognition did not become SERVING")
