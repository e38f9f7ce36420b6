"""The reset flow end to end: forgot -> a real SMTP server receives the mail -> follow the link.

SECURITY.md: >= 128-bit token stored only as SHA-256, single use, 30 min expiry, link from the
configured base URL (never the Host header), refresh tokens revoked, notification sent.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select, update

from auth_svc.accounts.models import PasswordResetToken
from auth_svc.db import utcnow
from auth_svc.secrets_util import digest

PASSWORD = "correct horse battery"

NEW_PASSWORD = "a brand new passphrase"
BASE = "https://faceclock.example"


def link_in(message) -> str:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+", plain)
    assert match, plain
    return match.group(0)


def test_reset_end_to_end(live_server, smtp_server, auth_database_url) -> None:
    port, mailbox = smtp_server
    with live_server(auth_database_url, smtp_host="127.0.0.1", smtp_port=port) as server:
        http = httpx.Client(base_url=server.url, timeout=10)
        http.post("/api/v1/auth/register", json={
            "username": "nina", "email": "nina@example.com", "password": PASSWORD,
            "language": "zh-CN"}).raise_for_status()
        assert mailbox.wait_for(1)[0]["To"] == "nina@example.com"  # the welcome
        mailbox.messages.clear()
        old_pair = http.post("/api/v1/auth/login",
                             json={"username": "nina", "password": PASSWORD}).json()

        # The Host header is the attacker's; the link must still use the configured base URL.
        forgot = http.post("/api/v1/auth/password/forgot", json={"email": "nina@example.com"},
                           headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
        assert forgot.status_code == 202
        mailbox.wait_for(1)
        mail = mailbox.messages[0]
        assert mail["To"] == "nina@example.com"
        assert mail["Subject"] == "重置您的 FaceClock 密码"  # the user's language
        assert mail.get_body(preferencelist=("html",)) is not None
        link = link_in(mail)
        assert link.startswith(f"{BASE}/reset-password?token=")
        assert "evil" not in link
        token = parse_qs(urlsplit(link).query)["token"][0]
        assert len(token) >= 22  # 128 bits in URL-safe base64; we send 256

        # Only the SHA-256 of the token is stored.
        with server.runtime.session_factory() as session:
            stored = session.scalars(select(PasswordResetToken.token_hash)).all()
        assert stored == [digest(token)]
        assert token not in stored

        weak = http.post("/api/v1/auth/password/reset", json={"token": token, "new_password": "short"})
        assert weak.status_code == 422  # a weak choice does not spend the link

        reset = http.post("/api/v1/auth/password/reset",
                          json={"token": token, "new_password": NEW_PASSWORD})
        assert reset.status_code == 204

        assert http.post("/api/v1/auth/login",
                         json={"username": "nina", "password": NEW_PASSWORD}).status_code == 200
        assert http.post("/api/v1/auth/login",
                         json={"username": "nina", "password": PASSWORD}).status_code == 401
        assert http.post("/api/v1/auth/refresh",
                         json={"refresh_token": old_pair["refresh_token"]}).status_code == 401

        again = http.post("/api/v1/auth/password/reset",
                          json={"token": token, "new_password": "yet another passphrase"})
        assert again.status_code == 400
        assert again.json()["error"]["code"] == "invalid_token"

        # The notification after the change.
        mailbox.wait_for(2)
        notice = mailbox.messages[1]
        assert notice["To"] == "nina@example.com"
        assert notice["Subject"] == "您的 FaceClock 密码已更改"

        # An expired link is refused.
        http.post("/api/v1/auth/password/forgot", json={"email": "nina@example.com"})
        mailbox.wait_for(3)
        expired_token = parse_qs(urlsplit(link_in(mailbox.messages[2])).query)["token"][0]
        with server.runtime.session_factory() as session:
            session.execute(update(PasswordResetToken)
                            .where(PasswordResetToken.token_hash == digest(expired_token))
                            .values(expires_at=utcnow() - timedelta(seconds=1)))
            session.commit()
        expired = http.post("/api/v1/auth/password/reset",
                            json={"token": expired_token, "new_password": "expired passphrase"})
        assert expired.status_code == 400
        assert http.post("/api/v1/auth/login", json={
            "username": "nina", "password": NEW_PASSWORD}).status_code == 200


def test_reset_links_expire_after_30_minutes(sqlite_api, smtp_server) -> None:
    port, mailbox = smtp_server
    runtime = sqlite_api.runtime
    runtime.settings.smtp_host = "127.0.0.1"
    runtime.settings.smtp_port = port
    sqlite_api.register("olga")
    mailbox.wait_for(1)  # the welcome
    mailbox.messages.clear()
    before = utcnow()
    sqlite_api.http.post("/api/v1/auth/password/forgot", json={"email": "olga@example.com"})
    assert len(mailbox.messages) == 1
    with runtime.session_factory() as session:
        row = session.scalars(select(PasswordResetToken)).one()
    lifetime = row.expires_at - before
    assert timedelta(minutes=29) < lifetime <= timedelta(minutes=30, seconds=5)


def test_forgot_for_an_unknown_address_sends_nothing_and_answers_the_same(
        sqlite_api, smtp_server) -> None:
    port, mailbox = smtp_server
    sqlite_api.runtime.settings.smtp_host = "127.0.0.1"
    sqlite_api.runtime.settings.smtp_port = port
    sqlite_api.register("pete")
    mailbox.wait_for(1)  # the welcome
    mailbox.messages.clear()
    known = sqlite_api.http.post("/api/v1/auth/password/forgot", json={"email": "pete@example.com"})
    unknown = sqlite_api.http.post("/api/v1/auth/password/forgot",
                                   json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m["To"] for m in mailbox.messages] == ["pete@example.com"]


def test_a_newer_password_change_voids_older_reset_links(sqlite_api, smtp_server) -> None:
    port, mailbox = smtp_server
    sqlite_api.runtime.settings.smtp_host = "127.0.0.1"
    sqlite_api.runtime.settings.smtp_port = port
    sqlite_api.register("quinn")
    mailbox.wait_for(1)  # the welcome
    mailbox.messages.clear()
    for _ in range(2):
        sqlite_api.http.post("/api/v1/auth/password/forgot", json={"email": "quinn@example.com"})
    first, second = (parse_qs(urlsplit(link_in(m)).query)["token"][0] for m in mailbox.messages)
    assert sqlite_api.http.post("/api/v1/auth/password/reset", json={
        "token": second, "new_password": NEW_PASSWORD}).status_code == 204
    assert sqlite_api.http.post("/api/v1/auth/password/reset", json={
        "token": first, "new_password": "another new passphrase"}).status_code == 400
