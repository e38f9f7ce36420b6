"""Schemathesis walks the published OpenAPI document of the running system: no answer is a 5xx.

Its own stack, because fuzzing with an admin token may well deactivate accounts.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from PIL import Image

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    var_dir = tmp_path_factory.mktemp("fuzz")
    # Generous budgets: the fuzzer is one caller sending many requests.
    definition = Stack(var_dir=var_dir, ports=free_ports(), extra_env={
        "GATEWAY_API_RATE_PER_MINUTE": "100000", "GATEWAY_AUTH_RATE_PER_MINUTE": "100000"})
    with running_stack(definition, var_dir / "logs") as processes:
        yield processes


@pytest.fixture(scope="module")
def admin_token(fuzz_stack: StackProcesses) -> str:
    reply = httpx.post(f"{fuzz_stack.base_url}/api/v1/auth/login",
                       json={"username": "admin", "password": "admin12345"}, timeout=30)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


@pytest.fixture(scope="module")
def api_schema(fuzz_stack: StackProcesses) -> schemathesis.BaseSchema:
    document = httpx.get(f"{fuzz_stack.base_url}/api/v1/openapi.json", timeout=30).json()
    # Every service's part must be in the merged document, or the fuzzer would miss it.
    paths = set(document["paths"])
    for expected in ("/api/v1/auth/login", "/api/v1/employees", "/api/v1/clock-ins",
                     "/api/v1/reports", "/api/v1/shifts"):
        assert expected in paths, f"{expected} missing from the published OpenAPI"
    assert not [p for p in paths if p.startswith("/internal")]
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.update(base_url=fuzz_stack.base_url)
    return loaded


def test_no_server_errors(api_schema: schemathesis.BaseSchema, admin_token: str) -> None:
    # Schemathesis' pytest plugin does not run under pytest 9, so its Hypothesis strategies are
    # driven here directly, operation by operation.
    server_errors: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} -> "
                                     f"{response.status_code}: {response.text[:300]}")

        check()
    assert server_errors == [], "\n".join(server_errors)


CONTROL_CHARACTERS = [f"%{code:02x}" for code in [*range(0x20), 0x7F]]


def test_paths_with_control_characters_are_refused_cleanly(fuzz_stack: StackProcesses,
                                                          admin_token: str) -> None:
    """Issue 17 item 12: `%00`, `%7f` and the other control characters anywhere in a path are a
    400 (anonymous or signed in), never a 500."""
    paths = ["/{c}", "/api/v1/employees/{c}", "/api/v1/employees/1{c}/faces", "/api/v1/auth/login{c}",
             "/api/v1/reports/{c}/download", "/kiosk{c}", "/api/v1/{c}/x"]
    failures = []
    with httpx.Client(base_url=fuzz_stack.base_url, timeout=30) as client:
        for template in paths:
            for character in CONTROL_CHARACTERS:
                for method, headers in (("GET", {}), ("DELETE", {"Authorization": f"Bearer {admin_token}"}),
                                        ("POST", {"Authorization": f"Bearer {admin_token}"})):
                    path = template.format(c=character)
                    reply = client.request(method, path, headers=headers)
                    if reply.status_code != 400 or reply.json()["error"]["code"] != "bad_path":
                        failures.append(f"{method} {path} -> {reply.status_code} {reply.text[:80]}")
    assert failures == []


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose header then claims other dimensions."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    marker = data.index(b"\xff\xc0")
    data[marker + 5:marker + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def test_hostile_images_get_a_4xx_and_recognition_stays_up(fuzz_stack: StackProcesses,
                                                           admin_token: str) -> None:
    """Issue 17 items 1-2 as the fuzzer sees them: extreme shapes and huge dimensions in tiny
    files, at every route that takes a photo. Each is refused with a 4xx, none costs a replica,
    and a normal request right after is still answered by recognition."""
    hostile = {
        "thin-36000000x1.png": _png(36_000_000, 1),
        "tall-400x99900.png": _png(400, 99_900),
        "wide-60000x600.png": _png(60_000, 600),
        "claims-65535x65535.jpg": _jpeg_claiming(65_535, 65_535),
        "claims-65535x1.jpg": _jpeg_claiming(65_535, 1),
    }
    assert all(len(data) < 200_000 for data in hostile.values())
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures = []
    with httpx.Client(base_url=fuzz_stack.base_url, timeout=60) as client:
        person = client.post("/api/v1/employees", headers=headers,
                             json={"employee_no": "FUZZ-IMG", "name": "Fuzz Image"})
        person_id = person.json()["id"] if person.status_code == 201 else 1
        for name, data in hostile.items():
            kind = "image/png" if name.endswith(".png") else "image/jpeg"
            for path in ("/api/v1/clock-ins", "/api/v1/recognition/identify", "/api/v1/roll-calls",
                         f"/api/v1/employees/{person_id}/faces"):
                started = time.monotonic()
                reply = client.post(path, headers=headers, files={"image": (name, data, kind)})
                took = time.monotonic() - started
                if not 400 <= reply.status_code < 500 or took > 10:
                    failures.append(f"{name} to {path} -> {reply.status_code} in {took:.1f} s: "
                                    f"{reply.text[:120]}")
        status = client.get("/api/v1/status").json()
        assert status["services"]["recognition"] == "ready", status
    assert failures == []
