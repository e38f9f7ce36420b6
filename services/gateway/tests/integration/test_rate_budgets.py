"""The gateway's request budgets: kiosks apart from sign-ins, and each budget's rule when Redis
is down (issue 17 item 5, issue 18 item 4)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import asyncio as aioredis

from faceclock_common.throttle import AsyncRedisStore, Budget, StoreDown
from faceclock_dev.testing import PrivateServer, TokenMint, private_redis
from gateway_svc.config import Settings
from gateway_svc.main import create_app

DOWN = "http://127.0.0.1:9"  # nothing listens: upstream calls answer 503 *_unavailable


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateServer]:
    yield from private_redis(tmp_path)


@pytest.fixture(scope="module")
def auth_url() -> Iterator[str]:
    """A small real HTTP server in auth's place: every token is current (the gateway asks about
    revocation), and every sign-in is refused as a wrong password."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the gateway's pooled client expects

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # /internal/token-status/{subject}
            self._answer(200, {"active": True, "version": 0})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/internal/service-token":
                self._answer(200, {"access_token": "service", "expires_in": 300})
            else:
                self._answer(401, {"error": {"code": "invalid_credentials", "message": "no"}})

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _fresh_window(needed_seconds: float = 20.0) -> None:
    """Budgets are counted in one-minute windows: start where the whole test fits in one."""
    left = 60 - time.time() % 60
    if left < needed_seconds:
        time.sleep(left + 0.1)


def _settings(tmp_path: Path, token_mint: TokenMint, auth_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "web_dir": tmp_path, "auth_url": auth_url, "attendance_url": DOWN, "reporting_url": DOWN,
        "recognition_targets": "127.0.0.1:9", "jwks_url": token_mint.jwks_url,
        "auth_rate_per_minute": 2, "api_rate_per_minute": 3, "device_rate_per_minute": 6}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_each_kiosk_has_its_own_budget_apart_from_sign_ins(tmp_path: Path, token_mint: TokenMint,
                                                            auth_url: str) -> None:
    _fresh_window()
    """Two kiosks behind one address: each gets the device budget; neither eats the sign-ins."""
    kiosks = [token_mint.headers("kiosk", sub=f"kiosk:{n}") for n in (1, 2)]
    with TestClient(create_app(_settings(tmp_path, token_mint, auth_url))) as client:
        for headers in kiosks:
            answers = [client.post("/api/v1/clock-ins", headers=headers).status_code
                       for _ in range(6)]
            assert answers == [422] * 6  # no photo: the budget let every one of them through
            over = client.post("/api/v1/clock-ins", headers=headers)
            assert over.status_code == 429 and over.json()["error"]["code"] == "rate_limited"
            assert over.json()["error"]["retry_after_seconds"] == int(over.headers["Retry-After"])
        logins = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(3)]
        assert logins == [401, 401, 429]  # the full sign-in budget was still there


def test_a_person_on_the_face_routes_has_the_per_caller_budget(tmp_path: Path,
                                                                token_mint: TokenMint,
                                                                auth_url: str) -> None:
    _fresh_window()
    hr = token_mint.headers("hr", sub="41")
    other = token_mint.headers("hr", sub="42")
    with TestClient(create_app(_settings(tmp_path, token_mint, auth_url))) as client:
        answers = [client.post("/api/v1/clock-ins", headers=hr).status_code for _ in range(4)]
        assert answers == [422, 422, 422, 429]
        assert client.post("/api/v1/clock-ins", headers=other).status_code == 422


async def test_the_redis_limiter_says_when_redis_is_down(redis_server: PrivateServer) -> None:
    limiter = AsyncRedisStore(aioredis.Redis.from_url(f"redis://127.0.0.1:{redis_server.port}/0"),
                              "faceclock:rl:")
    assert await Budget(5).spend(limiter, "api:sub:1") == 0
    redis_server.kill()
    with pytest.raises(StoreDown):
        await Budget(5).spend(limiter, "api:sub:1")
    await limiter.client.aclose()


def test_redis_down_api_budget_fails_open_and_sign_ins_stay_limited(
        tmp_path: Path, token_mint: TokenMint, auth_url: str, redis_server: PrivateServer) -> None:
    _fresh_window()
    settings = _settings(tmp_path, token_mint, auth_url, api_rate_per_minute=2,
                         FACECLOCK_REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/0")
    assert settings.redis_url
    hr = token_mint.headers("hr", sub="7")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/employees", headers=hr).status_code == 503  # attendance down
        redis_server.kill()
        answers = [client.get("/api/v1/employees", headers=hr) for _ in range(4)]
        # Not 500 and not 429: the request went on to attendance (down here: 503 of its own).
        assert {(r.status_code, r.json()["error"]["code"]) for r in answers} == {
            (503, "attendance_unavailable")}
        logins = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(3)]
        assert logins == [401, 401, 429]  # counted in the gateway's own memory meanwhile


def test_auth_unable_to_confirm_a_token_is_503_not_a_rate_limit(tmp_path: Path,
                                                                  token_mint: TokenMint) -> None:
    """With auth down the revocation check cannot answer: 503, never another caller's 429."""
    kiosk = token_mint.headers("kiosk", sub="kiosk:9")
    with TestClient(create_app(_settings(tmp_path, token_mint, DOWN))) as client:
        answers = {client.post("/api/v1/clock-ins", headers=kiosk).status_code for _ in range(6)}
    assert answers == {503}
