"""Prometheus metrics of one server, in a registry of its own (several servers may share a process)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._servers: list[Any] = []
        self.requests = Counter("recognition_requests_total", "RPCs handled",
                                ["method", "code"], registry=self.registry)
        self.latency = Histogram(
            "recognition_request_seconds", "RPC latency", ["method"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10))
        self.index_size = Gauge("recognition_index_faces", "Faces in this replica's index",
                                registry=self.registry)
        self.persons = Gauge("recognition_index_persons", "Persons in this replica's index",
                             registry=self.registry)
        self.faces_per_photo = Histogram(
            "recognition_faces_per_photo", "Faces found per identify photo",
            registry=self.registry, buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34))
        self.identified = Counter("recognition_identified_faces_total",
                                  "Faces identified, by outcome", ["outcome"],
                                  registry=self.registry)
        self.pending = Gauge("recognition_pending_photos",
                             "Photos waiting for or in analysis", registry=self.registry)
        self.liveness = Counter("recognition_liveness_checks_total",
                                "Liveness bursts judged, by verdict", ["verdict"],
                                registry=self.registry)
        self.applied_change = Gauge("recognition_applied_change_id",
                                    "Last change-log id applied by this replica",
                                    registry=self.registry)

    def serve(self, port: int, host: str) -> None:
        server, _ = start_http_server(port, addr=host, registry=self.registry)
        self._servers.append(server)

    def close(self) -> None:
        while self._servers:
            server = self._servers.pop()
            server.shutdown()
            server.server_close()
