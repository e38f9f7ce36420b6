"""Configuration of the auth service: environment variables with the AUTH_ prefix, read once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator

from faceclock_common.settings import (
    PLACEHOLDER_SECRETS,
    HttpServiceSettings,
    TrustedProxies,
    UnsafeConfiguration,
    service_config,
)

# The embedded development run's admin password (API.md); production refuses it.
DEV_ADMIN_PASSWORD = "admin12345"  # noqa: S105 - known on purpose, so it can be refused
LANGUAGES = ("en", "zh-CN")


class Settings(HttpServiceSettings):
    model_config = service_config("AUTH_")

    port: int = 8001
    database_url: str = "sqlite:///var/auth.db"

    # Ed25519 signing keys as PEM files; generated at first start in development only.
    keys_dir: Path = Path("var/keys")
    # How long a superseded key stays in the JWKS: at least the access-token lifetime.
    key_grace_seconds: int = Field(86_400, ge=60)
    access_token_ttl_seconds: int = Field(900, ge=30, le=86_400)
    refresh_token_ttl_seconds: int = Field(14 * 86_400, ge=300)
    service_token_ttl_seconds: int = Field(900, ge=30, le=86_400)
    kiosk_token_ttl_seconds: int = Field(900, ge=30, le=86_400)

    # Client-credentials callers of /internal/service-token: JSON object client id -> secret.
    service_clients: dict[str, SecretStr] = Field(default_factory=dict)

    registration_open: bool = False
    bootstrap_admin_username: str = ""
    bootstrap_admin_password: SecretStr = SecretStr("")
    bootstrap_admin_email: str = "admin@faceclock.local"

    # Argon2id cost (OWASP minimum m=19 MiB, t=2, p=1). Raising them re-hashes at next login.
    argon2_time_cost: int = Field(2, ge=2)
    argon2_memory_kib: int = Field(19_456, ge=19_456)
    argon2_parallelism: int = Field(1, ge=1)
    password_min_length: int = Field(8, ge=8)
    password_max_length: int = Field(128, ge=64)

    # Failed-login throttling: after `free` failures each further one locks the key for
    # base * 2^(n - free - 1) seconds, capped; counters are forgotten after the window.
    throttle_account_free_failures: int = Field(5, ge=1)
    throttle_address_free_failures: int = Field(20, ge=1)
    throttle_base_delay_seconds: float = Field(1.0, gt=0)
    throttle_max_delay_seconds: float = Field(900.0, gt=0)
    throttle_window_seconds: int = Field(3600, ge=60)
    # Peers whose X-Forwarded-For is believed (the gateway); anyone else is the client itself.
    trusted_proxies: TrustedProxies = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"]
    )
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("FACECLOCK_REDIS_URL", "AUTH_REDIS_URL")
    )

    # How often expired refresh/reset tokens and stale throttle rows are deleted.
    housekeeping_interval_seconds: float = Field(3600, gt=0)

    # Password reset e-mail.
    password_reset_ttl_seconds: int = Field(1800, ge=60, le=1800)
    # How long HR's invitation link to an employee works (once).
    invitation_ttl_seconds: int = Field(7 * 86400, ge=60, le=30 * 86400)
    public_base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_seconds: float = 10.0
    # Extra CA bundle for the SMTP server's certificate (a private CA); system CAs otherwise.
    smtp_ca_file: Path | None = None
    mail_from: str = "FaceClock <no-reply@faceclock.local>"

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _grace_covers_tokens(self) -> Settings:
        if self.key_grace_seconds < self.access_token_ttl_seconds:
            raise ValueError("AUTH_KEY_GRACE_SECONDS must be at least the access-token lifetime")
        return self

    def check_production_safety(self) -> None:
        """Refuse to start outside development with development defaults (SECURITY.md)."""
        if self.environment == "development":
            return
        for client_id, secret in self.service_clients.items():
            self._require(f"AUTH_SERVICE_CLIENTS[{client_id}]", secret.get_secret_value())
        password = self.bootstrap_admin_password.get_secret_value()
        if self.bootstrap_admin_username:
            if password == DEV_ADMIN_PASSWORD:
                raise UnsafeConfiguration(
                    "AUTH_BOOTSTRAP_ADMIN_PASSWORD is the development password; set a real one"
                )
            self._require("AUTH_BOOTSTRAP_ADMIN_PASSWORD", password)
        if not self.smtp_host:
            raise UnsafeConfiguration("AUTH_SMTP_HOST must be configured outside development")
        if self.smtp_username:
            self._require("AUTH_SMTP_PASSWORD", self.smtp_password.get_secret_value())

    def _require(self, name: str, value: str) -> None:
        # ServiceSettings.require_secret only bites in production; test runs must be safe too.
        if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 16:
            raise UnsafeConfiguration(f"{name} must be set to a real secret outside development")

    @property
    def generate_keys(self) -> bool:
        """Only a development run may make its own signing key; others must be given one."""
        return self.environment == "development"
