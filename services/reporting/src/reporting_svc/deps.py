"""What a view needs, looked up on the current Flask app (Flask has no dependency injection)."""

from __future__ import annotations

from celery import Celery
from flask import current_app, g
from sqlalchemy.orm import Session

from reporting_svc.runtime import Runtime


def runtime() -> Runtime:
    found: Runtime = current_app.extensions["reporting"]
    return found


def celery_app() -> Celery:
    found: Celery = current_app.extensions["celery"]
    return found


def db_session() -> Session:
    """One session per request, closed by the app's teardown (see main.create_app)."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    session: Session = g.db_session
    return session


def close_db_session(_: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
