"""Refresh rotation: a refresh token that comes back after rotation revokes its whole family."""

from __future__ import annotations

import logging

PASSWORD = "correct horse battery"


def refresh(api, token: str):
    return api.http.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_reuse_of_a_rotated_token_revokes_the_family(api, caplog) -> None:
    api.register("rita")
    r1 = api.login("rita", PASSWORD)["refresh_token"]
    other_session = api.login("rita", PASSWORD)["refresh_token"]
    r2 = refresh(api, r1).json()["refresh_token"]
    r3 = refresh(api, r2).json()["refresh_token"]
    with caplog.at_level(logging.WARNING, logger="auth_svc"):
        reused = refresh(api, r1)
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "invalid_refresh_token"
    assert any("reuse" in record.getMessage() for record in caplog.records)
    # The thief's and the owner's latest tokens of that family are both dead now...
    assert refresh(api, r3).status_code == 401
    # ...while a separate login of the same user is untouched.
    assert refresh(api, other_session).status_code == 200


def test_unknown_and_garbage_refresh_tokens_are_401(api) -> None:
    assert refresh(api, "not-a-token").status_code == 401
    assert api.http.post("/api/v1/auth/refresh", json={}).status_code == 422


def test_expired_refresh_token_is_refused(open_api) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from auth_svc.accounts.models import RefreshToken
    from auth_svc.db import utcnow

    with open_api() as api:
        api.register("sam")
        token = api.login("sam", PASSWORD)["refresh_token"]
        with api.runtime.session_factory() as session:
            session.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
            session.commit()
        assert refresh(api, token).status_code == 401


def test_refresh_carries_current_roles(api) -> None:
    user = api.register("tom")
    token = api.login("tom", PASSWORD)["refresh_token"]
    api.http.patch(f"/api/v1/users/{user['id']}", headers=api.admin_headers(),
                   json={"roles": ["hr"]}).raise_for_status()
    import jwt

    access = refresh(api, token).json()["access_token"]
    assert jwt.decode(access, options={"verify_signature": False})["roles"] == ["hr"]


def test_refresh_tokens_are_stored_hashed(sqlite_api) -> None:
    from sqlalchemy import select

    from auth_svc.accounts.models import RefreshToken

    sqlite_api.register("uma")
    token = sqlite_api.login("uma", PASSWORD)["refresh_token"]
    with sqlite_api.runtime.session_factory() as session:
        hashes = session.scalars(select(RefreshToken.token_hash)).all()
    assert token not in hashes
    assert len(hashes) == 1 and len(hashes[0]) == 64
