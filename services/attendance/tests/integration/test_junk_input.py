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


def test_errors_are_plain_sentences_in_the_readers_language(api: Any) -> None:
    """Issue 15: no raw validator phrasing ("Value error, ...", "path.employee_id: Input should
    be ...") reaches a person, and a Chinese reader gets Chinese."""
    english = api.get("/api/v1/employees/abc", "hr")
    assert english.status_code == 422
    assert english.json()["error"]["message"] == "Employee must be a whole number."
    chinese = api.get("/api/v1/employees/abc", "hr", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese.json()["error"]["message"] == "员工必须是整数。"
    missing = api.post("/api/v1/employees", "hr", json={"name": "No number"},
                       headers={"Accept-Language": "zh-CN"})
    assert missing.json()["error"]["message"] == "请填写工号。"
    bad_zone = api.post("/api/v1/employees", "hr",
                        json={"employee_no": "Z1", "name": "Zed", "timezone": "Mars/Base"})
    message = bad_zone.json()["error"]["message"]
    assert bad_zone.status_code == 422 and not message.startswith(("Value error", "timezone:"))
    assert message.startswith("Time zone: "), message
    gone = api.get("/api/v1/employees/424242", "hr", headers={"Accept-Language": "zh-CN"})
    assert gone.status_code == 404 and gone.json()["error"] == {
        "code": "employee_not_found", "message": "未找到该记录（可能已被删除）。"}  # noqa: RUF001


def test_numbers_are_not_dates(api) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 item 19: 0 or "1700000000" where an ISO date is expected is a 422, not a
    correction or a punch dated 1970 (pydantic reads numbers as seconds since the epoch)."""
    person = api.employee("NUM-1")
    for at in (0, 1700000000, "1700000000", 1.5):
        for path, body in (
                ("/api/v1/corrections", {"employee_id": person["id"], "at": at, "kind": "in"}),
                ("/api/v1/punches", {"employee_id": person["id"], "at": at, "source": "import"}),
                ("/api/v1/holidays", {"date": at, "name": "Epoch day"}),
        ):
            reply = api.post(path, "hr", json=body)
            assert reply.status_code == 422, (path, at, reply.text)
    for query in ("/api/v1/punches?from=0", "/api/v1/attendance/daily?date=0"):
        assert api.get(query, "hr").status_code == 422, query
    assert api.ok("GET", f"/api/v1/punches?employee_id={person['id']}", "hr")["total"] == 0
    assert api.ok("GET", "/api/v1/corrections", "hr")["total"] == 0
