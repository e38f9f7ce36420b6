"""HR invites an employee: a real e-mail with a link that works once and expires; accepting it
creates the account linked to that employee. Bad input is a 4xx, never a 500."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from auth_svc.db import utcnow
from auth_svc.invitations.models import Invitation

PASSWORD = "correct horse battery"


def _token(mail: Any) -> str:
    text = mail.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https://faceclock\.example/accept-invitation\?token=([\w-]+)", text)
    assert found, text
    return found.group(1)


def _hr(api: Any) -> dict[str, str]:
    hr = api.register("helen")
    api.http.patch(f"/api/v1/users/{hr['id']}", json={"roles": ["hr"]},
                   headers=api.admin_headers())
    return dict(api.user_headers("helen"))


def test_an_invited_employee_signs_up_once_linked_to_their_record(
        sqlite_api: Any, smtp_server: Any) -> None:
    port, mailbox = smtp_server
    settings = sqlite_api.runtime.settings
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    hr = _hr(sqlite_api)
    mailbox.wait_for(1)
    mailbox.messages.clear()
    sent = sqlite_api.http.post("/api/v1/users/invitations", headers=hr, json={
        "employee_id": 77, "email": "wang@example.com", "name": "王芳", "language": "zh-CN"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["employee_id"] == 77 and sent.json()["email"] == "wang@example.com"
    (mail,) = mailbox.wait_for(1)
    assert (mail["To"], mail["Subject"]) == ("wang@example.com", "邀请您使用 FaceClock")
    assert "王芳，您好：" in mail.get_body(preferencelist=("plain",)).get_content()
    token = _token(mail)

    weak = sqlite_api.http.post("/api/v1/auth/invitations/accept", json={
        "token": token, "username": "wangfang", "password": "short"})
    assert weak.status_code == 422  # the policy first: the link is not spent
    taken = sqlite_api.http.post("/api/v1/auth/invitations/accept", json={
        "token": token, "username": "helen", "password": PASSWORD})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "username_taken"
    accepted = sqlite_api.http.post("/api/v1/auth/invitations/accept", json={
        "token": token, "username": "wangfang", "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json() == {"username": "wangfang", "employee_id": 77}
    me = sqlite_api.http.get("/api/v1/auth/me", headers=sqlite_api.user_headers("wangfang"))
    assert me.json()["employee_id"] == 77 and me.json()["roles"] == ["employee"]
    assert me.json()["email"] == "wang@example.com" and me.json()["language"] == "zh-CN"

    # Single use: the link works no more, and the employee cannot be invited twice.
    again = sqlite_api.http.post("/api/v1/auth/invitations/accept", json={
        "token": token, "username": "wangfang2", "password": PASSWORD})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_invitation"
    twice = sqlite_api.http.post("/api/v1/users/invitations", headers=hr, json={
        "employee_id": 77, "email": "wang@example.com", "name": "王芳"})
    assert twice.status_code == 409


def test_an_expired_or_unknown_link_is_refused(sqlite_api: Any, smtp_server: Any) -> None:
    port, mailbox = smtp_server
    settings = sqlite_api.runtime.settings
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    hr = _hr(sqlite_api)
    mailbox.wait_for(1)
    mailbox.messages.clear()
    sqlite_api.http.post("/api/v1/users/invitations", headers=hr, json={
        "employee_id": 78, "email": "late@example.com", "name": "Lee Late"})
    (mail,) = mailbox.wait_for(1)
    assert mail["Subject"] == "You are invited to FaceClock"
    token = _token(mail)
    with sqlite_api.runtime.session_factory() as session:
        session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    expired = sqlite_api.http.post("/api/v1/auth/invitations/accept", json={
        "token": token, "username": "leelate", "password": PASSWORD},
        headers={"Accept-Language": "zh-CN"})
    assert expired.status_code == 400
    assert expired.json()["error"]["message"] == "该邀请链接无效、已过期或已被使用，请向人事索取新链接。"
    unknown = sqlite_api.http.post("/api/v1/auth/invitations/accept", json={
        "token": "x" * 43, "username": "leelate", "password": PASSWORD})
    assert unknown.status_code == 400


def test_only_hr_invites_and_bad_input_is_4xx(sqlite_api: Any) -> None:
    hr = _hr(sqlite_api)
    sqlite_api.register("emma")
    good = {"employee_id": 79, "email": "e@example.com", "name": "Emma"}
    assert sqlite_api.http.post("/api/v1/users/invitations", json=good,
                                headers=sqlite_api.user_headers("emma")).status_code == 403
    assert sqlite_api.http.post("/api/v1/users/invitations", json=good).status_code == 401
    for bad in ({**good, "employee_id": 0}, {**good, "employee_id": "x"},
                {**good, "email": "not an address"}, {**good, "name": ""},
                {**good, "language": "fr"}, {**good, "extra": 1}):
        reply = sqlite_api.http.post("/api/v1/users/invitations", json=bad, headers=hr)
        assert reply.status_code == 422, (bad, reply.text)
    for bad_accept in ({"token": "", "username": "abc", "password": PASSWORD},
                       {"token": "t", "username": "a b", "password": PASSWORD},
                       {"token": "t" * 300, "username": "abc", "password": PASSWORD}, {}):
        reply = sqlite_api.http.post("/api/v1/auth/invitations/accept", json=bad_accept)
        assert reply.status_code == 422, (bad_accept, reply.text)
