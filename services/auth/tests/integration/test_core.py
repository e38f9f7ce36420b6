"""The core slice on SQLite and MariaDB: register, login, refresh, logout, me, users, tokens."""

from __future__ import annotations

import jwt
import pytest

from faceclock_common.security import JwksKeyStore, TokenVerifier

ADMIN = ("admin", "admin12345")
GATEWAY_SECRET = "gateway-client-secret-0123456789"
PASSWORD = "correct horse battery"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def verifier_for(api) -> TokenVerifier:
    """faceclock_common's verifier, fed with the JWKS document this service publishes."""
    def fetch(_url: str) -> dict:
        return api.http.get("/api/v1/auth/jwks.json").json()

    return TokenVerifier(JwksKeyStore("http://auth/jwks", fetch=fetch, min_refresh_seconds=0),
                         issuer="faceclock-auth", audience="faceclock")


def test_register_answers_202_and_creates_an_employee_account(api) -> None:
    response = api.http.post("/api/v1/auth/register", json={
        "username": "Alice", "email": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    assert "password" not in response.text and "argon2" not in response.text
    me = api.http.get("/api/v1/auth/me", headers=api.user_headers("alice")).json()
    assert me["username"] == "alice" and me["email"] == "alice@example.com"
    assert me["roles"] == ["employee"] and isinstance(me["id"], int)


def test_an_admin_creating_a_taken_username_gets_409(api) -> None:
    """Registration does not tell (test_enumeration); an admin's create may: admins know names."""
    api.register("bob")
    response = api.http.post("/api/v1/users", headers=api.admin_headers(), json={
        "username": "BOB", "email": "other@example.com", "password": PASSWORD,
        "roles": ["employee"]})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "username_taken"


def test_register_closed_by_configuration(open_api) -> None:
    with open_api(registration_open=False) as api:
        response = api.http.post("/api/v1/auth/register", json={
            "username": "carol", "email": "c@example.com", "password": PASSWORD})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "registration_closed"


@pytest.mark.parametrize("body", [
    {"username": "x", "email": "a@example.com", "password": PASSWORD},
    {"username": "valid_name", "email": "not-an-email", "password": PASSWORD},
    {"username": "valid_name", "email": "a@example.com"},
    {"username": "has space", "email": "a@example.com", "password": PASSWORD},
])
def test_register_bad_input_is_422_json(sqlite_api, body: dict) -> None:
    response = sqlite_api.http.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_login_returns_a_verifiable_eddsa_access_token(api) -> None:
    user = api.register("dave")
    pair = api.login("dave", PASSWORD)
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 900
    header = jwt.get_unverified_header(pair["access_token"])
    assert header["alg"] == "EdDSA"
    assert header["kid"] in {k["kid"] for k in api.http.get("/api/v1/auth/jwks.json").json()["keys"]}
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["iss"] == "faceclock-auth"
    assert claims["aud"] == "faceclock"
    assert claims["typ"] == "access"
    assert claims["sub"] == str(user["id"])
    assert claims["roles"] == ["employee"]
    assert claims["username"] == "dave"
    assert claims["exp"] - claims["iat"] == 900
    principal = verifier_for(api).verify(pair["access_token"])
    assert principal.user_id == user["id"]
    assert principal.roles == frozenset({"employee"})


def test_wrong_password_is_401(api) -> None:
    api.register("erin")
    response = api.login_response("erin", "wrong password here")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_me_and_language(api) -> None:
    user = api.register("frank", language="zh-CN")
    headers = api.user_headers("frank")
    me = api.http.get("/api/v1/auth/me", headers=headers).json()
    assert me["id"] == user["id"]
    assert me["language"] == "zh-CN"
    assert me["employee_id"] is None
    response = api.http.patch("/api/v1/auth/me", json={"language": "en"}, headers=headers)
    assert response.status_code == 200
    assert api.http.get("/api/v1/auth/me", headers=headers).json()["language"] == "en"
    bad = api.http.patch("/api/v1/auth/me", json={"language": "fr"}, headers=headers)
    assert bad.status_code == 422
    forbidden_field = api.http.patch("/api/v1/auth/me", json={"roles": ["admin"]}, headers=headers)
    assert forbidden_field.status_code == 422


def test_me_without_token_is_401(api) -> None:
    response = api.http.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_refresh_gives_a_new_pair_and_the_old_refresh_token_stops_working(api) -> None:
    api.register("gina")
    first = api.login("gina", PASSWORD)
    response = api.http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api.http.get("/api/v1/auth/me", headers=bearer(second["access_token"])).status_code == 200
    again = api.http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401


def test_logout_revokes_the_refresh_token(api) -> None:
    api.register("hank")
    pair = api.login("hank", PASSWORD)
    response = api.http.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 204
    refresh = api.http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


def test_logout_with_bearer_only_ends_every_session(api) -> None:
    api.register("ivy")
    one = api.login("ivy", PASSWORD)
    two = api.login("ivy", PASSWORD)
    response = api.http.post("/api/v1/auth/logout", headers=bearer(one["access_token"]))
    assert response.status_code == 204
    for pair in (one, two):
        refresh = api.http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refresh.status_code == 401
    assert api.http.post("/api/v1/auth/logout").status_code == 401


def test_bootstrap_admin_exists_and_is_admin(api) -> None:
    claims = jwt.decode(api.login(*ADMIN)["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["admin"]


def test_admin_lists_and_links_account_to_employee(api) -> None:
    user = api.register("jack")
    admin = api.admin_headers()
    page = api.http.get("/api/v1/users?limit=10&offset=0", headers=admin).json()
    assert page["total"] == 2
    assert {u["username"] for u in page["items"]} == {"admin", "jack"}
    filtered = api.http.get("/api/v1/users?role=employee", headers=admin).json()
    assert [u["username"] for u in filtered["items"]] == ["jack"]
    response = api.http.patch(f"/api/v1/users/{user['id']}", headers=admin,
                              json={"employee_id": 42, "department_id": 7, "roles": ["manager"]})
    assert response.status_code == 200
    assert response.json()["employee_id"] == 42
    claims = jwt.decode(api.login("jack", PASSWORD)["access_token"],
                        options={"verify_signature": False})
    assert claims["employee_id"] == 42
    assert claims["department_id"] == 7
    assert claims["roles"] == ["manager"]
    me = api.http.get("/api/v1/auth/me", headers=api.user_headers("jack")).json()
    assert me["employee_id"] == 42
    by_employee = api.http.get("/api/v1/users?employee_id=42", headers=admin).json()
    assert [u["id"] for u in by_employee["items"]] == [user["id"]]
    unlink = api.http.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"employee_id": None})
    assert unlink.json()["employee_id"] is None


def test_one_employee_one_account(api) -> None:
    a = api.register("kate")
    b = api.register("liam")
    admin = api.admin_headers()
    assert api.http.patch(f"/api/v1/users/{a['id']}", headers=admin,
                          json={"employee_id": 5}).status_code == 200
    clash = api.http.patch(f"/api/v1/users/{b['id']}", headers=admin, json={"employee_id": 5})
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "employee_already_linked"


def test_deactivated_user_cannot_log_in_or_refresh(api) -> None:
    user = api.register("mia")
    pair = api.login("mia", PASSWORD)
    admin = api.admin_headers()
    response = api.http.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"active": False})
    assert response.status_code == 200 and response.json()["active"] is False
    assert api.login_response("mia", PASSWORD).status_code == 401
    refresh = api.http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


