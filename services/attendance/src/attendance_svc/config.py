"""Attendance service settings: read once from ATTENDANCE_* (and FACECLOCK_*) variables."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator

from faceclock_common.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("ATTENDANCE_")

    port: int = 8002
    database_url: str = "sqlite:///var/attendance.db"
    # Punches of one employee closer than this to an accepted punch are not stored again.
    duplicate_window_seconds: int = 60
    # Used for employees and shifts without a timezone of their own.
    default_timezone: str = "UTC"
    # How many past days the nightly job looks at for days that ended without a stored result.
    absence_lookback_days: int = 7
    max_page_size: int = 1000
    # Kiosks may clock an employee in by badge number and PIN (SECURITY.md: without a face).
    manual_clock_in: bool = True
    # Run the nightly absence job inside this process (once at start, then daily at
    # `nightly_job_at` in the default time zone). Off where a scheduler runs `mark-absent`
    # instead, as the Kubernetes CronJob does; on for single-instance runs.
    nightly_job: bool = True
    nightly_job_at: time = time(0, 30)
    # Largest employee CSV accepted by the import endpoint.
    import_max_bytes: int = 5 * 1024 * 1024

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value
