"""Gateway settings (env prefix GATEWAY_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from faceclock_common.settings import (
    HttpServiceSettings,
    ListSetting,
    TrustedProxies,
    service_config,
)

WEB_DIR = Path(__file__).resolve().parent / "web"


class Settings(HttpServiceSettings):
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
    # How long auth's answer "this token still counts" is reused: the longest a token revoked
    # by logout, reset, deactivation or kiosk revocation may still pass (gateway_svc.revocation).
    token_status_cache_seconds: float = Field(5.0, ge=0, le=60)
    client_id: str = "gateway"
    client_secret: str = ""
    redis_url: str | None = Field(None, validation_alias=AliasChoices("FACECLOCK_REDIS_URL"))

    max_upload_bytes: int = 8 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    # A JSON body: no public operation needs more (services would parse whatever comes).
    max_json_bytes: int = 1024 * 1024
    # A liveness burst: how many frames, how large each and together, and how the client
    # should capture them (a frame every interval, each challenge step prompted this long).
    liveness_min_frames: int = 6
    liveness_max_frames: int = 48
    liveness_max_frame_pixels: int = 2_000_000
    liveness_max_burst_bytes: int = 12 * 1024 * 1024
    liveness_frame_interval_ms: int = 90
    liveness_step_ms: int = 1700
    # How long a kiosk claim code shown by the phone app may be scanned (identity/codes.py).
    claim_code_seconds: int = Field(60, ge=10, le=600)
    # Comma-separated or JSON lists in the environment.
    cors_origins: ListSetting = []
    # Requests per minute: per client address on the sign-in endpoints, per caller elsewhere,
    # per kiosk device (a door at 09:00: a clock-in every second or two, plus the frames the
    # kiosk page sends to find a steady face).
    auth_rate_per_minute: int = 30
    api_rate_per_minute: int = 600
    device_rate_per_minute: int = 1200
    # Only these peers may tell us the client address through X-Forwarded-For: none unless
    # configured (a gateway reached directly must not believe what any caller writes there).
    trusted_proxies: TrustedProxies = []
    web_dir: Path = WEB_DIR

    @property
    def max_body_bytes(self) -> int:
        """Any request body: the largest upload (a photo, or a liveness burst of frames) plus
        room for the multipart envelope and form fields."""
        return max(self.max_upload_bytes, self.liveness_max_burst_bytes) + 256 * 1024

    def recognition_target_list(self) -> list[str]:
        return [t.strip() for t in self.recognition_targets.split(",") if t.strip()]

    def check_production_safety(self) -> None:
        self.require_secret("GATEWAY_CLIENT_SECRET", self.client_secret)
