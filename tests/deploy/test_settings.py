"""What the deployed services make of the deployment files: every variable Compose and Kubernetes
set is one the service's Settings reads, the values load, production checks pass with real
secrets and refuse the shipped placeholders, and the commands the files run (`migrate`,
`rotate-keys`) exist and do their job."""

from __future__ import annotations

import base64
import importlib
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import AliasChoices

from faceclock_common.settings import ServiceSettings, UnsafeConfiguration
from faceclock_dev.stack import ProcessSpec
from faceclock_dev.testing import free_port

from .manifests import (
    DB_SERVICES,
    ENV_EXAMPLE,
    IMAGE_OF,
    SERVICE_PROCESSES,
    WORKLOAD_OF,
    by_kind,
    containers_of,
    interpolate,
    read_env_file,
)

PREFIXES = ("AUTH_", "ATTENDANCE_", "RECOGNITION_", "REPORTING_", "GATEWAY_", "FACECLOCK_")
DEPLOYMENTS = ["compose", "base", "overlays/dev", "overlays/production"]
PRODUCTION_DEPLOYMENTS = ["compose", "overlays/production"]
# The services whose production configuration carries secrets (ServiceSettings.check_production_safety).
SERVICES_WITH_SECRETS = ["attendance", "auth", "gateway", "recognition", "reporting"]


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"{service}_svc.config")
    cls: type[ServiceSettings] = module.Settings
    return cls


def accepted_names(cls: type[ServiceSettings]) -> set[str]:
    prefix = str(cls.model_config.get("env_prefix", ""))
    names = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def real_secrets() -> dict[str, str]:
    password = secrets.token_urlsafe(24)
    values = {
        "MYSQL_ROOT_PASSWORD": secrets.token_urlsafe(24),
        "MYSQL_PASSWORD": password,
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": secrets.token_urlsafe(24),
        "GATEWAY_CLIENT_SECRET": secrets.token_urlsafe(32),
        "REPORTING_CLIENT_SECRET": secrets.token_urlsafe(32),
        "ATTENDANCE_CLIENT_SECRET": secrets.token_urlsafe(32),
        "RECOGNITION_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "AUTH_SMTP_PASSWORD": secrets.token_urlsafe(24),
        "FACECLOCK_REDIS_URL": "redis://redis:6379/0",
        "REPORTING_BROKER_URL": "redis://redis:6379/0",
    }
    for service in DB_SERVICES:
        values[f"{service.upper()}_DATABASE_URL"] = (
            f"mysql+pymysql://faceclock:{password}@mysql:3306/faceclock_{service}?charset=utf8mb4")
    return values


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion of earlier variables of the same container."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)),
                  value)


def deployed_env(
    deployment: str, process: str, compose: dict[str, Any],
    rendered: dict[str, list[dict[str, Any]]], secret_values: dict[str, str] | None,
) -> dict[str, str]:
    """The environment a process gets; secret_values None means the shipped placeholders."""
    if deployment == "compose":
        env_file = read_env_file(ENV_EXAMPLE)
        if secret_values is not None:
            env_file.update({k: v for k, v in secret_values.items() if k in env_file})
        service = compose["services"][WORKLOAD_OF[process]]
        return {k: interpolate(str(v), env_file) for k, v in service["environment"].items()}
    documents = rendered[deployment]
    deployment_doc = by_kind(documents, "Deployment")[WORKLOAD_OF[process]]
    (container,) = containers_of(deployment_doc, init=False)
    config = by_kind(documents, "ConfigMap")["faceclock-config"]["data"]
    shipped = by_kind(documents, "Secret").get("faceclock-secrets", {}).get("stringData", {})
    values = shipped if secret_values is None else secret_values
    env = dict(config)
    for item in container.get("env", []):
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref.get("optional") and ref["key"] not in values:
            continue  # Kubernetes leaves the variable unset
        env[item["name"]] = values[ref["key"]] if ref else expand(item["value"], env)
    return env


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith(PREFIXES):
            monkeypatch.delenv(key)
    return monkeypatch


def load_settings(service: str, env: dict[str, str], patch: pytest.MonkeyPatch) -> ServiceSettings:
    for key, value in env.items():
        patch.setenv(key, value)
    return settings_class(service)()


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_every_variable_beyond_stack_py_is_one_the_service_reads(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]],
    processes: dict[str, ProcessSpec], deployment: str, process: str,
) -> None:
    """A misspelt variable would be ignored silently (extra="ignore"): catch it here."""
    service = IMAGE_OF[process]
    prefix = f"{service.upper()}_"
    env = deployed_env(deployment, process, compose, rendered, real_secrets())
    extra = {key for key in set(env) - set(processes[process].env)
             if key.startswith((prefix, "FACECLOCK_"))}
    unknown = extra - accepted_names(settings_class(service))
    assert not unknown, f"{deployment}: {service} reads no {sorted(unknown)}"


