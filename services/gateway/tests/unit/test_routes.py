"""Every gateway route declares who may call it; headers and paths are safe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from faceclock_common.fastapi.security import public, route_access_report
from gateway_svc.config import Settings
from gateway_svc.main import create_app


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>FaceClock</title>")
    (web / "app.js").write_text("export {};")
    settings = Settings(web_dir=web, auth_url="http://127.0.0.1:9", attendance_url="http://127.0.0.1:9",
                        reporting_url="http://127.0.0.1:9", recognition_targets="127.0.0.1:9",
                        jwks_url="http://127.0.0.1:9/jwks.json")
    with TestClient(create_app(settings)) as client:
        yield client


def test_every_route_has_an_access_rule(app_client: TestClient) -> None:
    checked, missing = route_access_report(app_client.app)
    assert checked >= 40  # the composed routes, the proxy table, health and the web UI
    assert missing == []


def test_the_route_walker_catches_a_route_without_a_rule(app_client: TestClient) -> None:
    app = app_client.app

    @app.get("/api/v1/forgotten")  # type: ignore[attr-defined]
    async def forgotten() -> dict[str, str]:
        return {}

    assert route_access_report(app)[1] == ["['GET'] /api/v1/forgotten"]


def test_security_headers_on_pages_api_and_errors(app_client: TestClient) -> None:
    for path in ("/", "/app.js", "/api/v1/nothing-here", "/api/v1/employees"):
        reply = app_client.get(path)
        assert "script-src 'self'" in reply.headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "no-referrer"


def test_client_routes_get_the_spa_and_api_paths_do_not(app_client: TestClient) -> None:
    page = app_client.get("/reset-password", params={"token": "abc"})
    assert page.status_code == 200 and "FaceClock" in page.text
    missing = app_client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_protected_routes_need_a_token(app_client: TestClient) -> None:
    for method, path in (("GET", "/api/v1/employees"), ("POST", "/api/v1/clock-ins"),
                         ("POST", "/api/v1/roll-calls"), ("GET", "/api/v1/reports")):
        reply = app_client.request(method, path)
        assert reply.status_code == 401, (method, path, reply.text)
        assert reply.json()["error"]["code"] == "unauthorized"


def test_dot_segments_never_reach_internal_paths(app_client: TestClient) -> None:
    reply = app_client.post("/api/v1/auth/%2e%2e/%2e%2e/internal/service-token", json={})
    assert reply.status_code in (400, 404)
    assert reply.status_code != 200


def test_unreachable_upstream_is_a_503_not_a_500(app_client: TestClient) -> None:
    reply = app_client.post("/api/v1/auth/login", json={"username": "a", "password": "b"})
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "auth_unavailable"


async def test_client_address_only_from_trusted_proxies() -> None:
    from starlette.requests import Request

    from gateway_svc.deps import client_ip

    def request(peer: str, forwarded: str) -> Request:
        return Request({"type": "http", "client": (peer, 1234),
                        "headers": [(b"x-forwarded-for", forwarded.encode())]})

    settings = Settings(trusted_proxies=["10.0.0.0/8"])
    assert await client_ip(request("10.1.2.3", "203.0.113.9"), settings) == "203.0.113.9"
    assert await client_ip(request("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.0.0.5"),
                           settings) == "203.0.113.9"
    assert await client_ip(request("198.51.100.7", "203.0.113.9"), settings) == "198.51.100.7"


def test_list_settings_read_comma_separated_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 172.16.0.0/12")
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", '["https://hr.example.com"]')
    settings = Settings()
    assert settings.trusted_proxies == ["10.0.0.0/8", "172.16.0.0/12"]
    assert settings.cors_origins == ["https://hr.example.com"]


def test_sign_in_budget_applies_to_credential_paths_only(tmp_path: Path) -> None:
    settings = Settings(web_dir=tmp_path, auth_url="http://127.0.0.1:9", auth_rate_per_minute=2,
                        recognition_targets="127.0.0.1:9", jwks_url="http://127.0.0.1:9/jwks.json")
    with TestClient(create_app(settings)) as client:
        logins = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(3)]
        assert logins == [503, 503, 429]  # auth is down; the third try is not even forwarded
        refreshes = {client.post("/api/v1/auth/refresh", json={}).status_code for _ in range(5)}
        assert refreshes == {503}


def test_control_characters_in_a_path_are_a_400(app_client: TestClient) -> None:
    """Issue 17 item 12: `%00` or `%7f` anywhere in a path, anonymous or not, is a 400."""
    for path in ("/%00", "/api/v1/employees/%00", "/api/v1/auth/login%7f", "/app.js%0a",
                 "/api/v1/reports/1%1b"):
        reply = app_client.get(path)
        assert reply.status_code == 400, (path, reply.text)
        assert reply.json()["error"]["code"] == "bad_path"
        assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]


def test_an_unexpected_error_answers_500_with_the_security_headers(app_client: TestClient) -> None:
    """Issue 17 item 12: Starlette's own error response would bypass the headers."""
    app = app_client.app

    @app.get("/api/v1/boom", dependencies=[Depends(public)])  # type: ignore[attr-defined]
    async def boom() -> None:
        raise RuntimeError("unexpected")

    app.router.routes.insert(0, app.router.routes.pop())  # before the web UI's catch-all
    reply = app_client.get("/api/v1/boom")
    assert reply.status_code == 500
    assert reply.json() == {"error": {"code": "internal_error",
                                      "message": "Something went wrong on our side."}}
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["x-content-type-options"] == "nosniff"


