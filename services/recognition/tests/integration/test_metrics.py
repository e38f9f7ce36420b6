"""Prometheus metrics on RECOGNITION_METRICS_PORT."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from faceclock_dev.testing import free_port


def _samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_count_requests_faces_and_unknowns(start_server, sqlite_url, photo,
                                                         rpc_error) -> None:
    port = free_port()
    _, client = await start_server(sqlite_url, metrics_port=port)
    await client.enroll("1", photo("obama_1.jpg"))
    await client.identify(photo("two_people.jpg"))  # obama matched, biden unknown
    await rpc_error(client.identify(b"junk"))
    samples = _samples(port)
    assert samples[("recognition_requests_total", (("code", "OK"), ("method", "Identify")))] == 1
    assert samples[("recognition_requests_total",
                    (("code", "INVALID_ARGUMENT"), ("method", "Identify")))] == 1
    assert samples[("recognition_requests_total", (("code", "OK"), ("method", "Enroll")))] == 1
    assert samples[("recognition_request_seconds_count", (("method", "Identify"),))] == 2
    assert samples[("recognition_identified_faces_total", (("outcome", "matched"),))] == 1
    assert samples[("recognition_identified_faces_total", (("outcome", "unknown"),))] == 1
    assert samples[("recognition_faces_per_photo_sum", ())] == 2
    assert samples[("recognition_index_faces", ())] == 1
    assert samples[("recognition_index_persons", ())] == 1
