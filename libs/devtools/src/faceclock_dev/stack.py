"""The whole system as local processes: one definition for `./dev up` and the end-to-end tests.

Every process gets its configuration from environment variables only, exactly the variables a
container gets in docker-compose.yml or k8s/, so this topology is the deployed one on one machine.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SERVICES = ("auth", "attendance", "recognition", "reporting", "gateway")


@dataclass(frozen=True)
class Ports:
    gateway: int = 8000
    auth: int = 8001
    attendance: int = 8002
    reporting: int = 8003
    recognition: int = 50051
    smtp: int = 8025


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str]


@dataclass
class Stack:
    var_dir: Path
    ports: Ports = field(default_factory=Ports)
    # Server URL of a MySQL/MariaDB (no database); unset means SQLite files under var_dir.
    mysql_url: str | None = None
    # Redis URL; unset means the embedded (SQLite-backed) Celery broker and no notifications.
    redis_url: str | None = None
    database_prefix: str = "faceclock"
    recognition_replicas: int = 1
    # The site's IANA time zone: days and shifts of employees without a zone of their own.
    timezone: str = "UTC"
    extra_env: dict[str, str] = field(default_factory=dict)
    python: str = sys.executable
    # Keys and dev secrets: outside var_dir (default: `<var_dir>-secrets` beside it), so a copy
    # of the data (databases, index snapshot) never carries the keys that decrypt it.
    secrets_dir: Path | None = None

    @property
    def keys_home(self) -> Path:
        return self.secrets_dir or self.var_dir.with_name(f"{self.var_dir.name}-secrets")

    def database_url(self, service: str) -> str:
        if self.mysql_url:
            return f"{self.mysql_url.rstrip('/')}/{self.database_prefix}_{service}?charset=utf8mb4"
        return f"sqlite:///{self.var_dir / f'{service}.db'}"

    def create_mysql_databases(self) -> None:
        """MySQL databases must exist before migrations; SQLite files are created on first use."""
        if not self.mysql_url:
            return
        import sqlalchemy as sa

        engine = sa.create_engine(self.mysql_url)
        with engine.connect() as conn:
            for service in ("auth", "attendance", "recognition", "reporting"):
                conn.execute(sa.text(
                    f"CREATE DATABASE IF NOT EXISTS `{self.database_prefix}_{service}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                ))
        engine.dispose()

    def broker_url(self) -> str:
        if self.redis_url:
            return self.redis_url
        return f"sqla+sqlite:///{self.var_dir / 'celery-broker.db'}"

    def _move_keys_out_of_var(self) -> None:
        """Working copies from before keys left var/: move them, keeping the same keys (the
        encodings and tokens already made need them)."""
        for name in ("secrets.json", "keys"):
            old, new = self.var_dir / name, self.keys_home / name
            if old.exists() and not new.exists():
                self.keys_home.mkdir(mode=0o700, parents=True, exist_ok=True)
                old.rename(new)

    def dev_secrets(self) -> dict[str, str]:
        """Secrets made once per working copy (`var-secrets/secrets.json`), never committed."""
        self._move_keys_out_of_var()
        path = self.keys_home / "secrets.json"
        import base64

        values = {
            "recognition_encryption_key": base64.b64encode(AESGCM.generate_key(256)).decode(),
            "gateway_client_secret": secrets.token_urlsafe(32),
            "reporting_client_secret": secrets.token_urlsafe(32),
            "attendance_client_secret": secrets.token_urlsafe(32),
        }
        if path.exists():
            stored: dict[str, str] = json.loads(path.read_text())
            if values.keys() <= stored.keys():
                return stored
            # A working copy from before a secret was added: keep the old ones, add the new.
            values = {**values, **stored}
        self.keys_home.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
        path.chmod(0o600)
        return values

    def recognition_ports(self) -> list[int]:
        return [self.ports.recognition + i for i in range(self.recognition_replicas)]

    def common_env(self) -> dict[str, str]:
        env = {
            "FACECLOCK_ENV": "development",
            "FACECLOCK_JWKS_URL": f"http://127.0.0.1:{self.ports.auth}/api/v1/auth/jwks.json",
            "PYTHONUNBUFFERED": "1",
        }
        if self.redis_url:
            env["FACECLOCK_REDIS_URL"] = self.redis_url
        return env

    def processes(self) -> list[ProcessSpec]:
        secret = self.dev_secrets()
        var = self.var_dir
        base = self.common_env()
        auth_url = f"http://127.0.0.1:{self.ports.auth}"
        attendance_url = f"http://127.0.0.1:{self.ports.attendance}"
        reporting_url = f"http://127.0.0.1:{self.ports.reporting}"
        py = self.python

        def spec(name: str, argv: list[str], **env: str) -> ProcessSpec:
            return ProcessSpec(name, argv, {**base, **env, **self.extra_env})

        reporting_env = {
            "REPORTING_PORT": str(self.ports.reporting),
            "REPORTING_DATABASE_URL": self.database_url("reporting"),
            "REPORTING_BROKER_URL": self.broker_url(),
            "REPORTING_FILES_DIR": str(var / "reports"),
            "REPORTING_AUTH_URL": auth_url,
            "REPORTING_ATTENDANCE_URL": attendance_url,
            "REPORTING_CLIENT_ID": "reporting",
            "REPORTING_CLIENT_SECRET": secret["reporting_client_secret"],
            "REPORTING_TIMEZONE": self.timezone,
        }
        processes = [
            spec("mail", [py, "-m", "faceclock_dev.mailcatcher", "--port", str(self.ports.smtp),
                          "--dir", str(var / "mail")]),
            spec("auth", [py, "-m", "auth_svc"],
                 AUTH_PORT=str(self.ports.auth),
                 AUTH_DATABASE_URL=self.database_url("auth"),
                 AUTH_KEYS_DIR=str(self.keys_home / "keys"),
                 AUTH_SMTP_HOST="127.0.0.1",
                 AUTH_SMTP_PORT=str(self.ports.smtp),
                 AUTH_SMTP_SECURITY="none",
                 AUTH_MAIL_FROM="FaceClock <no-reply@faceclock.local>",
                 AUTH_PUBLIC_BASE_URL=f"http://127.0.0.1:{self.ports.gateway}",
                 AUTH_REGISTRATION_OPEN="true",
                 AUTH_BOOTSTRAP_ADMIN_USERNAME="admin",
                 AUTH_BOOTSTRAP_ADMIN_PASSWORD="admin12345",
                 AUTH_SERVICE_CLIENTS=json.dumps({
                     "gateway": secret["gateway_client_secret"],
                     "reporting": secret["reporting_client_secret"],
                     "attendance": secret["attendance_client_secret"],
                 })),
            spec("attendance", [py, "-m", "attendance_svc"],
                 ATTENDANCE_PORT=str(self.ports.attendance),
                 ATTENDANCE_DATABASE_URL=self.database_url("attendance"),
                 ATTENDANCE_DEFAULT_TIMEZONE=self.timezone,
                 ATTENDANCE_AUTH_URL=auth_url,
                 ATTENDANCE_CLIENT_SECRET=secret["attendance_client_secret"]),
        ]
        for index, port in enumerate(self.recognition_ports()):
            processes.append(spec(
                "recognition" if index == 0 else f"recognition{index + 1}",
                [py, "-m", "recognition_svc"],
                RECOGNITION_PORT=str(port),
                RECOGNITION_METRICS_PORT="0",
                RECOGNITION_DATABASE_URL=self.database_url("recognition"),
                RECOGNITION_ENCRYPTION_KEY=secret["recognition_encryption_key"],
                # Written atomically and replayed with the change log: replicas may share it.
                RECOGNITION_SNAPSHOT_PATH=str(var / "recognition-index.snapshot"),
            ))
        processes += [
            spec("reporting", [py, "-m", "reporting_svc", "web"], **reporting_env),
            spec("worker", [py, "-m", "reporting_svc", "worker"], **reporting_env),
            spec("gateway", [py, "-m", "gateway_svc"],
                 GATEWAY_PORT=str(self.ports.gateway),
                 GATEWAY_AUTH_URL=auth_url,
                 GATEWAY_ATTENDANCE_URL=attendance_url,
                 GATEWAY_REPORTING_URL=reporting_url,
                 GATEWAY_RECOGNITION_TARGETS=",".join(
                     f"127.0.0.1:{p}" for p in self.recognition_ports()),
                 GATEWAY_CLIENT_ID="gateway",
                 GATEWAY_CLIENT_SECRET=secret["gateway_client_secret"]),
        ]
        return processes

    def health_urls(self) -> dict[str, str]:
        return {
            "auth": f"http://127.0.0.1:{self.ports.auth}/readyz",
            "attendance": f"http://127.0.0.1:{self.ports.attendance}/readyz",
            "reporting": f"http://127.0.0.1:{self.ports.reporting}/readyz",
            "gateway": f"http://127.0.0.1:{self.ports.gateway}/readyz",
        }


def ports_from(gateway: int) -> Ports:
    """The default ports, or, for a gateway elsewhere, a block that a second stack can use beside
    the first: auth, attendance, reporting, mail and recognition on the next ports up."""
    if gateway == Ports.gateway:
        return Ports()
    return Ports(gateway=gateway, auth=gateway + 1, attendance=gateway + 2, reporting=gateway + 3,
                 smtp=gateway + 4, recognition=gateway + 5)


def stack_from_environment(var_dir: Path) -> Stack:
    """`./dev up` configuration: SQLite and the embedded broker unless these variables say else."""
    ports = ports_from(int(os.environ.get("FACECLOCK_PORT", str(Ports.gateway))))
    return Stack(
        var_dir=var_dir,
        ports=ports,
        mysql_url=os.environ.get("FACECLOCK_MYSQL_URL") or None,
        redis_url=os.environ.get("FACECLOCK_REDIS_URL") or None,
        recognition_replicas=int(os.environ.get("FACECLOCK_RECOGNITION_REPLICAS", "1")),
        timezone=os.environ.get("FACECLOCK_TIMEZONE") or "UTC",
    )
