"""Attendance service settings: read once from ATTENDANCE_* (and FACECLOCK_*) variables."""

from __future__ import annotations

from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator

from faceclock_common.settings import HttpServiceSettings, service_config


class Settings(HttpServiceSettings):
    model_config = service_config("ATTENDANCE_")

    port: int = 8002
    database_url: str = "sqlite:///var/attendance.db"
    # Punches of one employee closer than this to an accepted punch are not stored again.
    duplicate_window_seconds: int = 60
    # Live (face or PIN) clock-ins of one person this soon after their last punch answer that
    # punch with duplicate: true instead of storing another: someone who lingers in front of a
    # kiosk is not clocked out. 0 leaves only the duplicate window.
    clock_in_cooldown_seconds: int = Field(300, ge=0, le=86_400)
    # Used for employees and shifts without a timezone of their own.
    default_timezone: str = "UTC"
    # How many past days the nightly job looks at for days that ended without a stored result.
    absence_lookback_days: int = 7
    max_page_size: int = 1000
    # Kiosks may clock an employee in by badge number and PIN (SECURITY.md: without a face).
    manual_clock_in: bool = True
    # Where the badge + PIN lockout counts failed tries, shared by every replica: Redis when set,
    # else the database.
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("FACECLOCK_REDIS_URL", "ATTENDANCE_REDIS_URL"))
    # Run the nightly absence job inside this process (once at start, then daily at
    # `nightly_job_at` in the default time zone). Off where a scheduler runs `mark-absent`
    # instead, as the Kubernetes CronJob does; on for single-instance runs.
    nightly_job: bool = True
    nightly_job_at: time = time(0, 30)
    # Liveness check (a head turn and a blink, SECURITY.md) for face clock-ins where no site
    # says otherwise: "off", "kiosks" or "everywhere" (kiosks and phones). Each site has its own.
    liveness_default: Literal["off", "kiosks", "everywhere"] = "off"
    # A challenge must be answered within this many seconds, once.
    liveness_challenge_seconds: float = Field(30.0, gt=0, le=600)
    # Notices of requests filed and decided go to the auth service (it knows the accounts, their
    # e-mail and language), with this client's credentials; without a secret nobody is told.
    auth_url: str = "http://127.0.0.1:8001"
    client_id: str = "attendance"
    client_secret: SecretStr | None = None
    # Largest employee CSV accepted by the import endpoint.
    import_max_bytes: int = 5 * 1024 * 1024

    def check_production_safety(self) -> None:
        if self.client_secret is not None:
            self.require_secret("ATTENDANCE_CLIENT_SECRET", self.client_secret.get_secret_value())

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value