def test_service_token_for_a_configured_client(api) -> None:
    response = api.http.post("/internal/service-token",
                             json={"client_id": "gateway", "client_secret": GATEWAY_SECRET})
    assert response.status_code == 200
    body = response.json()
    principal = verifier_for(api).verify(body["access_token"])
    assert principal.subject == "service:gateway"
    assert principal.roles == frozenset({"service"})
    assert body["expires_in"] == 900
    for client_id, secret in (("gateway", "wrong"), ("nobody", GATEWAY_SECRET)):
        refused = api.http.post("/internal/service-token",
                                json={"client_id": client_id, "client_secret": secret})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_client"


def test_health_and_readiness(api) -> None:
    assert api.http.get("/healthz").json() == {"status": "ok"}
    assert api.http.get("/readyz").json() == {"status": "ready"}


def test_user_search_treats_wildcards_literally(api) -> None:
    api.register("under_score")
    api.register("underxscore")
    admin = api.admin_headers()
    found = api.http.get("/api/v1/users", params={"q": "under_"}, headers=admin).json()
    assert [u["username"] for u in found["items"]] == ["under_score"]
    by_mail = api.http.get("/api/v1/users", params={"q": "UNDERXSCORE@EXAMPLE"}, headers=admin)
    assert [u["username"] for u in by_mail.json()["items"]] == ["underxscore"]


def test_logout_with_an_expired_access_token_still_revokes_the_refresh_token(api) -> None:
    api.register("expired_logout")
    pair = api.login("expired_logout", PASSWORD)
    stale = "Bearer eyJhbGciOiJFZERTQSJ9.e30.invalid"
    response = api.http.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]},
                             headers={"Authorization": stale})
    assert response.status_code == 204
    refresh = api.http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401
    assert api.http.post("/api/v1/auth/logout", headers={"Authorization": stale}).status_code == 401


def test_no_admin_is_made_unless_configured(open_api) -> None:
    with open_api(bootstrap_admin_username="", bootstrap_admin_password="") as api:
        assert api.login_response(*ADMIN).status_code == 401
        from sqlalchemy import func, select

        from auth_svc.accounts.models import User

        with api.runtime.session_factory() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 0


def test_a_restart_does_not_reset_the_admin_password(open_api, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    new_password = "the admin chose this one"
    with open_api(url) as api:
        headers = api.admin_headers()
        api.http.post("/api/v1/auth/password/change", headers=headers, json={
            "current_password": ADMIN[1], "new_password": new_password}).raise_for_status()
    with open_api(url) as api:
        assert api.login_response(*ADMIN).status_code == 401
        assert api.login_response(ADMIN[0], new_password).status_code == 200
