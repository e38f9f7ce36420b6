from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from attendance_svc.config import Settings
from attendance_svc.main import create_app
from faceclock_common.db import run_migrations
from faceclock_dev.testing import TokenMint

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "attendance_svc" / "migrations"


def make_settings(database_url: str, jwks_url: str, **overrides: Any) -> Settings:
    # The in-process nightly job is off unless a test turns it on: it would race their data.
    return Settings.model_validate({"database_url": database_url, "FACECLOCK_JWKS_URL": jwks_url,
                                    "FACECLOCK_ENV": "test", "nightly_job": False, **overrides})


class Api:
    """A TestClient that signs each call with the roles asked for."""

    def __init__(self, client: TestClient, mint: TokenMint) -> None:
        self.client = client
        self.mint = mint

    def call(self, method: str, path: str, *roles: str, headers: dict[str, str] | None = None,
             token_claims: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        all_headers = dict(headers or {})
        if roles:
            all_headers.update(self.mint.headers(*roles, **(token_claims or {})))
        return self.client.request(method, path, headers=all_headers, **kwargs)

    def get(self, path: str, *roles: str, **kwargs: Any) -> Any:
        return self.call("GET", path, *roles, **kwargs)

    def post(self, path: str, *roles: str, **kwargs: Any) -> Any:
        return self.call("POST", path, *roles, **kwargs)

    def patch(self, path: str, *roles: str, **kwargs: Any) -> Any:
        return self.call("PATCH", path, *roles, **kwargs)

    def put(self, path: str, *roles: str, **kwargs: Any) -> Any:
        return self.call("PUT", path, *roles, **kwargs)

    def delete(self, path: str, *roles: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, *roles, **kwargs)

    def ok(self, method: str, path: str, *roles: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, *roles, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    def employee(self, number: str, **fields: Any) -> dict[str, Any]:
        body = {"employee_no": number, "name": f"Person {number}", **fields}
        return dict(self.ok("POST", "/api/v1/employees", "hr", status=201, json=body))


@pytest.fixture
def settings_for(token_mint: TokenMint) -> Any:
    def build(database_url: str, **overrides: Any) -> Settings:
        run_migrations(MIGRATIONS, database_url)
        return make_settings(database_url, token_mint.jwks_url, **overrides)
    return build


@pytest.fixture
def api(database_url: str, settings_for: Any, token_mint: TokenMint) -> Iterator[Api]:
    """The app on a freshly migrated database (SQLite, and MariaDB where it answers)."""
    with TestClient(create_app(settings_for(database_url))) as client:
        yield Api(client, token_mint)


@pytest.fixture
def sqlite_api(sqlite_url: str, settings_for: Any, token_mint: TokenMint) -> Iterator[Api]:
    with TestClient(create_app(settings_for(sqlite_url))) as client:
        yield Api(client, token_mint)
