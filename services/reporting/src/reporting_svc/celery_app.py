"""Celery wired to the Flask app (pallets/flask examples/celery): tasks run in an app context.

Reliability (SECURITY.md): a task is acknowledged only after it ran (acks_late); if the process
running it dies, the message goes back to the queue (reject_on_worker_lost); the broker hands an
unacknowledged message out again only after visibility_timeout, which Settings keeps above the
hard time limit so a long report is never run twice at once. The embedded SQLAlchemy broker never
redelivers a message taken by a killed worker: the sweeper (reports.tasks.sweep) covers that, and
covers Redis before its visibility timeout runs out. Every worker runs the sweeper on a thread of
its own (reports.tasks.WorkerSweeper) besides beat's schedule, so it never depends on beat alone.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from flask import Flask

from reporting_svc.config import Settings


def transport_options(settings: Settings) -> dict[str, Any]:
    # kombu's SQLAlchemy transport hands every option to create_engine(), which refuses unknown
    # ones; it never redelivers anyway, so it gets none and keeps its 1 s polling.
    if settings.broker_url.startswith("sqla+"):
        return {}
    return {
        "visibility_timeout": settings.visibility_timeout_seconds,
        "polling_interval": settings.broker_polling_interval,
    }


def celery_config(settings: Settings) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "sweep-lost-reports": {"task": "reporting.sweep",
                               "schedule": settings.sweep_interval_seconds},
        "purge-expired-files": {"task": "reporting.purge",
                                "schedule": settings.purge_interval_seconds},
    }
    if settings.monthly_schedule_enabled:
        minute, hour, day, month, weekday = settings.monthly_schedule_cron.split()
        schedule["monthly-summaries"] = {
            "task": "reporting.monthly_summaries",
            "schedule": crontab(minute=minute, hour=hour, day_of_month=day, month_of_year=month,
                                day_of_week=weekday),
        }
    return {
        "broker_url": settings.broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": transport_options(settings),
        "task_default_queue": "reporting",
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_soft_time_limit": settings.soft_time_limit_seconds,
        "task_time_limit": settings.hard_time_limit_seconds,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "timezone": settings.timezone,
        "enable_utc": True,
        "beat_schedule": schedule,
        "beat_schedule_filename": str(settings.schedule_file),
    }


def celery_init_app(app: Flask, settings: Settings) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(settings))
    celery.set_default()
    app.extensions["celery"] = celery

    from reporting_svc.reports.tasks import register_tasks

    register_tasks(celery)

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**_: object) -> None:
        # A forked pool process must not share the parent's database connections.
        app.extensions["reporting"].engine.dispose(close=False)

    from reporting_svc.reports.tasks import WorkerSweeper

    sweeper = WorkerSweeper(celery, app.extensions["reporting"])

    @worker_ready.connect(weak=False)
    def _start_sweeper(**_: object) -> None:
        sweeper.start()

    @worker_shutdown.connect(weak=False)
    def _stop_sweeper(**_: object) -> None:
        sweeper.stop()

    return celery
