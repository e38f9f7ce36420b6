"""Configuration of the reporting service (env prefix REPORTING_), read once at start."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from faceclock_common.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("REPORTING_")

    port: int = 8003
    database_url: str = "sqlite:///var/reporting.db"
    # Redis in production; kombu's SQLAlchemy transport needs no server for the embedded run.
    broker_url: str = "sqla+sqlite:///var/celery-broker.db"
    files_dir: Path = Path("var/reports")
    auth_url: str = "http://127.0.0.1:8001"
    attendance_url: str = "http://127.0.0.1:8002"
    client_id: str = "reporting"
    client_secret: str = ""

    web_workers: int = Field(2, ge=1)
    web_threads: int = Field(4, ge=1)
    worker_concurrency: int = Field(1, ge=1)
    # Beat inside the worker process: handy for the local run (one worker), wrong with several
    # workers in production, where `python -m reporting_svc beat` runs once. None: on unless
    # production.
    worker_beat: bool | None = None
    beat_schedule_file: Path | None = None
    # Times in reports (and roll-call file names) are shown in this zone; beat's cron uses it too.
    timezone: str = "UTC"

    # Reports one caller may have queued or running at once (more: 429), so nobody floods workers.
    max_active_per_owner: int = Field(10, ge=1)
    # The attendance service serves at most 1000 rows a page (ATTENDANCE_MAX_PAGE_SIZE).
    page_size: int = Field(1000, ge=1, le=1000)
    http_timeout_seconds: float = Field(30.0, gt=0)
    retention_days: int = Field(30, ge=1)
    purge_interval_seconds: float = Field(3600.0, gt=0)

    # Reliability: the hard limit bounds the longest report; the broker may redeliver an
    # unacknowledged message only after visibility_timeout, so it must be longer than that.
    soft_time_limit_seconds: int = Field(1500, ge=1)
    hard_time_limit_seconds: int = Field(1800, ge=2)
    visibility_timeout_seconds: int = Field(3600, ge=3)
    # A running report whose heartbeat is older than this lost its worker and is taken again.
    stale_after_seconds: float = Field(120.0, gt=0)
    # A queued report not started after this long lost its message (SIGKILL on the embedded
    # broker, which never redelivers) and is enqueued again.
    requeue_queued_after_seconds: float = Field(600.0, gt=0)
    sweep_interval_seconds: float = Field(30.0, gt=0)
    max_attempts: int = Field(3, ge=1)
    # A report whose attendance call failed in a passing way waits this long, times 6 per retry.
    retry_delay_seconds: float = Field(5.0, gt=0)
    # Redis only: the SQLAlchemy transport takes no options (see celery_app.transport_options).
    broker_polling_interval: float = Field(1.0, gt=0)

    # Monthly summaries for every department, on the first of the month (cron fields, site time).
    monthly_schedule_enabled: bool = True
    monthly_schedule_cron: str = "30 2 1 * *"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _limits_are_ordered(self) -> Settings:
        if self.soft_time_limit_seconds >= self.hard_time_limit_seconds:
            raise ValueError("soft_time_limit_seconds must be below hard_time_limit_seconds")
        if self.visibility_timeout_seconds <= self.hard_time_limit_seconds:
            raise ValueError("visibility_timeout_seconds must exceed hard_time_limit_seconds")
        if len(self.monthly_schedule_cron.split()) != 5:
            raise ValueError("monthly_schedule_cron needs five fields: minute hour day month dow")
        return self

    @property
    def embeds_beat(self) -> bool:
        return (not self.is_production) if self.worker_beat is None else self.worker_beat

    @property
    def schedule_file(self) -> Path:
        return self.beat_schedule_file or self.files_dir.parent / "reporting-beat-schedule"

    def check_production_safety(self) -> None:
        self.require_secret("REPORTING_CLIENT_SECRET", self.client_secret)
