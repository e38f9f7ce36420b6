"""SECURITY.md: other services verify with the JWKS, pin EdDSA, check exp/iss/aud, and refuse
alg:none and HS256-with-the-public-key. Run against this service's real JWKS over HTTP."""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Iterator
from hashlib import sha256
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from faceclock_common.security import JwksKeyStore, TokenError, TokenVerifier

ADMIN = ("admin", "admin12345")


@pytest.fixture
def server(live_server) -> Iterator:
    with live_server() as running:
        yield running


def verifier(server) -> TokenVerifier:
    return TokenVerifier(JwksKeyStore(server.url + "/api/v1/auth/jwks.json", min_refresh_seconds=0),
                         issuer="faceclock-auth", audience="faceclock")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": "faceclock-auth", "aud": "faceclock", "sub": "1", "iat": now, "exp": now + 300,
            "typ": "access", "roles": ["admin"], "username": "admin"}
    base.update(overrides)
    return base


def signed_with_real_key(server, **overrides: Any) -> str:
    key = server.runtime.keyring.current()
    return jwt.encode(claims(**overrides), key.private_key, algorithm="EdDSA",
                      headers={"kid": key.kid})


def real_token(server) -> str:
    response = httpx.post(server.url + "/api/v1/auth/login",
                          json={"username": ADMIN[0], "password": ADMIN[1]})
    return str(response.json()["access_token"])


def test_a_real_token_verifies(server) -> None:
    principal = verifier(server).verify(real_token(server))
    assert principal.roles == frozenset({"admin"})


def test_alg_none_is_refused(server) -> None:
    kid = server.runtime.keyring.current().kid
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    forged = f"{header}.{b64(json.dumps(claims()).encode())}."
    with pytest.raises(TokenError):
        verifier(server).verify(forged)
    assert httpx.get(server.url + "/api/v1/auth/me",
                     headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_hs256_signed_with_the_public_key_is_refused(server) -> None:
    jwk = httpx.get(server.url + "/api/v1/auth/jwks.json").json()["keys"][0]
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": jwk["kid"]}).encode())
    payload = b64(json.dumps(claims()).encode())
    # Try every form of the public key an attacker might use as the HMAC secret.
    secrets = [jwk["x"].encode(), base64.urlsafe_b64decode(jwk["x"] + "=="), json.dumps(jwk).encode()]
    for secret in secrets:
        signature = b64(hmac.new(secret, f"{header}.{payload}".encode(), sha256).digest())
        forged = f"{header}.{payload}.{signature}"
        with pytest.raises(TokenError):
            verifier(server).verify(forged)
        assert httpx.get(server.url + "/api/v1/auth/me",
                         headers={"Authorization": f"Bearer {forged}"}).status_code == 401


@pytest.mark.parametrize("overrides", [
    {"exp": int(time.time()) - 120, "iat": int(time.time()) - 600},
    {"aud": "someone-else"},
    {"iss": "evil-issuer"},
    {"typ": "refresh"},
], ids=["expired", "wrong-audience", "wrong-issuer", "not-access"])
def test_tokens_with_bad_claims_are_refused(server, overrides: dict[str, Any]) -> None:
    control = signed_with_real_key(server)
    assert verifier(server).verify(control).subject == "1"
    forged = signed_with_real_key(server, **overrides)
    with pytest.raises(TokenError):
        verifier(server).verify(forged)
    assert httpx.get(server.url + "/api/v1/users",
                     headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_key_not_in_the_jwks_is_refused(server) -> None:
    stranger = Ed25519PrivateKey.generate()
    kid = server.runtime.keyring.current().kid
    for header_kid in (kid, "unknown-kid"):
        forged = jwt.encode(claims(), stranger, algorithm="EdDSA", headers={"kid": header_kid})
        with pytest.raises(TokenError):
            verifier(server).verify(forged)


def test_a_tampered_payload_is_refused(server) -> None:
    token = real_token(server)
    header, _payload, signature = token.split(".")
    tampered = f"{header}.{b64(json.dumps(claims(roles=['admin', 'hr'])).encode())}.{signature}"
    with pytest.raises(TokenError):
        verifier(server).verify(tampered)


def test_rotation_keeps_old_tokens_valid_and_new_ones_verify(server) -> None:
    check = verifier(server)
    before = real_token(server)
    assert check.verify(before).roles == frozenset({"admin"})
    rotated = httpx.post(server.url + "/api/v1/auth/keys/rotate",
                         headers={"Authorization": f"Bearer {before}"})
    assert rotated.status_code == 200
    body = rotated.json()
    old_kid = jwt.get_unverified_header(before)["kid"]
    assert body["kid"] != old_kid
    assert set(body["published"]) == {old_kid, body["kid"]}
    after = real_token(server)
    assert jwt.get_unverified_header(after)["kid"] == body["kid"]
    # The same verifier (which cached only the old key) picks up the new one and keeps the old.
    assert check.verify(after).roles == frozenset({"admin"})
    assert check.verify(before).roles == frozenset({"admin"})
    kids = {k["kid"] for k in httpx.get(server.url + "/api/v1/auth/jwks.json").json()["keys"]}
    assert kids == {old_kid, body["kid"]}
