"""Schemathesis over this service's own OpenAPI document (internal routes included), in process:
no generated request may get a 5xx. It found an unbounded offset and roll-call count here."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

TRANSPORT_KEYS = ("method", "url", "headers", "params", "json", "content")


@pytest.mark.slow
def test_generated_requests_get_no_server_error(sqlite_api: Any) -> None:
    api = sqlite_api
    client = api.client
    client.raise_server_exceptions = False
    dept = api.ok("POST", "/api/v1/departments", "hr", status=201, json={"code": "F", "name": "F"})
    api.employee("F1", department_id=dept["id"])
    schema = schemathesis.openapi.from_dict(api.ok("GET", "/api/v1/openapi.json"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    admin = api.mint.headers("admin", employee_id=1, department_id=dept["id"])
    service = api.mint.headers("service", sub="service:fuzz")
    failures: list[str] = []
    def checker(operation: Any) -> Any:
        headers = service if operation.path.startswith("/internal") else admin

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            response = client.request(**{k: v for k, v in kwargs.items() if k in TRANSPORT_KEYS})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {kwargs.get('params')} "
                                f"{str(kwargs.get('json'))[:200]} -> {response.status_code}")

        return check

    for operation in operations:
        checker(operation)()
    assert failures == []
