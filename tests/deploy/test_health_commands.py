"""The health-check commands written into the Dockerfile, docker-compose.yml and the manifests
are inline Python: run each one against real peers (an HTTP server answering /readyz, a gRPC
health server, the local Redis) and check it tells healthy from unhealthy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from faceclock_dev.testing import free_port

from .manifests import by_kind, containers_of
from .test_images import stage

RECOGNITION = "faceclock.recognition.v1.Recognition"
PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


class ReadyServer:
    """Answers /readyz with 200 or 503 as told, like the services' health router."""

    def __init__(self) -> None:
        self.ready = True
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status = 200 if self.path == "/readyz" and owner.ready else 503
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ready_server() -> Iterator[ReadyServer]:
    server = ReadyServer()
    yield server
    server.close()


@pytest.fixture
def grpc_health_server() -> Iterator[tuple[int, health.HealthServicer]]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port, servicer
    server.stop(0)


def run(argv: list[str], env: dict[str, str] | None = None) -> int:
    result = subprocess.run(argv, env={"PATH": PATH, **(env or {})}, capture_output=True,
                            timeout=30)
    return result.returncode


def dockerfile_check() -> list[str]:
    runtime = stage("runtime")
    check = next(i.arguments for i in runtime if i.keyword == "HEALTHCHECK")
    return json.loads(check.split(" CMD ", 1)[1])  # exec form, as Docker runs it


@pytest.mark.parametrize("service", ["auth", "attendance", "reporting", "gateway"])
def test_dockerfile_http_health_check(service: str, ready_server: ReadyServer) -> None:
    env = {"FACECLOCK_SERVICE": service, f"{service.upper()}_PORT": str(ready_server.port)}
    assert run(dockerfile_check(), env) == 0
    ready_server.ready = False
    assert run(dockerfile_check(), env) != 0
    assert run(dockerfile_check(), {"FACECLOCK_SERVICE": service,
                                    f"{service.upper()}_PORT": str(free_port())}) != 0


def test_dockerfile_grpc_health_check(grpc_health_server: tuple[int, health.HealthServicer]) -> None:
    port, servicer = grpc_health_server
    env = {"FACECLOCK_SERVICE": "recognition", "RECOGNITION_PORT": str(port)}
    servicer.set(RECOGNITION, health_pb2.HealthCheckResponse.NOT_SERVING)
    assert run(dockerfile_check(), env) != 0  # still loading its index
    servicer.set(RECOGNITION, health_pb2.HealthCheckResponse.SERVING)
    assert run(dockerfile_check(), env) == 0
    assert run(dockerfile_check(), {**env, "RECOGNITION_PORT": str(free_port())}) != 0


def test_dockerfile_health_check_refuses_an_unknown_service(ready_server: ReadyServer) -> None:
    assert run(dockerfile_check(), {"FACECLOCK_SERVICE": ""}) == 2


def compose_check(compose: dict[str, Any], service: str) -> list[str]:
    test = compose["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    return test[1:]


@pytest.mark.parametrize(("service", "port"), [("auth", 8001), ("attendance", 8002),
                                               ("reporting", 8003), ("gateway", 8000)])
def test_compose_http_health_check(
    compose: dict[str, Any], ready_server: ReadyServer, service: str, port: int
) -> None:
    argv = [arg.replace(f"127.0.0.1:{port}/", f"127.0.0.1:{ready_server.port}/")
            for arg in compose_check(compose, service)]
    assert argv != compose_check(compose, service), "the check names the service's port"
    assert run(argv) == 0
    ready_server.ready = False
    assert run(argv) != 0


def test_compose_grpc_health_check(
    compose: dict[str, Any], grpc_health_server: tuple[int, health.HealthServicer]
) -> None:
    port, servicer = grpc_health_server
    argv = [arg.replace("127.0.0.1:50051", f"127.0.0.1:{port}")
            for arg in compose_check(compose, "recognition")]
    servicer.set(RECOGNITION, health_pb2.HealthCheckResponse.NOT_SERVING)
    assert run(argv) != 0
    servicer.set(RECOGNITION, health_pb2.HealthCheckResponse.SERVING)
    assert run(argv) == 0


def broker_checks(compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]]) -> list[
        list[str]]:
    checks = [compose_check(compose, name) for name in ("reporting-worker", "reporting-beat")]
    for name in ("reporting-worker", "reporting-beat"):
        (container,) = containers_of(by_kind(rendered["base"], "Deployment")[name], init=False)
        for probe in ("livenessProbe", "readinessProbe"):
            command = container[probe]["exec"]["command"]
            assert command[0] == "python"
            checks.append(command)
    return checks


def test_worker_and_beat_checks_tell_whether_the_broker_answers(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]], redis_url: str
) -> None:
    checks = broker_checks(compose, rendered)
    assert len(checks) == 6
    dead = f"redis://127.0.0.1:{free_port()}/0"
    for command in sorted({tuple(check) for check in checks}):  # the same few, run once each
        assert run(list(command), {"REPORTING_BROKER_URL": redis_url}) == 0, command
        assert run(list(command), {"REPORTING_BROKER_URL": dead}) != 0, command
