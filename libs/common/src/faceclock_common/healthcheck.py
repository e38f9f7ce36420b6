"""The container health check every FaceClock image runs (`python -m faceclock_common.healthcheck`).

One image recipe serves the five services, so the check reads which service it is in from
FACECLOCK_SERVICE (set by the image) and asks it on its own port: `/readyz` for the HTTP
services, the gRPC health protocol for recognition (SERVING only once its index is loaded).
Exit status 0 is healthy, anything else unhealthy, as Docker's HEALTHCHECK expects.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

# The port each service listens on unless its <SERVICE>_PORT variable says otherwise.
DEFAULT_PORTS = {"gateway": 8000, "auth": 8001, "attendance": 8002, "reporting": 8003,
                 "recognition": 50051}
RECOGNITION_HEALTH_SERVICE = "faceclock.recognition.v1.Recognition"
TIMEOUT_SECONDS = 4.0


def service_port(service: str) -> int:
    return int(os.environ.get(f"{service.upper()}_PORT") or DEFAULT_PORTS[service])


def http_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz",
                                    timeout=TIMEOUT_SECONDS) as reply:
            return bool(reply.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def grpc_serving(port: int) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=RECOGNITION_HEALTH_SERVICE),
                timeout=TIMEOUT_SECONDS)
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def healthy(service: str) -> bool:
    port = service_port(service)
    return grpc_serving(port) if service == "recognition" else http_ready(port)


def main() -> int:
    service = os.environ.get("FACECLOCK_SERVICE", "")
    if service not in DEFAULT_PORTS:
        sys.stderr.write(f"FACECLOCK_SERVICE must be one of {sorted(DEFAULT_PORTS)}\n")
        return 2
    return 0 if healthy(service) else 1


if __name__ == "__main__":
    sys.exit(main())