@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/production"])
def test_every_configmap_key_is_read_by_some_service(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    config = by_kind(rendered[target], "ConfigMap")["faceclock-config"]["data"]
    known = {"PYTHONUNBUFFERED"}.union(*(accepted_names(settings_class(s))
                                         for s in set(IMAGE_OF.values())))
    assert set(config) - known == set()


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_settings_load_and_listen_on_all_interfaces(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]],
    processes: dict[str, ProcessSpec], clean_environ: pytest.MonkeyPatch,
    deployment: str, process: str,
) -> None:
    service = IMAGE_OF[process]
    env = deployed_env(deployment, process, compose, rendered, real_secrets())
    settings = load_settings(service, env, clean_environ)
    assert settings.host == "0.0.0.0"  # noqa: S104 - a container must listen beyond loopback
    assert settings.port == int(processes[process].env[f"{service.upper()}_PORT"])
    expected = "development" if deployment == "overlays/dev" else "production"
    assert settings.environment == expected


@pytest.mark.parametrize("deployment", PRODUCTION_DEPLOYMENTS)
@pytest.mark.parametrize("service", SERVICES_WITH_SECRETS)
def test_production_starts_with_real_secrets(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]],
    clean_environ: pytest.MonkeyPatch, deployment: str, service: str,
) -> None:
    env = deployed_env(deployment, service, compose, rendered, real_secrets())
    settings = load_settings(service, env, clean_environ)
    settings.check_production_safety()


@pytest.mark.parametrize("deployment", ["compose", "base"])
@pytest.mark.parametrize("service", SERVICES_WITH_SECRETS)
def test_production_refuses_the_shipped_placeholders(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]],
    clean_environ: pytest.MonkeyPatch, deployment: str, service: str,
) -> None:
    env = deployed_env(deployment, service, compose, rendered, None)
    with pytest.raises((UnsafeConfiguration, ValueError)):
        settings = load_settings(service, env, clean_environ)
        settings.check_production_safety()


def test_dev_overlay_secrets_load_in_development(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]],
    clean_environ: pytest.MonkeyPatch,
) -> None:
    env = deployed_env("overlays/dev", "recognition", compose, rendered, None)
    settings = load_settings("recognition", env, clean_environ)
    assert len(settings.encryption_key_bytes()) == 32


def _run(argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(PREFIXES)}
    return subprocess.run(argv, env={**base, **env}, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("service", DB_SERVICES)
def test_migrate_command_applies_migrations_and_exits(service: str, tmp_path: Path) -> None:
    """What the Compose migration steps and the Kubernetes Job run."""
    database = tmp_path / f"{service}.db"
    prefix = service.upper()
    env = {"FACECLOCK_ENV": "development", f"{prefix}_DATABASE_URL": f"sqlite:///{database}",
           f"{prefix}_PORT": str(free_port()), f"{prefix}_FILES_DIR": str(tmp_path / "files"),
           f"{prefix}_METRICS_PORT": "0"}
    try:
        # Migrating an empty SQLite database takes seconds; a process still running serves.
        result = _run([sys.executable, "-m", f"{service}_svc", "migrate"], env, timeout=45)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`python -m {service}_svc migrate` did not exit: it must migrate and stop")
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(database) as connection:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(versions) == 1


def test_gateway_accepts_migrate_as_a_no_op() -> None:
    result = _run([sys.executable, "-m", "gateway_svc", "migrate"],
                  {"FACECLOCK_ENV": "development", "GATEWAY_PORT": str(free_port())}, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def test_rotate_keys_makes_the_first_signing_key_in_production(tmp_path: Path) -> None:
    """Compose's migrate-auth step and docs/deploy.md's Secret recipe rely on it."""
    keys = tmp_path / "keys"
    env = {"FACECLOCK_ENV": "production", "AUTH_KEYS_DIR": str(keys),
           "AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}"}
    result = _run([sys.executable, "-m", "auth_svc", "rotate-keys"], env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    (key,) = keys.glob("*.pem")
    # A valid Secret key name, so `kubectl create secret --from-file=keys/` takes it as it is.
    assert re.fullmatch(r"[-._a-zA-Z0-9]+", key.name)
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
