"""SECURITY.md: failed logins throttled per account and per client address with growing delays
(429 + Retry-After), every lockout logged. Database backend and Redis backend."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
FAST = {"throttle_account_free_failures": 3, "throttle_address_free_failures": 6,
        "throttle_base_delay_seconds": 0.3, "throttle_max_delay_seconds": 30}


@pytest.fixture(params=["sqlite", "mysql", "redis"])
def throttled_api(request, open_api):
    overrides = dict(FAST)
    database_url = None
    if request.param == "redis":
        overrides["AUTH_REDIS_URL"] = request.getfixturevalue("redis_url")
    elif request.param == "mysql":
        database_url = request.getfixturevalue("mysql_auth_url")
    with open_api(database_url, **overrides) as api:
        yield api


def login(api, username: str, password: str, client: TestClient | None = None, **headers):
    http = client or api.http
    return http.post("/api/v1/auth/login", json={"username": username, "password": password},
                     headers=headers)


def test_account_lockout_grows_and_is_logged(throttled_api, caplog) -> None:
    api = throttled_api
    api.register("adam")
    with caplog.at_level(logging.WARNING, logger="auth_svc"):
        for _ in range(3):
            assert login(api, "adam", "wrong password").status_code == 401
        assert login(api, "adam", "wrong password").status_code == 401  # 4th: locks 0.3 s
        locked = login(api, "adam", PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) >= 1
    # One field name for every "come back later" answer (gateway, auth, attendance).
    assert locked.json()["error"]["retry_after_seconds"] == int(locked.headers["Retry-After"])
    lockouts = [r for r in caplog.records if "lockout" in r.getMessage()]
    assert lockouts and lockouts[0].scope == "account" and lockouts[0].account == "adam"

    time.sleep(0.35)
    assert login(api, "adam", "wrong password").status_code == 401  # 5th: locks 0.6 s
    store = api.runtime.throttle.store
    second_lock = store.locked_for("acct:adam")
    assert 0.35 < second_lock <= 0.6
    time.sleep(0.65)
    # After the lock the right password works, and success clears the account counter.
    assert login(api, "adam", PASSWORD).status_code == 200
    assert login(api, "adam", "wrong password").status_code == 401
    assert store.locked_for("acct:adam") == 0


def test_unknown_accounts_lock_the_same_way(throttled_api) -> None:
    for _ in range(4):
        login(throttled_api, "ghost", "wrong password")
    assert login(throttled_api, "ghost", "wrong password").status_code == 429


def test_address_lockout_across_accounts_and_other_addresses_unaffected(throttled_api,
                                                                        caplog) -> None:
    api = throttled_api
    api.register("bella")
    with caplog.at_level(logging.WARNING, logger="auth_svc"):
        for index in range(7):
            login(api, f"spray{index}", "wrong password")
    lockouts = [r for r in caplog.records if "lockout" in r.getMessage()]
    assert [r.scope for r in lockouts] == ["address"]
    assert lockouts[0].address == "203.0.113.7"
    assert login(api, "bella", PASSWORD).status_code == 429
    elsewhere = TestClient(api.http.app, client=("198.51.100.99", 4000))
    assert login(api, "bella", PASSWORD, client=elsewhere).status_code == 200


def test_forwarded_address_counts_only_from_the_trusted_gateway(open_api) -> None:
    with open_api(**FAST) as api:
        gateway = TestClient(api.http.app, client=("127.0.0.1", 4000))
        for index in range(7):
            login(api, f"spray{index}", "wrong", client=gateway, **{"X-Forwarded-For": "198.51.100.5"})
        blocked = login(api, "x", "y", client=gateway, **{"X-Forwarded-For": "198.51.100.5"})
        assert blocked.status_code == 429
        other = login(api, "x", "y", client=gateway, **{"X-Forwarded-For": "198.51.100.6"})
        assert other.status_code == 401
        # An untrusted peer cannot pick its own bucket by sending the header.
        outsider = TestClient(api.http.app, client=("203.0.113.50", 4000))
        for index in range(7):
            login(api, f"o{index}", "wrong", client=outsider, **{"X-Forwarded-For": f"10.9.9.{index}"})
        assert login(api, "x", "y", client=outsider,
                     **{"X-Forwarded-For": "10.9.9.200"}).status_code == 429


def test_registrations_are_throttled_per_address_taken_name_or_not(open_api) -> None:
    """Registration answers the same for a taken name, so every attempt counts alike: probing
    names (or creating accounts) at speed from one address meets growing delays."""
    with open_api(**FAST) as api:
        api.register("taken")
        statuses = [api.http.post("/api/v1/auth/register", json={
            "username": "taken" if n % 2 else f"free{n}", "email": "t@example.com",
            "password": PASSWORD}).status_code for n in range(8)]
        assert statuses[:5] == [202] * 5
        assert statuses[-1] == 429


def test_a_misconfigured_service_locks_only_itself(open_api) -> None:
    secret = "gateway-client-secret-0123456789"
    with open_api(**FAST) as api:
        service = TestClient(api.http.app, client=("127.0.0.1", 4000))
        for _ in range(8):
            service.post("/internal/service-token",
                         json={"client_id": "reporting", "client_secret": "stale secret"})
        locked = service.post("/internal/service-token",
                              json={"client_id": "reporting", "client_secret": "stale secret"})
        assert locked.status_code == 429
        ok = service.post("/internal/service-token",
                          json={"client_id": "gateway", "client_secret": secret})
        assert ok.status_code == 200
        assert login(api, "someone", "wrong", client=service).status_code == 401


def test_device_and_forgot_failures_do_not_spend_the_login_budget(open_api) -> None:
    with open_api(**FAST) as api:
        api.register("office")
        for _ in range(8):
            api.http.post("/api/v1/auth/device-login", json={"device_secret": "fck_stale"})
            api.http.post("/api/v1/auth/password/forgot", json={"email": "x@example.com"})
        assert api.http.post("/api/v1/auth/device-login",
                             json={"device_secret": "fck_stale"}).status_code == 429
        assert api.http.post("/api/v1/auth/password/forgot",
                             json={"email": "x@example.com"}).status_code == 429
        assert login(api, "office", PASSWORD).status_code == 200


def test_redis_down_counts_in_the_database_and_still_locks(open_api, tmp_path) -> None:
    """Issue 17 item 5: with Redis gone, sign-ins keep working (no 500) and stay throttled."""
    from faceclock_dev.testing import private_redis

    redis_server = private_redis(tmp_path)
    server = next(redis_server)
    try:
        with open_api(None, AUTH_REDIS_URL=f"redis://127.0.0.1:{server.port}/0", **FAST) as api:
            api.register("rita")
            assert login(api, "rita", PASSWORD).status_code == 200
            server.kill()
            assert login(api, "rita", PASSWORD).status_code == 200
            answers = [login(api, "rita", "wrong password").status_code for _ in range(4)]
            assert answers == [401, 401, 401, 401]
            locked = login(api, "rita", PASSWORD)
            assert locked.status_code == 429, locked.text
            assert locked.json()["error"]["code"] == "too_many_attempts"
            assert api.runtime.throttle.store.fallback.locked_for("acct:rita") > 0
    finally:
        redis_server.close()
