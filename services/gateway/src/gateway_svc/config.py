"""Gateway settings (env prefix GATEWAY_)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import NoDecode

from faceclock_common.settings import ServiceSettings, service_config

WEB_DIR = Path(__file__).resolve().parent / "web"


class Settings(ServiceSettings):
    model_config = service_config("GATEWAY_")

    port: int = 8000
    auth_url: str = "http://127.0.0.1:8001"
    attendance_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    # Recognition replicas: a comma-separated host:port list spread round-robin, or one
    # `dns:///recognition-headless:50051` target that gRPC resolves to every pod.
    recognition_targets: str = "127.0.0.1:50051"
    recognition_deadline_seconds: float = 10.0
    upstream_timeout_seconds: float = 30.0
    client_id: str = "gateway"
    client_secret: str = ""
    redis_url: str | None = Field(None, validation_alias=AliasChoices("FACECLOCK_REDIS_URL"))

    max_upload_bytes: int = 8 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    # Comma-separated or JSON lists in the environment (NoDecode hands the raw text to _split_csv).
    cors_origins: Annotated[list[str], NoDecode] = []
    # Requests per minute: per client address on the sign-in endpoints, per caller elsewhere.
    auth_rate_per_minute: int = 30
    api_rate_per_minute: int = 600
    # Only these peers may tell us the client address through X-Forwarded-For.
    trusted_proxies: Annotated[list[str], NoDecode] = ["127.0.0.1"]
    web_dir: Path = WEB_DIR

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    def recognition_target_list(self) -> list[str]:
        return [t.strip() for t in self.recognition_targets.split(",") if t.strip()]

    def check_safe(self) -> None:
        self.require_secret("GATEWAY_CLIENT_SECRET", self.client_secret)
