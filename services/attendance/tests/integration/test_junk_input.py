"""Junk at every route of the OpenAPI document: always a 4xx (or a success), never a 500."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

JUNK_VALUES: list[Any] = [None, "x" * 300, -1, 10**30, [], {}, "2026-02-30", "25:61",
                          "\u0000' OR '1'='1", "9999-12-31T23:59:59+14:00"]


def _bodies(schema: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    ref = schema.get("$ref", "")
    if ref:
        schema = components[ref.rsplit("/", 1)[-1]]
    fields = list(schema.get("properties", {}))
    bodies: list[Any] = [None, {}, [], "text", {"unexpected": 1}]
    for field, value in itertools.product(fields, JUNK_VALUES):
        bodies.append({field: value})
    bodies.append({field: JUNK_VALUES[(i * 7) % len(JUNK_VALUES)] for i, field in
                   enumerate(fields)})
    return bodies


@pytest.mark.slow
def test_no_route_answers_500_to_junk(sqlite_api: Any) -> None:
    api = sqlite_api
    api.employee("J1")
    document = api.ok("GET", "/api/v1/openapi.json")
    components = document.get("components", {}).get("schemas", {})
    calls = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            for filler in ("1", "abc", str(10**25)):
                concrete = re.sub(r"\{[^}]+\}", filler, path)
                query = {p["name"]: filler for p in params}
                body_schema = (operation.get("requestBody", {}).get("content", {})
                               .get("application/json", {}).get("schema"))
                bodies = _bodies(body_schema, components) if body_schema else [None]
                for body in bodies:
                    roles = ("service",) if path.startswith("/internal") else ("admin",)
                    kwargs: dict[str, Any] = {"params": query}
                    if body is not None:
                        kwargs["json"] = body
                    response = api.call(method.upper(), concrete, *roles, **kwargs)
                    calls += 1
                    assert response.status_code < 500, (method, concrete, query, body,
                                                        response.text)
                    assert "error" in response.json() if response.status_code >= 400 else True
    assert calls > 500
