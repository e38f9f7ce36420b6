"""docker-compose.yml: valid against the Compose specification's schema (check-jsonschema's
vendored copy, offline), and consistent with stack.py and .env.example."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from faceclock_common.settings import PLACEHOLDER_SECRETS
from faceclock_dev.stack import ProcessSpec

from .manifests import (
    COMPOSE_FILE,
    DB_SERVICES,
    ENV_EXAMPLE,
    IMAGE_OF,
    ROOT,
    SECRET_NAME,
    SERVICE_PROCESSES,
    WORKLOAD_OF,
    MissingVariable,
    interpolate,
    read_env_file,
)

LONG_RUNNING = ["mysql", "redis", "mailpit", "auth", "attendance", "recognition", "reporting",
                "reporting-worker", "reporting-beat", "gateway"]


def check_compose_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(path)],
        capture_output=True, text=True, timeout=120,
    )


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping, so anchors can merge it"
    return {key: str(value) for key, value in env.items()}


def resolved_environment(service: dict[str, Any], env_file: dict[str, str]) -> dict[str, str]:
    return {key: interpolate(value, env_file) for key, value in environment(service).items()}


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    result = check_compose_schema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_misspelt_key(tmp_path: Path, compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["gateway"]["healthchek"] = broken["services"]["gateway"].pop("healthcheck")
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    result = check_compose_schema(path)
    assert result.returncode != 0
    assert "healthchek" in result.stdout + result.stderr


@pytest.mark.parametrize("process", ["mail", *SERVICE_PROCESSES])
def test_every_stack_process_has_a_compose_service(compose: dict[str, Any], process: str) -> None:
    assert WORKLOAD_OF[process] in compose["services"]


@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_each_service_gets_every_variable_stack_py_gives_it(
    compose: dict[str, Any], processes: dict[str, ProcessSpec], process: str
) -> None:
    service = compose["services"][WORKLOAD_OF[process]]
    missing = set(processes[process].env) - set(environment(service))
    assert not missing, f"{WORKLOAD_OF[process]} lacks {sorted(missing)}"


@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_compose_and_kubernetes_give_the_same_values(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]],
    example_env: dict[str, str], process: str,
) -> None:
    """The non-secret values agree with the k8s base ConfigMap (the same topology)."""
    config = next(d for d in rendered["base"] if d["kind"] == "ConfigMap")["data"]
    env = resolved_environment(compose["services"][WORKLOAD_OF[process]], example_env)
    for key, value in env.items():
        if SECRET_NAME.search(key) or key not in config:
            continue
        if key in ("AUTH_SMTP_HOST", "AUTH_SMTP_PORT", "AUTH_PUBLIC_BASE_URL"):
            continue  # Compose reads these from .env
        if key.endswith("_WORKERS"):
            continue  # a Compose host has cores to fill; a k8s pod has a one-core limit
        assert config[key] == value, key


@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_secrets_are_never_literal(
    compose: dict[str, Any], processes: dict[str, ProcessSpec], process: str
) -> None:
    env = environment(compose["services"][WORKLOAD_OF[process]])
    for key, value in env.items():
        if not SECRET_NAME.search(key) or key.endswith(("REDIS_URL", "BROKER_URL")):
            continue  # Redis has no password on the private Compose network
        if key == "AUTH_SMTP_PASSWORD":
            assert value == "${AUTH_SMTP_PASSWORD:-}"  # optional: only with an SMTP username
            continue
        assert re.search(r"\$\{[A-Z_]+:\?", value), f"{key} must come from .env (${{VAR:?}})"


def test_every_required_variable_is_in_env_example_as_a_refused_placeholder(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    required = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):\?", json.dumps(compose)))
    assert required >= {"MYSQL_PASSWORD", "GATEWAY_CLIENT_SECRET", "REPORTING_CLIENT_SECRET",
                        "ATTENDANCE_CLIENT_SECRET",
                        "AUTH_BOOTSTRAP_ADMIN_PASSWORD", "RECOGNITION_ENCRYPTION_KEY"}
    for name in sorted(required):
        assert name in example_env, f".env.example lacks {name}"
        # A copied-but-unedited .env must not start a production system.
        assert example_env[name] in PLACEHOLDER_SECRETS, name
    assert example_env["FACECLOCK_ENV"] == "production"


def test_compose_refuses_to_start_without_the_secrets(compose: dict[str, Any]) -> None:
    service = compose["services"]["gateway"]
    with pytest.raises(MissingVariable):
        resolved_environment(service, {})


def test_env_example_resolves_every_service(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    secrets = {"GATEWAY_CLIENT_SECRET": "g" * 32, "REPORTING_CLIENT_SECRET": "r" * 32,
               "ATTENDANCE_CLIENT_SECRET": "a" * 32}
    env_file = {**example_env, **secrets}
    auth = resolved_environment(compose["services"]["auth"], env_file)
    # The client list auth checks is the very secrets the three clients present.
    assert json.loads(auth["AUTH_SERVICE_CLIENTS"]) == {"gateway": "g" * 32, "reporting": "r" * 32,
                                                        "attendance": "a" * 32}
    gateway = resolved_environment(compose["services"]["gateway"], env_file)
    assert gateway["GATEWAY_CLIENT_SECRET"] == "g" * 32
    reporting = resolved_environment(compose["services"]["reporting"], env_file)
    assert reporting["REPORTING_CLIENT_SECRET"] == "r" * 32
    attendance = resolved_environment(compose["services"]["attendance"], env_file)
    assert attendance["ATTENDANCE_CLIENT_SECRET"] == "a" * 32
    assert attendance["ATTENDANCE_AUTH_URL"] == "http://auth:8001"


def test_database_urls_name_each_service_s_own_database(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    init_sql = compose["configs"]["mysql-init"]["content"]
    mysql = compose["services"]["mysql"]["environment"]
    for service in DB_SERVICES:
        env = resolved_environment(compose["services"][service], example_env)
        url = urlsplit(env[f"{service.upper()}_DATABASE_URL"])
        assert url.scheme == "mysql+pymysql"
        assert (url.hostname, url.port) == ("mysql", 3306)
        assert url.username == mysql["MYSQL_USER"]
        assert url.password == example_env["MYSQL_PASSWORD"]
        assert url.query == "charset=utf8mb4"
        database = url.path.lstrip("/")
        assert database == f"faceclock_{service}"
        assert f"CREATE DATABASE IF NOT EXISTS {database} " in init_sql
        assert f"ON {database}.* TO '{mysql['MYSQL_USER']}'@'%'" in init_sql


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_has_a_health_check(
    compose: dict[str, Any], name: str
) -> None:
    check = compose["services"][name].get("healthcheck")
    assert check and check.get("test") and not check.get("disable"), name


@pytest.mark.parametrize("process", ["auth", "attendance", "reporting", "gateway"])
def test_http_health_checks_ask_readyz_on_the_service_port(
    compose: dict[str, Any], processes: dict[str, ProcessSpec], process: str
) -> None:
    port = processes[process].env[f"{process.upper()}_PORT"]
    test = " ".join(compose["services"][process]["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/readyz" in test


def test_recognition_health_check_asks_the_grpc_health_service(compose: dict[str, Any]) -> None:
    from recognition_svc.config import SERVICE_NAME

    test = " ".join(compose["services"]["recognition"]["healthcheck"]["test"])
    assert "HealthStub" in test and "127.0.0.1:50051" in test and SERVICE_NAME in test


@pytest.mark.parametrize("service", DB_SERVICES)
def test_each_database_service_waits_for_its_migration_step(
    compose: dict[str, Any], service: str
) -> None:
    services = compose["services"]
    step = services[f"migrate-{service}"]
    assert "migrate" in " ".join([*step.get("entrypoint", []), *step["command"]])
    assert step["image"] == services[service]["image"]
    assert step["restart"].startswith("on-failure:")  # retried a few times, then Compose stops
    assert environment(step) == environment(services[service])
    assert step["depends_on"]["mysql"]["condition"] == "service_healthy"
    dependants = [name for name, spec in services.items()
                  if spec.get("image") == services[service]["image"]
                  and not name.startswith("migrate-")]
    assert dependants
    for name in dependants:
        condition = services[name]["depends_on"][f"migrate-{service}"]["condition"]
        assert condition == "service_completed_successfully", name


def test_auth_gets_a_signing_key_before_it_starts(compose: dict[str, Any]) -> None:
    """Outside development auth refuses to make its own key: the migration step makes the first."""
    step = compose["services"]["migrate-auth"]
    script = " ".join(step["command"])
    assert "python -m auth_svc rotate-keys" in script
    keys_dir = environment(step)["AUTH_KEYS_DIR"]
    assert f"{keys_dir}/*.pem" in script
    for name in ("migrate-auth", "auth"):
        assert f"auth-keys:{keys_dir}" in compose["services"][name]["volumes"], name


@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_services_run_the_command_stack_py_runs(
    compose: dict[str, Any], processes: dict[str, ProcessSpec], process: str
) -> None:
    service = compose["services"][WORKLOAD_OF[process]]
    argv = processes[process].argv
    module_index = argv.index("-m") + 1
    image = IMAGE_OF[process]
    assert argv[module_index] == f"{image}_svc"
    assert service["image"].endswith(f"/{image}:${{FACECLOCK_TAG:-latest}}")
    assert service.get("command", []) == argv[module_index + 1:]
    assert service["build"]["context"] == "."
    assert service["build"]["dockerfile"] == "services/Dockerfile"
    assert service["build"]["args"]["SERVICE"] == image
    assert service["build"]["args"]["BASE_IMAGE"] == "${FACECLOCK_BASE_IMAGE:-python:3.11-slim-bookworm}"
    assert (ROOT / service["build"]["dockerfile"]).is_file()


def test_reporting_beat_runs_once_and_workers_never_embed_it(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    services = compose["services"]
    beat = services["reporting-beat"]
    assert beat["command"] == ["beat"]
    assert "deploy" not in beat  # one replica
    env = resolved_environment(services["reporting-worker"], example_env)
    assert env["REPORTING_WORKER_BEAT"] == "false"
    schedule_dir = env["REPORTING_BEAT_SCHEDULE_FILE"].rsplit("/", 1)[0]
    assert any(mount.split(":")[0] == schedule_dir for mount in beat["tmpfs"])


def test_workers_and_web_share_the_report_files(compose: dict[str, Any]) -> None:
    services = compose["services"]
    files_dir = environment(services["reporting"])["REPORTING_FILES_DIR"]
    for name in ("reporting", "reporting-worker"):
        assert f"report-files:{files_dir}" in services[name]["volumes"], name


def test_only_the_gateway_and_the_mail_ui_are_published(compose: dict[str, Any]) -> None:
    published = {name: spec["ports"] for name, spec in compose["services"].items()
                 if "ports" in spec}
    # Every host port is a variable, so a second stack (or CI) can run beside the first.
    assert published == {"mailpit": ["127.0.0.1:${MAILPIT_PORT:-8025}:8025"],
                         "gateway": ["${FACECLOCK_PORT:-8000}:8000"]}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_restarts_after_a_crash(compose: dict[str, Any], name: str) -> None:
    assert compose["services"][name]["restart"] == "unless-stopped"


def test_every_service_has_a_restart_policy(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        policy = spec.get("restart", "no")
        assert policy in ("unless-stopped", "always") or policy.startswith("on-failure"), name


def test_recognition_replicas_share_one_dns_target(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    services = compose["services"]
    gateway = resolved_environment(services["gateway"], example_env)
    # Docker's DNS answers every replica's address for the service name; gRPC balances them.
    assert gateway["GATEWAY_RECOGNITION_TARGETS"] == "dns:///recognition:50051"
    assert int(interpolate(str(services["recognition"]["deploy"]["replicas"]), example_env)) >= 2
    assert "container_name" not in services["recognition"]


@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_service_containers_are_hardened(compose: dict[str, Any], process: str) -> None:
    service = compose["services"][WORKLOAD_OF[process]]
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert any(mount.split(":")[0] == "/tmp" for mount in service["tmpfs"])
    assert "user" not in service  # the image's uid 10001
