"""Schemathesis walks the published OpenAPI document of the running system: no answer is a 5xx.

Its own stack, because fuzzing with an admin token may well deactivate accounts.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

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
