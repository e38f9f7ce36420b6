"""The whole system started as processes on free ports, as `./dev up` starts it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack
from faceclock_dev.testing import (
    MYSQL_SERVER_URL,
    mysql_available,
    redis_available,
    redis_database,
    skip_or_fail,
)


@dataclass
class Api:
    """An HTTP client of the gateway with a signed-in caller."""

    client: httpx.Client
    token: str = ""

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra} if self.token else extra

    def login(self, username: str, password: str) -> str:
        reply = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert reply.status_code == 200, reply.text
        self.token = reply.json()["access_token"]
        return self.token


@pytest.fixture(scope="package", params=["embedded", "mysql_redis"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[StackProcesses]:
    var_dir = tmp_path_factory.mktemp(f"stack-{request.param}")
    prefix = f"fc_e2e_{uuid.uuid4().hex[:8]}"
    if request.param == "embedded":
        definition = Stack(var_dir=var_dir, ports=free_ports())
    else:
        if not (mysql_available() and redis_available()):
            skip_or_fail("MariaDB and Redis are needed for the production-like stack")
        redis_db = redis_database()
        definition = Stack(var_dir=var_dir, ports=free_ports(), mysql_url=MYSQL_SERVER_URL,
                           redis_url=next(redis_db), database_prefix=prefix)
    try:
        with running_stack(definition, var_dir / "logs") as processes:
            yield processes
    finally:
        if request.param != "embedded":
            redis_db.close()
        if definition.mysql_url:
            engine = sa.create_engine(MYSQL_SERVER_URL)
            with engine.connect() as conn:
                for service in ("auth", "attendance", "recognition", "reporting"):
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{prefix}_{service}`"))
            engine.dispose()


@pytest.fixture(scope="package")
def admin(stack: StackProcesses) -> Iterator[Api]:
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        api = Api(client)
        api.login("admin", "admin12345")
        yield api


def photo(faces_dir: Path, relative: str) -> tuple[str, bytes, str]:
    path = faces_dir / relative
    kind = "image/png" if path.suffix == ".png" else "image/jpeg"
    return (path.name, path.read_bytes(), kind)
