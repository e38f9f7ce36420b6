"""Test helpers shared by every service's tests: real servers on free ports, real databases.

Loaded as a pytest plugin by the root conftest.py.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED_DIR = Path(os.environ.get("FACECLOCK_SHARED_DIR", REPO_ROOT.parent / "shared"))
FACES_DIR = SHARED_DIR / "testdata" / "faces"
MYSQL_SERVER_URL = os.environ.get("FACECLOCK_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306")
REDIS_TEST_URL = os.environ.get("FACECLOCK_TEST_REDIS_URL", "redis://127.0.0.1:6379")
# CI sets this: a missing MariaDB or Redis is then a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("FACECLOCK_TEST_REQUIRE_SERVICES") == "1"
JWT_ISSUER = "faceclock-auth"
JWT_AUDIENCE = "faceclock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Quality targets under which 1:N may search a few samples (the defaults allow none), so that a
# site of a few people is identified by its kiosks instead of asked for a claim.
IDENTIFY_FEW_TARGETS = {"RECOGNITION_TARGET_FPIR": "0.01", "RECOGNITION_IDENTIFY_MAX_FNIR": "0.05"}


def bearer_of(sign_in: httpx.Response) -> dict[str, str]:
    """The Authorization header of a successful sign-in answer."""
    assert sign_in.status_code == 200, sign_in.text
    return {"Authorization": f"Bearer {sign_in.json()['access_token']}"}


# A service process's start on a busy 2-core machine (imports, then migrations on a fresh
# database): seconds when quiet, over a minute when a whole stack runs beside it.
START_TIMEOUT = 180.0


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = START_TIMEOUT,
                  process: subprocess.Popen[bytes] | None = None) -> None:
    """Until something listens on the port; at once an error if `process` (the server being
    waited for) has exited instead."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it listened "
                               f"on {host}:{port}")
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def _reachable(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def mysql_available() -> bool:
    return _reachable("127.0.0.1", 3306)


def redis_available() -> bool:
    return _reachable("127.0.0.1", 6379)


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (FACECLOCK_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@dataclass
class TokenMint:
    """Signs access tokens like the auth service does, and serves their JWKS over real HTTP."""

    private_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    jwks_url: str = ""

    def jwks(self) -> dict[str, Any]:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid,
                          "alg": "EdDSA", "use": "sig"}]}

    def token(self, *roles: str, sub: str = "1", employee_id: int | None = None,
              department_id: int | None = None, ttl: int = 300, **claims: Any) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "sub": sub, "iat": now, "exp": now + ttl,
            "typ": "access", "roles": list(roles), "username": f"user{sub}",
        }
        if employee_id is not None:
            payload["employee_id"] = employee_id
        if department_id is not None:
            payload["department_id"] = department_id
        payload.update(claims)
        return jwt.encode(payload, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})

    def headers(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **kwargs)}"}


@pytest.fixture(scope="session")
def token_mint() -> Iterator[TokenMint]:
    """A signing key whose JWKS a real HTTP server publishes; point FACECLOCK_JWKS_URL at it."""
    mint = TokenMint()
    body = json.dumps(mint.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    mint.jwks_url = f"http://127.0.0.1:{server.server_address[1]}/auth/jwks.json"
    yield mint
    server.shutdown()


def mysql_database(prefix: str) -> Iterator[str]:
    """A fresh MariaDB database, dropped afterwards: the body of fixtures of any scope."""
    import sqlalchemy as sa

    if not mysql_available():
        skip_or_fail("MariaDB/MySQL is not reachable on 127.0.0.1:3306")
    name = f"fc_test_{prefix}_{uuid.uuid4().hex[:10]}"
    server = sa.create_engine(MYSQL_SERVER_URL)
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield f"{MYSQL_SERVER_URL}/{name}?charset=utf8mb4"
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture(params=["sqlite", "mysql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, and a new MariaDB database where one answers."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from mysql_database("db")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def mysql_url() -> Iterator[str]:
    yield from mysql_database("my")


def redis_database() -> Iterator[str]:
    """A Redis database number of its own, flushed before and after (any fixture scope)."""
    import redis

    if not redis_available():
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    db = _claim_redis_database()
    url = f"{REDIS_TEST_URL}/{db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
        _release_redis_database(db)


_REDIS_CLAIM_KEY = "faceclock:test:redis-db:{}"
_REDIS_CLAIM_SECONDS = 3600


def _claim_redis_database(timeout: float = 300.0) -> int:
    """A database number (1-15) no other test process holds: claimed with SET NX in database 0,
    so concurrent test runs on one Redis never flush each other's data."""
    import redis

    control = redis.Redis.from_url(f"{REDIS_TEST_URL}/0")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for db in range(1, 16):
                if control.set(_REDIS_CLAIM_KEY.format(db), os.getpid(), nx=True,
                               ex=_REDIS_CLAIM_SECONDS):
                    return db
            time.sleep(0.5)
    finally:
        control.close()
    raise TimeoutError("every Redis test database stayed claimed")


def _release_redis_database(db: int) -> None:
    import redis

    control = redis.Redis.from_url(f"{REDIS_TEST_URL}/0")
    try:
        control.delete(_REDIS_CLAIM_KEY.format(db))
    finally:
        control.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from redis_database()


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    if not FACES_DIR.is_dir():
        pytest.fail(f"test photos not found at {FACES_DIR}; set FACECLOCK_SHARED_DIR")
    return FACES_DIR


def face_photo(person: str, index: int = 1, ext: str = "jpg") -> Path:
    return FACES_DIR / "people" / person / f"{person}_{index}.{ext}"


class PrivateServer:
    """A Redis or MariaDB server of a test's own, on a free port, that the test may stop and
    start again to see an outage (never the shared servers on 6379/3306)."""

    def __init__(self, argv: list[str], port: int, log: Path) -> None:
        self.argv = argv
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_for_port(self.port, timeout=timeout, process=self.process)

    def kill(self) -> None:
        """An abrupt outage: SIGKILL, as a crash or a pulled cable looks to the clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _private_server(argv: list[str], port: int, log: Path) -> Iterator[PrivateServer]:
    server = PrivateServer(argv, port, log)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def private_redis(work_dir: Path) -> Iterator[PrivateServer]:
    """redis-server on a free port, without persistence (body of a fixture of any scope)."""
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed")
    port = free_port()
    yield from _private_server(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(work_dir)], port, work_dir / "redis.log")


def private_mariadb(work_dir: Path) -> Iterator[PrivateServer]:
    """A MariaDB server of its own (root without password) in work_dir, on a free port."""
    if shutil.which("mariadbd") is None or shutil.which("mariadb-install-db") is None:
        skip_or_fail("MariaDB server binaries are not installed")
    data = work_dir / "mariadb"
    subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
                    "--auth-root-authentication-method=normal", "--skip-test-db"],
                   check=True, capture_output=True)
    port = free_port()
    yield from _private_server(
        ["mariadbd", "--no-defaults", f"--datadir={data}", f"--port={port}",
         f"--socket={work_dir / 'mariadb.sock'}", "--bind-address=127.0.0.1", "--user=root",
         "--skip-log-bin", "--innodb-buffer-pool-size=32M"], port, work_dir / "mariadb.log")
