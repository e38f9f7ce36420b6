"""Every gateway route declares who may call it; headers and paths are safe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faceclock_common.security import route_access_report
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


def test_client_address_only_from_trusted_proxies() -> None:
    from starlette.requests import Request

    from gateway_svc.deps import client_ip

    def request(peer: str, forwarded: str) -> Request:
        return Request({"type": "http", "client": (peer, 1234),
                        "headers": [(b"x-forwarded-for", forwarded.encode())]})

    settings = Settings(trusted_proxies=["10.0.0.0/8"])
    assert client_ip(request("10.1.2.3", "203.0.113.9"), settings) == "203.0.113.9"
    assert client_ip(request("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.0.0.5"), settings) == "203.0.113.9"
    assert client_ip(request("198.51.100.7", "203.0.113.9"), settings) == "198.51.100.7"


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
