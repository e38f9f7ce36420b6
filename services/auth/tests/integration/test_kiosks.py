"""Kiosk devices: admin-created, secret shown once, exchanged for a kiosk-only token, revocable."""

from __future__ import annotations

from faceclock_common.security import JwksKeyStore, TokenVerifier


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def verify(api, token: str):
    return TokenVerifier(
        JwksKeyStore("http://auth/jwks", min_refresh_seconds=0,
                     fetch=lambda _url: api.http.get("/api/v1/auth/jwks.json").json()),
        issuer="faceclock-auth", audience="faceclock").verify(token)


def test_kiosk_lifecycle(api) -> None:
    admin = api.admin_headers()
    created = api.http.post("/api/v1/kiosks", json={"name": "Lobby"}, headers=admin)
    assert created.status_code == 201
    kiosk = created.json()
    secret = kiosk["device_secret"]
    assert len(secret) >= 40 and kiosk["name"] == "Lobby" and kiosk["revoked_at"] is None

    listing = api.http.get("/api/v1/kiosks", headers=admin)
    assert listing.json()["total"] == 1
    assert secret not in listing.text and "device_secret" not in listing.text
    assert api.http.get(f"/api/v1/kiosks/{kiosk['id']}", headers=admin).json()["name"] == "Lobby"

    login = api.http.post("/api/v1/auth/device-login", json={"device_secret": secret})
    assert login.status_code == 200
    body = login.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    principal = verify(api, body["access_token"])
    assert principal.roles == frozenset({"kiosk"})
    assert principal.subject == f"kiosk:{kiosk['id']}"
    assert api.http.get(f"/api/v1/kiosks/{kiosk['id']}", headers=admin).json()["last_used_at"]

    kiosk_headers = bearer(body["access_token"])
    assert api.http.get("/api/v1/users", headers=kiosk_headers).status_code == 403
    assert api.http.get("/api/v1/kiosks", headers=kiosk_headers).status_code == 403
    assert api.http.get("/api/v1/auth/me", headers=kiosk_headers).status_code == 404

    assert api.http.delete(f"/api/v1/kiosks/{kiosk['id']}", headers=admin).status_code == 204
    revoked = api.http.post("/api/v1/auth/device-login", json={"device_secret": secret})
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "invalid_device"
    assert api.http.get(f"/api/v1/kiosks/{kiosk['id']}", headers=admin).json()["revoked_at"]


def test_only_admins_manage_kiosks(api) -> None:
    api.register("kim")
    employee = api.user_headers("kim")
    assert api.http.post("/api/v1/kiosks", json={"name": "x"}, headers=employee).status_code == 403
    assert api.http.post("/api/v1/kiosks", json={"name": "x"}).status_code == 401


def test_wrong_device_secret_and_missing_kiosk(sqlite_api) -> None:
    bad = sqlite_api.http.post("/api/v1/auth/device-login", json={"device_secret": "fck_nope"})
    assert bad.status_code == 401
    admin = sqlite_api.admin_headers()
    assert sqlite_api.http.get("/api/v1/kiosks/999", headers=admin).status_code == 404
    assert sqlite_api.http.delete("/api/v1/kiosks/999", headers=admin).status_code == 404
    assert sqlite_api.http.post("/api/v1/kiosks", json={"name": ""}, headers=admin).status_code == 422
