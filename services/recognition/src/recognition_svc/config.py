"""The recognition service's settings, read once from RECOGNITION_* (and the shared FACECLOCK_*)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging

from pydantic import AliasChoices, Field, field_validator

from faceclock_common.settings import ServiceSettings, UnsafeConfiguration, service_config
from recognition_svc.imaging import MAX_ASPECT_RATIO, MAX_SIDE

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

    # Decision. Thresholds are derived from the encoder's calibration (calibration/): the
    # largest one whose false-match rate keeps a search of the gallery at target_fpir
    # (FPIR ~= gallery samples x FMR). `threshold` is only a ceiling above them.
    threshold: float = Field(0.6, gt=0, le=2)
    target_fpir: float = Field(0.001, gt=0, lt=1)
    # 1:N is refused for galleries whose calibrated threshold would fail more genuine attempts
    # than this (identify kiosks then verify a claimed identity instead).
    identify_max_fnir: float = Field(0.05, gt=0, le=1)
    # The encoder's calibration file; unset: the one shipped for a built-in encoder.
    calibration_path: str | None = None
    # Two different persons within the threshold whose distances differ by less than this
    # are reported as ambiguous instead of picking one.
    ambiguity_margin: float = Field(0.04, ge=0, le=1)

    # Pipeline.
    encoder: str = "dlib"
    # The onnx encoder's model file (ArcFace-style, 112 x 112 input); it needs its own
    # calibration (calibration_path), measured with python -m recognition_svc.calibration.measure.
    onnx_model_path: str | None = None
    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_bytes: int = Field(16 * 1024 * 1024, gt=0)
    # The shape of a photo, checked before decoding (a 36,000,000 x 1 px PNG is 37 kB).
    max_image_side: int = Field(MAX_SIDE, ge=64)
    max_image_aspect_ratio: float = Field(MAX_ASPECT_RATIO, ge=1)
    # Detection runs on a copy whose short side is at most this many pixels, and whose pixel
    # count is at most detect_max_pixels (a 16:9 480p frame): the work per photo is bounded.
    detect_short_side: int = Field(480, ge=64)
    detect_max_pixels: int = Field(410_000, ge=64 * 64)

    # Enrolment quality.
    max_samples: int = Field(10, ge=1)
    min_face_px: int = Field(80, ge=1)
    min_sharpness: float = Field(20.0, ge=0)
    duplicate_distance: float = Field(0.12, ge=0)
    # A sample as close to another person as this share of genuinely new people would be is
    # refused as "already enrolled as someone else" (threshold calibrated for the gallery).
    enrol_false_refusal_rate: float = Field(0.01, gt=0, lt=1)
    # A sample within the 1:1 threshold of at least this many other persons (and of several
    # times what chance explains) is flagged as a look-alike.
    lookalike_min_persons: int = Field(3, ge=1)

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

    # Concurrency: N worker processes (one per core; a crash in native code costs a worker,
    # not the server), or 0 for encode_threads threads of the server process. Every worker
    # has its own encoder: dlib objects are not thread-safe.
    encode_processes: int = Field(2, ge=0)
    encode_threads: int = Field(2, ge=1)
    # Photos analysed or waiting at once; beyond, RESOURCE_EXHAUSTED ("busy").
    max_pending: int = Field(32, ge=1)
    # One photo's analysis may take this long: a worker process is killed after this much CPU
    # time (and replaced); the replica reports itself stalled (health NOT_SERVING) while an
    # analysis has run this long by the clock (a thread cannot be killed).
    analysis_time_limit: float = Field(15.0, gt=0)
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

    def check_production_safety(self) -> None:
        self.encryption_key_bytes()
        if self.is_production and self.database_url.startswith("sqlite"):
            logger.warning("production run on SQLite: replicas cannot share the gallery")
