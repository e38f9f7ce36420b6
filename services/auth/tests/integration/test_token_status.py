"""Issue 17 items 3 and 11, auth's side: the token version the gateway checks, and the unlink
the gateway's employee erasure calls."""

from __future__ import annotations

from typing import Any

import jwt

PASSWORD = "correct horse battery"
GATEWAY_SECRET = "gateway-client-secret-0123456789"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _service(api: Any) -> dict[str, str]:
    reply = api.http.post("/internal/service-token",
                          json={"client_id": "gateway", "client_secret": GATEWAY_SECRET})
    assert reply.status_code == 200, reply.text
    return bearer(reply.json()["access_token"])


def _status(api: Any, subject: str, sid: str = "") -> dict[str, Any]:
    reply = api.http.get(f"/internal/token-status/{subject}", headers=_service(api),
                         params={"sid": sid} if sid else None)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _version(token: str) -> int:
    return int(jwt.decode(token, options={"verify_signature": False})["ver"])


def _sid(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["sid"])


def test_logout_reset_and_deactivation_move_the_version_past_issued_tokens(sqlite_api) -> None:
    user = sqlite_api.register("tess")
    subject = str(user["id"])
    first = sqlite_api.login("tess", PASSWORD)
    assert _status(sqlite_api, subject) == {"active": True, "version": _version(first["access_token"])}

    second = sqlite_api.login("tess", PASSWORD)
    # Logging one session out ends its access tokens, not those of the user's other sessions.
    sqlite_api.http.post("/api/v1/auth/logout", json={"refresh_token": first["refresh_token"]})
    assert _status(sqlite_api, subject, _sid(first["access_token"]))["active"] is False
    assert _status(sqlite_api, subject, _sid(second["access_token"])) == {
        "active": True, "version": _version(second["access_token"])}
    me = sqlite_api.http.get("/api/v1/auth/me", headers=bearer(first["access_token"]))
    assert me.status_code == 401

    assert _status(sqlite_api, subject)["version"] == _version(second["access_token"])
    sqlite_api.http.post("/api/v1/auth/logout", headers=bearer(second["access_token"]))
    assert _status(sqlite_api, subject)["version"] > _version(second["access_token"])

    third = sqlite_api.login("tess", PASSWORD)
    admin = sqlite_api.admin_headers()
    roles = sqlite_api.http.patch(f"/api/v1/users/{subject}", headers=admin,
                                  json={"roles": ["employee", "manager"]})
    assert roles.status_code == 200
    assert _status(sqlite_api, subject)["version"] > _version(third["access_token"])
    sqlite_api.http.patch(f"/api/v1/users/{subject}", headers=admin, json={"active": False})
    assert _status(sqlite_api, subject)["active"] is False


def test_kiosk_revocation_and_unknown_subjects(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    kiosk = sqlite_api.http.post("/api/v1/kiosks", headers=admin, json={"name": "Door"}).json()
    assert _status(sqlite_api, f"kiosk:{kiosk['id']}")["active"] is True
    sqlite_api.http.delete(f"/api/v1/kiosks/{kiosk['id']}", headers=admin)
    assert _status(sqlite_api, f"kiosk:{kiosk['id']}")["active"] is False
    assert _status(sqlite_api, "999999")["active"] is False
    assert _status(sqlite_api, "kiosk:999999")["active"] is False
    assert _status(sqlite_api, "99999999999999999999999")["active"] is False
    assert _status(sqlite_api, "service:reporting")["active"] is True
    # Users, even admins, cannot ask: internal routes are for services.
    assert sqlite_api.http.get("/internal/token-status/1", headers=admin).status_code == 403


def test_unlinking_an_erased_employee(sqlite_api) -> None:
    admin = sqlite_api.admin_headers()
    user = sqlite_api.register("ivan")
    linked = sqlite_api.http.patch(f"/api/v1/users/{user['id']}", headers=admin,
                                   json={"employee_id": 31, "department_id": 4})
    assert linked.status_code == 200
    token = sqlite_api.login("ivan", PASSWORD)["access_token"]
    reply = sqlite_api.http.post("/internal/employees/31/unlink", headers=_service(sqlite_api))
    assert reply.status_code == 200 and reply.json() == {"unlinked": 1}
    account = sqlite_api.http.get(f"/api/v1/users/{user['id']}", headers=admin).json()
    assert account["employee_id"] is None and account["department_id"] is None
    assert _status(sqlite_api, str(user["id"]))["version"] > _version(token)
    again = sqlite_api.http.post("/internal/employees/31/unlink", headers=_service(sqlite_api))
    assert again.json() == {"unlinked": 0}
    assert sqlite_api.http.post("/internal/employees/31/unlink", headers=admin).status_code == 403