async def test_no_proxy_is_trusted_unless_configured() -> None:
    """Issue 17 item 13: by default X-Forwarded-For is nobody's word, not even 127.0.0.1's."""
    from starlette.requests import Request

    from gateway_svc.deps import client_ip

    request = Request({"type": "http", "client": ("127.0.0.1", 1234),
                       "headers": [(b"x-forwarded-for", b"203.0.113.9")]})
    assert Settings().trusted_proxies == []
    assert await client_ip(request, Settings()) == "127.0.0.1"
    assert await client_ip(request, Settings(trusted_proxies=["127.0.0.1"])) == "203.0.113.9"


def test_upstream_locations_never_name_an_internal_address() -> None:
    """Issue 17 item 4: a service's redirect reaches the client as a public path or not at all."""
    from gateway_svc.upstream import public_location

    assert public_location("http://127.0.0.1:8002/api/v1/employees/5") == "/api/v1/employees/5"
    assert public_location("http://attendance:8002/api/v1/employees?q=a%20b") == \
        "/api/v1/employees?q=a%20b"
    assert public_location("/api/v1/reports/7") == "/api/v1/reports/7"
    for elsewhere in ("http://127.0.0.1:8002/internal/clock-ins", "http://evil.example/",
                      "/readyz", "http://127.0.0.1:8002/api/v1/../internal/x"):
        assert public_location(elsewhere) is None, elsewhere


def test_the_composed_document_keeps_every_method_of_a_shared_path() -> None:
    """Issue 17 item 14: GET and PATCH /employees/{employee_id} (attendance) join the gateway's
    own DELETE on that path instead of being dropped."""
    from gateway_svc.openapi import merge_into

    gateway = {"paths": {"/api/v1/employees/{employee_id}": {"delete": {"summary": "erase"}}}}
    attendance = {"paths": {"/api/v1/employees/{employee_id}": {
        "get": {"summary": "read"}, "patch": {"summary": "edit"}, "delete": {"summary": "row"}},
        "/internal/clock-ins": {"post": {}}}}
    merge_into(gateway, attendance)
    item = gateway["paths"]["/api/v1/employees/{employee_id}"]
    assert item == {"delete": {"summary": "erase"}, "get": {"summary": "read"},
                    "patch": {"summary": "edit"}}
    assert "/internal/clock-ins" not in gateway["paths"]


def test_tokens_are_refused_when_their_revocation_cannot_be_checked(tmp_path: Path,
                                                                   token_mint: Any) -> None:
    """Issue 17 item 11, fail closed: a well-signed token with auth unreachable is a 503, never
    let through unchecked (the stack test shows revoked tokens refused within seconds)."""
    settings = Settings(web_dir=tmp_path, auth_url="http://127.0.0.1:9",
                        attendance_url="http://127.0.0.1:9", reporting_url="http://127.0.0.1:9",
                        recognition_targets="127.0.0.1:9", jwks_url=token_mint.jwks_url)
    with TestClient(create_app(settings)) as client:
        reply = client.get("/api/v1/employees", headers=token_mint.headers("hr", sub="7"))
    assert reply.status_code == 503, reply.text
    assert reply.json()["error"]["code"] == "auth_unavailable"
    assert reply.headers["retry-after"] == "5"
