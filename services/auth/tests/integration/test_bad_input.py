"""Bad input gets a clear 4xx JSON error on every route, never a 500."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts

from faceclock_common.fastapi.security import access_rules_of

BODIES = [
    {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
    {"json": []},
    {"json": {"username": 5, "password": None, "email": ["x"], "token": {}, "roles": "admin",
              "refresh_token": 7, "device_secret": 1.5, "name": None, "language": 3,
              "employee_id": "abc", "active": "maybe", "client_id": [], "client_secret": {}}},
    {"json": {"username": "u" * 5000, "password": "p" * 5000, "email": "e" * 5000 + "@x.io"}},
    {"content": b"\xff\xfe\x00garbage", "headers": {"Content-Type": "application/json"}},
]


def test_no_route_answers_500_to_garbage(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    checked = 0
    for context in iter_route_contexts(sqlite_api.http.app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        assert access_rules_of(context.dependant)
        for path in {re.sub(r"\{[^}]+\}", "1", context.path),
                     re.sub(r"\{[^}]+\}", "not-a-number", context.path)}:
            for method in context.methods:
                if method in ("GET", "HEAD"):
                    continue
                for body in BODIES:
                    response = sqlite_api.http.request(method, path, headers={**admin, **body.get(
                        "headers", {})}, **{k: v for k, v in body.items() if k != "headers"})
                    assert response.status_code < 500, (method, path, body, response.text)
                    if response.status_code >= 400:
                        assert set(response.json()["error"]) >= {"code", "message"}
                    checked += 1
    assert checked > 50


def test_openapi_document_is_served(sqlite_api) -> None:
    document = sqlite_api.http.get("/openapi.json").json()
    assert "/api/v1/auth/login" in document["paths"]
    assert "/api/v1/kiosks" in document["paths"]
