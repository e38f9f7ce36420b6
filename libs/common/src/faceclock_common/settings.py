"""Settings base shared by every service (pydantic-settings; each service adds its own prefix)."""

from __future__ import annotations

import json
import os
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from faceclock_common.addresses import parse_networks


def _split_list(value: object) -> object:
    """A list setting from the environment: a JSON list, or comma-separated."""
    if isinstance(value, str):
        if value.strip().startswith("["):
            return json.loads(value)
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _valid_networks(value: list[str]) -> list[str]:
    parse_networks(value)  # a bad entry stops the service at start, not a request later
    return value


# A list of strings read as `a, b` or `["a", "b"]` (NoDecode hands pydantic-settings' raw text
# to the splitter).
ListSetting = Annotated[list[str], NoDecode, BeforeValidator(_split_list)]
# Peers whose X-Forwarded-For is believed (faceclock_common.addresses): addresses or CIDR ranges.
TrustedProxies = Annotated[list[str], NoDecode, BeforeValidator(_split_list),
                           AfterValidator(_valid_networks)]

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})


class UnsafeConfiguration(RuntimeError):
    """Raised at start-up when a production configuration carries development defaults."""


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set `model_config = service_config("AUTH_")`."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=AliasChoices("FACECLOCK_ENV", "ENVIRONMENT")
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("FACECLOCK_LOG_LEVEL", "LOG_LEVEL"))
    host: str = "127.0.0.1"
    port: int = 8000
    # Token verification: every service checks access tokens against the auth service's JWKS.
    jwks_url: str = Field(
        "http://127.0.0.1:8001/api/v1/auth/jwks.json",
        validation_alias=AliasChoices("FACECLOCK_JWKS_URL", "JWKS_URL"),
    )
    jwt_issuer: str = Field("faceclock-auth", validation_alias=AliasChoices("FACECLOCK_JWT_ISSUER"))
    jwt_audience: str = Field("faceclock", validation_alias=AliasChoices("FACECLOCK_JWT_AUDIENCE"))

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check_production_safety(self) -> None:
        """Called by every app factory: refuse to start in production with development defaults.
        Each service names its own secrets; the one name keeps the check findable."""

    def require_secret(self, name: str, value: str) -> None:
        """Refuse a placeholder secret outside development (SECURITY.md, accounts)."""
        if self.is_production and (value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 16):
            raise UnsafeConfiguration(f"{name} must be set to a real secret in production")


class HttpServiceSettings(ServiceSettings):
    """An HTTP service served by uvicorn (`<PREFIX>WORKERS`)."""

    # Server processes; 0: one per core this process may use. A Python process uses one core,
    # so on a 2-core machine one worker left a core idle while requests queued.
    workers: int = Field(0, ge=0)

    @property
    def worker_processes(self) -> int:
        return self.workers or cores()


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def service_config(prefix: str, **extra: object) -> SettingsConfigDict:
    """The settings config of one service: its env prefix, and an optional .env file."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", env_file=None, **extra)  # type: ignore[typeddict-item]
