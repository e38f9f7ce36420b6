"""The long-lived objects of one process (engine, sessions, service token), built by the app
factory and kept in `app.extensions["reporting"]`: the web views and the Celery tasks share them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from faceclock_common.db import make_engine, make_session_factory
from faceclock_common.service_auth import ServiceTokenClient
from reporting_svc.attendance import AttendanceClient
from reporting_svc.config import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    tokens: ServiceTokenClient

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            tokens=ServiceTokenClient(settings.auth_url, settings.client_id, settings.client_secret),
        )

    def attendance(self) -> AttendanceClient:
        return AttendanceClient(self.settings.attendance_url, self.tokens,
                                timeout=self.settings.http_timeout_seconds,
                                page_size=self.settings.page_size)
