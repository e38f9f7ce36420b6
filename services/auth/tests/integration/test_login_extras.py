"""Re-hash at login when argon2 parameters rise; password change by the signed-in user."""

from __future__ import annotations

from sqlalchemy import select

from auth_svc.accounts.models import User

PASSWORD = "correct horse battery"


def stored_hash(api, username: str) -> str:
    with api.runtime.session_factory() as session:
        return session.scalars(select(User.password_hash).where(User.username == username)).one()


def test_login_rehashes_when_the_cost_rose(open_api, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with open_api(url, argon2_time_cost=2) as api:
        api.register("rehash")
        old = stored_hash(api, "rehash")
        assert ",t=2," in old
    with open_api(url, argon2_time_cost=3) as api:
        api.login("rehash", PASSWORD)
        new = stored_hash(api, "rehash")
        assert ",t=3," in new and new != old
        api.login("rehash", PASSWORD)  # the new hash verifies
        assert stored_hash(api, "rehash") == new  # and is not re-hashed again


def test_password_change_checks_current_password_and_policy(sqlite_api, smtp_server) -> None:
    port, mailbox = smtp_server
    sqlite_api.runtime.settings.smtp_host = "127.0.0.1"
    sqlite_api.runtime.settings.smtp_port = port
    sqlite_api.register("chang")
    mailbox.wait_for(1)  # the welcome
    mailbox.messages.clear()
    pair = sqlite_api.login("chang", PASSWORD)
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    wrong = sqlite_api.http.post("/api/v1/auth/password/change", headers=headers, json={
        "current_password": "not it", "new_password": "a whole new phrase"})
    assert wrong.status_code == 400
    weak = sqlite_api.http.post("/api/v1/auth/password/change", headers=headers, json={
        "current_password": PASSWORD, "new_password": "password"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    ok = sqlite_api.http.post("/api/v1/auth/password/change", headers=headers, json={
        "current_password": PASSWORD, "new_password": "a whole new phrase"})
    assert ok.status_code == 204
    assert sqlite_api.login_response("chang", PASSWORD).status_code == 401
    assert sqlite_api.login_response("chang", "a whole new phrase").status_code == 200
    refresh = sqlite_api.http.post("/api/v1/auth/refresh",
                                   json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401
    mailbox.wait_for(1)
    assert mailbox.messages[0]["Subject"] == "Your FaceClock password was changed"


def test_passwords_of_64_characters_and_more_are_accepted(sqlite_api) -> None:
    long_password = "p" * 40 + " with spaces and ünïcode 密码"
    assert len(long_password) >= 64
    sqlite_api.register("longpw", password=long_password)
    assert sqlite_api.login_response("longpw", long_password).status_code == 200
    assert sqlite_api.login_response("longpw", long_password.strip() + "x").status_code == 401


def test_register_refuses_short_and_common_passwords(sqlite_api) -> None:
    for password, fragment in (("short1", "at least 8"), ("iloveyou", "commonly used")):
        response = sqlite_api.http.post("/api/v1/auth/register", json={
            "username": "weak", "email": "weak@example.com", "password": password})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "weak_password"
        assert fragment in response.json()["error"]["message"]
