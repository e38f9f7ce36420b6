"""Fixtures of the auth tests: settings on a fresh database, and a migrated app behind a client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth_svc.accounts.schemas import UserRead
from auth_svc.accounts.service import user_by_username
from auth_svc.config import Settings
from auth_svc.main import MIGRATIONS, create_app
from faceclock_common.db import run_migrations

ADMIN = ("admin", "admin12345")
GATEWAY_SECRET = "gateway-client-secret-0123456789"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own FACECLOCK_/AUTH_ variables must not leak into a test's settings."""
    import os

    for name in list(os.environ):
        if name.startswith(("FACECLOCK_", "AUTH_")):
            monkeypatch.delenv(name)


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    def make(database_url: str | None = None, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "ENVIRONMENT": "development",
            "database_url": database_url or f"sqlite:///{tmp_path / 'auth.db'}",
            "keys_dir": tmp_path / "keys",
            "registration_open": True,
            "bootstrap_admin_username": ADMIN[0],
            "bootstrap_admin_password": ADMIN[1],
            "service_clients": {"gateway": GATEWAY_SECRET},
            "public_base_url": "https://faceclock.example",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def app_client(make_settings: SettingsFactory) -> Iterator[Callable[..., Any]]:
    """`with app_client(url, **settings) as client:` a migrated app with its lifespan running."""

    @contextmanager
    def open_client(database_url: str | None = None,
                    client_address: str = "203.0.113.7", **overrides: Any) -> Iterator[TestClient]:
        settings = make_settings(database_url, **overrides)
        run_migrations(MIGRATIONS, settings.database_url)
        app = create_app(settings)
        with TestClient(app, client=(client_address, 50000)) as client:
            yield client

    yield open_client


class Api:
    """A test client plus the calls most tests repeat."""

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.runtime = http.app.state.runtime  # type: ignore[attr-defined]

    def login_response(self, username: str, password: str) -> Any:
        return self.http.post("/api/v1/auth/login",
                              json={"username": username, "password": password})

    def login(self, username: str, password: str) -> dict[str, Any]:
        response = self.login_response(username, password)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def admin_headers(self) -> dict[str, str]:
        return bearer(self.login(*ADMIN)["access_token"])

    def register(self, username: str, password: str = PASSWORD, email: str | None = None,
                 **extra: Any) -> dict[str, Any]:
        """Registers and returns the new account as an admin reads it (registration itself
        answers the same for a new and a taken name, without the account)."""
        response = self.http.post("/api/v1/auth/register", json={
            "username": username, "email": email or f"{username}@example.com",
            "password": password, **extra})
        assert response.status_code == 202, response.text
        with self.runtime.session_factory() as session:
            user = user_by_username(session, username)
            assert user is not None, f"{username} was not created"
            return UserRead.model_validate(user).model_dump(mode="json")

    def user_headers(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        return bearer(self.login(username, password)["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def _shared_mysql_url() -> Iterator[str]:
    """One migrated MariaDB database for the whole session; tests empty it instead of making
    their own (creating and migrating a database costs seconds on a busy machine)."""
    import uuid

    import sqlalchemy as sa

    from faceclock_dev.testing import MYSQL_SERVER_URL, mysql_available, skip_or_fail

    if not mysql_available():
        skip_or_fail("MariaDB/MySQL is not reachable on 127.0.0.1:3306")
    name = f"fc_test_auth_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(MYSQL_SERVER_URL)
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                             "COLLATE utf8mb4_unicode_ci"))
    url = f"{MYSQL_SERVER_URL}/{name}?charset=utf8mb4"
    run_migrations(MIGRATIONS, url)
    try:
        yield url
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture
def mysql_auth_url(_shared_mysql_url: str) -> str:
    """The shared MariaDB auth database, emptied for this test."""
    import sqlalchemy as sa

    from auth_svc.models import Base

    engine = sa.create_engine(_shared_mysql_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    return _shared_mysql_url


@pytest.fixture(params=["sqlite", "mysql"])
def auth_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated auth database: a SQLite file, or the shared MariaDB one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'auth.db'}"
    url: str = request.getfixturevalue("mysql_auth_url")
    return url


@pytest.fixture
def api(app_client: Callable[..., Any], auth_database_url: str) -> Iterator[Api]:
    """An app on SQLite and on MariaDB."""
    with app_client(auth_database_url) as http:
        yield Api(http)


@pytest.fixture
def sqlite_api(app_client: Callable[..., Any]) -> Iterator[Api]:
    with app_client() as http:
        yield Api(http)


@pytest.fixture
def open_api(app_client: Callable[..., Any]) -> Callable[..., Any]:
    """`with open_api(**settings) as api:` for tests that need their own configuration."""

    @contextmanager
    def opener(database_url: str | None = None, **overrides: Any) -> Iterator[Api]:
        with app_client(database_url, **overrides) as http:
            yield Api(http)

    return opener


class LiveServer:
    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app
        self.runtime = app.state.runtime


@pytest.fixture
def live_server(make_settings: SettingsFactory) -> Iterator[Callable[..., Any]]:
    """`with live_server(**settings) as server:` the app under uvicorn on a free port."""
    import threading

    import uvicorn

    from faceclock_dev.testing import free_port, wait_for_port

    @contextmanager
    def start(database_url: str | None = None, **overrides: Any) -> Iterator[LiveServer]:
        settings = make_settings(database_url, **overrides)
        run_migrations(MIGRATIONS, settings.database_url)
        app = create_app(settings)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                               proxy_headers=False, lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            wait_for_port(port)
            yield LiveServer(f"http://127.0.0.1:{port}", app)
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    yield start


class CaughtMail:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """Mail is sent after the HTTP answer went out, so it may arrive a moment later."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) == count, f"expected {count} mails, got {len(self.messages)}"
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, CaughtMail]]:
    from aiosmtpd.controller import Controller

    from faceclock_dev.testing import free_port

    handler = CaughtMail()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()
