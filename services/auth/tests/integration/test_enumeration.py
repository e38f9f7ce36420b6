"""SECURITY.md: login, register and forgot answer the same whether or not the user exists, and
the unknown-user path still spends a hash."""

from __future__ import annotations

import statistics
import time

from argon2 import PasswordHasher

PASSWORD = "correct horse battery"


def test_login_unknown_user_and_wrong_password_answer_identically(api) -> None:
    api.register("vera")
    wrong = api.login_response("vera", "not the password")
    unknown = api.login_response("nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_inactive_account_with_right_password_answers_like_a_wrong_password(api) -> None:
    user = api.register("walt")
    api.http.patch(f"/api/v1/users/{user['id']}", headers=api.admin_headers(),
                   json={"active": False}).raise_for_status()
    inactive = api.login_response("walt", PASSWORD)
    unknown = api.login_response("nobody-here", PASSWORD)
    assert inactive.status_code == unknown.status_code == 401
    assert inactive.json() == unknown.json()


def test_unknown_user_spends_a_password_hash(sqlite_api, monkeypatch) -> None:
    # Counted where the hash is computed (argon2's own verify, under faceclock_common.hashing).
    calls = []
    original = PasswordHasher.verify

    def counting(hasher, stored_hash, password):
        calls.append(stored_hash)
        return original(hasher, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    sqlite_api.login_response("nobody-at-all", "some password")
    assert len(calls) == 1
    assert calls[0].startswith("$argon2id$")


def test_unknown_and_known_users_take_about_the_same_time(open_api) -> None:
    with open_api(throttle_address_free_failures=1000, throttle_account_free_failures=1000) as api:
        api.register("xena")

        def median_seconds(username: str) -> float:
            times = []
            for _ in range(7):
                start = time.perf_counter()
                api.login_response(username, "wrong password")
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        known = median_seconds("xena")
        unknown = median_seconds("nobody-here")
        # Without the dummy hash the unknown path is an order of magnitude faster.
        assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_register_with_an_address_already_in_use_does_not_reveal_it(api) -> None:
    first = api.http.post("/api/v1/auth/register", json={
        "username": "yara", "email": "shared@example.com", "password": PASSWORD})
    response = api.http.post("/api/v1/auth/register", json={
        "username": "yara2", "email": "shared@example.com", "password": PASSWORD})
    assert first.status_code == response.status_code == 202
    assert first.json() == response.json()


def test_register_does_not_tell_whether_a_user_name_is_taken(sqlite_api, smtp_server) -> None:
    """Issue 17 item 16: the same status and body for a free and a taken name; only the owner
    of the address given learns the outcome, by e-mail. The taken account is untouched."""
    port, mailbox = smtp_server
    sqlite_api.runtime.settings.smtp_host = "127.0.0.1"
    sqlite_api.runtime.settings.smtp_port = port
    free = sqlite_api.http.post("/api/v1/auth/register", json={
        "username": "ursula", "email": "ursula@example.com", "password": PASSWORD})
    taken = sqlite_api.http.post("/api/v1/auth/register", json={
        "username": "URSULA", "email": "mallory@example.com", "password": "mallory passphrase 1"})
    assert free.status_code == taken.status_code == 202
    assert free.json() == taken.json()
    mails = {m["To"]: m for m in mailbox.wait_for(2)}
    assert mails["ursula@example.com"]["Subject"] == "Your FaceClock account is ready"
    assert mails["mallory@example.com"]["Subject"] == "Your FaceClock registration"
    notice = mails["mallory@example.com"].get_body(preferencelist=("plain",)).get_content()
    assert "ursula" in notice and "taken" in notice
    assert sqlite_api.login_response("ursula", PASSWORD).status_code == 200
    assert sqlite_api.login_response("ursula", "mallory passphrase 1").status_code == 401


def test_forgot_answers_the_same_for_known_and_unknown_addresses(api) -> None:
    api.register("zoe")
    known = api.http.post("/api/v1/auth/password/forgot", json={"email": "zoe@example.com"})
    unknown = api.http.post("/api/v1/auth/password/forgot", json={"email": "no@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
