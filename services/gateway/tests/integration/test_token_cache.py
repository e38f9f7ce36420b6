"""Verified tokens are remembered until they expire (issue 18): a remembered token that has since
expired or been revoked is still refused, and a remembered one is answered without a thread."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from faceclock_common.security import JwksKeyStore, TokenError, TokenVerifier
from faceclock_common.service_auth import ServiceTokenClient
from faceclock_dev.testing import JWT_AUDIENCE, JWT_ISSUER, TokenMint
from gateway_svc.revocation import RevocationCheckingVerifier, TokenStatusCache


class FakeAuth:
    """A real HTTP server in auth's place whose answer about a subject's tokens can change."""

    def __init__(self) -> None:
        self.active = True
        self.asked = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # /internal/token-status/{subject}
                fake.asked += 1
                self._answer({"active": fake.active, "version": 0})

            def do_POST(self) -> None:  # /internal/service-token
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer({"access_token": "service", "expires_in": 300})

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fake_auth() -> Iterator[FakeAuth]:
    auth = FakeAuth()
    yield auth
    auth.server.shutdown()


def _keys(mint: TokenMint) -> JwksKeyStore:
    return JwksKeyStore("unused", fetch=lambda _url: mint.jwks())


def test_a_remembered_token_is_refused_once_it_expires(token_mint: TokenMint) -> None:
    verifier = TokenVerifier(_keys(token_mint), issuer=JWT_ISSUER, audience=JWT_AUDIENCE,
                             leeway=0)
    token = token_mint.token("hr", sub="5", ttl=2)
    assert verifier.verify(token).subject == "5"
    assert verifier.remembered(token) is not None  # the next request skips the signature check
    time.sleep(2.1)
    assert verifier.remembered(token) is None
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token)


def test_a_forged_token_is_never_remembered(token_mint: TokenMint) -> None:
    verifier = TokenVerifier(_keys(token_mint), issuer=JWT_ISSUER, audience=JWT_AUDIENCE)
    token = token_mint.token("hr", sub="5")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(TokenError):
            verifier.verify(forged)
        assert verifier.remembered(forged) is None


def test_a_remembered_token_is_refused_once_revoked(token_mint: TokenMint,
                                                    fake_auth: FakeAuth) -> None:
    statuses = TokenStatusCache(fake_auth.url, ServiceTokenClient(fake_auth.url, "gateway", "x"),
                                ttl_seconds=0.5)
    verifier = RevocationCheckingVerifier(_keys(token_mint), issuer=JWT_ISSUER,
                                          audience=JWT_AUDIENCE, statuses=statuses)
    token = token_mint.token("hr", sub="6")
    assert verifier.verify(token).subject == "6"
    asked = fake_auth.asked
    # Within the status cache's time both the signature and auth's answer are remembered.
    assert verifier.remembered(token) is not None and verifier.verify(token).subject == "6"
    assert fake_auth.asked == asked
    fake_auth.active = False  # a logout
    time.sleep(0.6)
    assert verifier.remembered(token) is None  # auth must be asked again: not on the event loop
    with pytest.raises(TokenError, match="revoked"):
        verifier.verify(token)
    assert verifier.remembered(token) is None  # and it stays refused
    with pytest.raises(TokenError, match="revoked"):
        verifier.verify(token)
    statuses.close()


def test_a_held_service_token_is_answered_without_asking_auth(fake_auth: FakeAuth) -> None:
    tokens = ServiceTokenClient(fake_auth.url, "gateway", "x")
    assert tokens.cached() is None  # none held yet: token() must ask auth (in a thread)
    assert tokens.token() == "service"
    assert tokens.cached() == "service"
    tokens.forget()  # refused somewhere: the next call renews it
    assert tokens.cached() is None
