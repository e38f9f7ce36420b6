"""One transaction per request in auth, on SQLite and MariaDB: a change that fails part-way leaves
nothing behind, a raced user name answers 409 (registration still answers 202) without spending
an invitation, and a reused refresh token's family stays revoked although the answer is 401."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from auth_svc.accounts import service as accounts
from auth_svc.accounts.models import PasswordResetToken, RefreshToken, User
from auth_svc.db import utcnow
from auth_svc.invitations.models import Invitation
from auth_svc.mail.messages import Recipient
from auth_svc.secrets_util import digest
from faceclock_common.db import make_engine

PASSWORD = "correct horse battery"
NEW_PASSWORD = "another horse, another battery"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def refuse(auth_database_url: str) -> Iterator[Any]:
    """`refuse(table, "UPDATE")`: from then on the database refuses that change, as a broken
    disk would. The triggers are dropped after: the MariaDB database is shared by the session's
    tests."""
    engine = make_engine(auth_database_url)
    made: list[str] = []

    def make(table: str, event: str) -> None:
        if engine.dialect.name == "sqlite":
            body = f"BEGIN SELECT RAISE(ABORT, '{table} refused'); END"
        else:
            body = f"FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{table} refused'"
        name = f"refuse_{table}_{event.lower()}"
        with engine.begin() as connection:
            connection.execute(text(f"CREATE TRIGGER {name} BEFORE {event} ON {table} {body}"))
        made.append(name)

    try:
        yield make
    finally:
        with engine.begin() as connection:
            for name in made:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        engine.dispose()


def test_a_password_change_that_fails_part_way_changes_nothing(api: Any, refuse: Any) -> None:
    user = api.register("pat")
    pair = api.login("pat", PASSWORD)
    with api.runtime.session_factory() as session:
        session.add(PasswordResetToken(user_id=user["id"], token_hash=digest("a link"),
                                       expires_at=utcnow() + timedelta(hours=1)))
        session.commit()
    # Voiding the links still out is the last step, after the new hash, the revoked refresh
    # tokens and the ended access tokens.
    refuse(PasswordResetToken.__tablename__, "UPDATE")

    changed = api.http.post("/api/v1/auth/password/change", headers=bearer(pair["access_token"]),
                            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code >= 500, changed.text

    assert api.login_response("pat", NEW_PASSWORD).status_code == 401
    assert api.http.get("/api/v1/auth/me", headers=bearer(pair["access_token"])).status_code == 200
    refreshed = api.http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


def test_an_account_whose_department_cannot_be_stored_is_not_created(api: Any,
                                                                     refuse: Any) -> None:
    """The account is inserted first (in the user-name savepoint), its department written after
    it: both commit together or not at all."""
    admin = api.admin_headers()
    refuse(User.__tablename__, "UPDATE")
    created = api.http.post("/api/v1/users", headers=admin, json={
        "username": "paula", "email": "paula@example.com", "password": PASSWORD,
        "roles": ["employee"], "department_id": 3})
    assert created.status_code >= 400, created.text
    with api.runtime.session_factory() as session:
        assert session.scalars(select(User.id).where(User.username == "paula")).all() == []


def test_a_raced_user_name_is_refused_without_failing_what_else_the_request_does(
        api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The look-up misses the name (another request stored it meanwhile): the unique key
    catches it in a savepoint."""
    api.register("quinn")
    admin = api.admin_headers()
    mailed: list[Recipient] = []
    monkeypatch.setattr(accounts, "notify_registration", lambda _runtime, to: mailed.append(to))
    monkeypatch.setattr(accounts, "user_by_username", lambda _session, _name: None)

    created = api.http.post("/api/v1/users", headers=admin, json={
        "username": "quinn", "email": "q2@example.com", "password": PASSWORD,
        "roles": ["employee"]})
    assert created.status_code == 409 and created.json()["error"]["code"] == "username_taken"

    registered = api.http.post("/api/v1/auth/register", json={
        "username": "quinn", "email": "q3@example.com", "password": PASSWORD})
    assert registered.status_code == 202, registered.text
    assert [(to.email, to.taken) for to in mailed] == [("q3@example.com", True)]

    with api.runtime.session_factory() as session:
        session.add(Invitation(token_hash=digest("invited"), employee_id=77,
                               email="r@example.com", expires_at=utcnow() + timedelta(days=1)))
        session.commit()
    accept = {"token": "invited", "password": PASSWORD}
    taken = api.http.post("/api/v1/auth/invitations/accept", json={**accept, "username": "quinn"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "username_taken"
    # The claim on the link was undone with the account: it still works.
    fresh = api.http.post("/api/v1/auth/invitations/accept", json={**accept, "username": "rhea"})
    assert fresh.status_code == 201, fresh.text

    with api.runtime.session_factory() as session:
        assert session.scalars(select(User.email).where(User.username == "quinn")).all() == [
            "quinn@example.com"]


def family_of(api: Any, token: str) -> list[RefreshToken]:
    """The committed rows of the token's family, read through a session of their own."""
    with api.runtime.session_factory() as session:
        family = session.scalars(select(RefreshToken.family_id).where(
            RefreshToken.token_hash == digest(token))).one()
        return list(session.scalars(select(RefreshToken).where(
            RefreshToken.family_id == family)))


def refresh(api: Any, token: str) -> Any:
    return api.http.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_a_reused_refresh_token_revokes_its_family_although_the_answer_is_401(api: Any) -> None:
    api.register("rita")
    first = api.login("rita", PASSWORD)["refresh_token"]
    second = refresh(api, first).json()["refresh_token"]
    assert [row.revoked_at for row in family_of(api, first)] == [None, None]

    reused = refresh(api, first)
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "invalid_refresh_token"
    assert all(row.revoked_at is not None for row in family_of(api, second))


def test_a_refresh_that_loses_the_race_for_its_token_revokes_the_family(
        api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another use claims the token between this one's read and its claim. On SQLite the
    revocation would wait for the lock (and fail) if the request's session held a write."""
    api.register("rory")
    token = api.login("rory", PASSWORD)["refresh_token"]
    scope = accounts.session_scope

    def the_other_use_first(factory: Any) -> Any:
        monkeypatch.setattr(accounts, "session_scope", scope)
        with scope(factory) as other:
            row = other.scalars(select(RefreshToken).where(
                RefreshToken.token_hash == digest(token))).one()
            row.used_at = utcnow()
            other.add(RefreshToken(user_id=row.user_id, family_id=row.family_id,
                                   token_hash=digest("its successor"), expires_at=row.expires_at))
        return scope(factory)

    monkeypatch.setattr(accounts, "session_scope", the_other_use_first)
    lost = refresh(api, token)
    assert lost.status_code == 401, lost.text
    family = family_of(api, token)
    assert len(family) == 2 and all(row.revoked_at is not None for row in family)
