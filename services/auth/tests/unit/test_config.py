"""SECURITY.md: production refuses placeholder secrets, the dev admin password, or no SMTP."""

from __future__ import annotations

import pytest

from auth_svc.config import Settings
from faceclock_common.settings import UnsafeConfiguration

SAFE = {
    "ENVIRONMENT": "production",
    "smtp_host": "smtp.example.com",
    "bootstrap_admin_username": "admin",
    "bootstrap_admin_password": "a-real-long-admin-password",
    "service_clients": {"gateway": "0123456789abcdef0123456789abcdef"},
}


def test_safe_production_configuration_passes() -> None:
    Settings(**SAFE).check_production_safety()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("bootstrap_admin_password", "admin12345", "development password"),
    ("bootstrap_admin_password", "changeme", "AUTH_BOOTSTRAP_ADMIN_PASSWORD"),
    ("service_clients", {"gateway": "secret"}, "AUTH_SERVICE_CLIENTS"),
    ("service_clients", {"gateway": "short"}, "AUTH_SERVICE_CLIENTS"),
    ("smtp_host", "", "AUTH_SMTP_HOST"),
])
def test_unsafe_production_values_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(UnsafeConfiguration, match=message):
        Settings(**{**SAFE, field: value}).check_production_safety()


def test_the_test_environment_is_held_to_the_same_rules() -> None:
    with pytest.raises(UnsafeConfiguration):
        Settings(**{**SAFE, "ENVIRONMENT": "test", "smtp_host": ""}).check_production_safety()


def test_development_allows_the_embedded_defaults() -> None:
    Settings(ENVIRONMENT="development", bootstrap_admin_username="admin",
             bootstrap_admin_password="admin12345").check_production_safety()


def test_key_grace_must_cover_the_access_token_lifetime() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Settings(ENVIRONMENT="development", access_token_ttl_seconds=900, key_grace_seconds=300)


def test_trusted_proxies_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
    assert Settings(ENVIRONMENT="development").trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]
    monkeypatch.setenv("AUTH_TRUSTED_PROXIES", "not-a-network")
    with pytest.raises(ValueError):
        Settings(ENVIRONMENT="development")


def test_service_clients_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_SERVICE_CLIENTS", '{"gateway": "abc", "reporting": "def"}')
    clients = Settings(ENVIRONMENT="development").service_clients
    assert {k: v.get_secret_value() for k, v in clients.items()} == {"gateway": "abc", "reporting": "def"}
