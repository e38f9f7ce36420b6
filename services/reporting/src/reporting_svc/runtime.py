"""The long-lived objects of one process (settings, engine, sessions), built by the app
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

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
        )

    def attendance(self) -> AttendanceClient:
        """A client for one report attempt, with a token of its own: one token request per
        report is nothing next to the report, and a retry after a 401 (auth rotated its keys,
        revoked the client) then starts with a fresh token instead of the cached refused one."""
        tokens = ServiceTokenClient(self.settings.auth_url, self.settings.client_id,
                                    self.settings.client_secret)
        return AttendanceClient(self.settings.attendance_url, tokens,
                                timeout=self.settings.http_timeout_seconds,
                                page_size=self.settings.page_size)
