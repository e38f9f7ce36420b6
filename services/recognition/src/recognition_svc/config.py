"""The recognition service's settings, read once from RECOGNITION_* (and the shared FACECLOCK_*)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging

from pydantic import AliasChoices, Field, field_validator

from faceclock_common.settings import ServiceSettings, UnsafeConfiguration, service_config

logger = logging.getLogger(__name__)

# Only used outside production when no key is configured, so a first local run works; production
# refuses to start without a real key (SECURITY.md: encodings encrypted with a configured key).
_DEV_KEY_SEED = b"faceclock-development-recognition-key"
SERVICE_NAME = "faceclock.recognition.v1.Recognition"


class Settings(ServiceSettings):
    model_config = service_config("RECOGNITION_")

    port: int = 50051
    database_url: str = "sqlite:///var/recognition.db"
    # base64 of 32 random bytes (AES-256-GCM).
    encryption_key: str = ""
    metrics_port: int = 0
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("FACECLOCK_REDIS_URL", "RECOGNITION_REDIS_URL")
    )

    # Decision.
    threshold: float = Field(0.6, gt=0, le=2)
    # Two different persons within the threshold whose distances differ by less than this
    # are reported as ambiguous instead of picking one.
    ambiguity_margin: float = Field(0.04, ge=0, le=1)

    # Pipeline.
    encoder: str = "dlib"
    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_bytes: int = Field(16 * 1024 * 1024, gt=0)
    # Detection runs on a copy whose short side is at most this many pixels.
    detect_short_side: int = Field(480, ge=64)

    # Enrolment quality.
    max_samples: int = Field(10, ge=1)
    min_face_px: int = Field(80, ge=1)
    min_sharpness: float = Field(20.0, ge=0)
    duplicate_distance: float = Field(0.12, ge=0)

    # Index: certified-exact search up to this many faces, an IVF index of PQ codes above.
    approximate_above: int = Field(200_000, ge=0)
    # Share of the IVF lists probed per search (recall against cost; see the benchmark).
    probe_fraction: float = Field(0.25, gt=0, le=1)
    # Encrypted index snapshot for a fast start; written every snapshot_interval seconds
    # (when something changed) and at shutdown. Unset: always load from the database.
    snapshot_path: str | None = None
    snapshot_interval: float = Field(300.0, gt=0)

    # Replicas: how often the change log is polled (also the fallback when Redis is down),
    # and how long its entries are kept (a snapshot older than that is not used).
    poll_interval: float = Field(0.5, gt=0)
    change_retention_days: float = Field(7.0, ge=0)
    notify_channel: str = "faceclock:recognition:changes"

    # Concurrency. dlib holds the GIL: for parallel encoding use worker processes (one per
    # core); 0 encodes in threads of the server process (the event loop stays free).
    encode_processes: int = Field(0, ge=0)
    encode_threads: int = Field(2, ge=1)
    # Photos analysed or waiting at once; beyond, RESOURCE_EXHAUSTED ("busy").
    max_pending: int = Field(32, ge=1)
    shutdown_grace: float = Field(10.0, ge=0)

    @field_validator("encryption_key")
    @classmethod
    def _key_is_base64_32_bytes(cls, value: str) -> str:
        if value:
            try:
                raw = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError("RECOGNITION_ENCRYPTION_KEY must be base64") from exc
            if len(raw) != 32:
                raise ValueError("RECOGNITION_ENCRYPTION_KEY must be base64 of 32 bytes")
        return value

    def encryption_key_bytes(self) -> bytes:
        """The AES-256 key; a fixed development key outside production when none is set."""
        if self.encryption_key:
            return base64.b64decode(self.encryption_key)
        if self.is_production:
            raise UnsafeConfiguration("RECOGNITION_ENCRYPTION_KEY must be set in production")
        logger.warning("RECOGNITION_ENCRYPTION_KEY is not set: using the development key")
        return hashlib.sha256(_DEV_KEY_SEED).digest()

    def check_production(self) -> None:
        self.encryption_key_bytes()
        if self.is_production and self.database_url.startswith("sqlite"):
            logger.warning("production run on SQLite: replicas cannot share the gallery")
