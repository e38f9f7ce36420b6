"""The parts of the CI deployment stage's Kubernetes runner (tests/deploy/live/kubernetes.py)
that decide whether a manifest is wired right, on the rendered overlays, without Docker: a
wiring mistake must be an error there, not a container that starts with a missing variable."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from .live.kubernetes import Namespace, expand, memory_bytes
from .live.tooling import StageFailed
from .manifests import K8S, by_kind, kustomize_build


def namespace(tmp_path: Path, documents: list[dict[str, Any]] | None = None) -> Namespace:
    rendered = documents if documents is not None else kustomize_build(K8S / "overlays" / "dev")
    return Namespace("dev", rendered, tmp_path, {})


def auth_container(documents: list[dict[str, Any]]) -> dict[str, Any]:
    container: dict[str, Any] = by_kind(documents, "Deployment")["auth"]["spec"]["template"][
        "spec"]["containers"][0]
    return container


def test_the_dev_overlay_resolves_every_variable_of_auth(tmp_path: Path) -> None:
    ns = namespace(tmp_path)
    env = ns.environment(auth_container(ns.documents), "auth")
    secret = ns.secret("faceclock-secrets") or {}
    assert env["AUTH_DATABASE_URL"] == secret["AUTH_DATABASE_URL"]
    assert env["AUTH_PORT"] == "8001"  # from the ConfigMap
    # $(VAR) expanded from the variables defined before it, as Kubernetes does
    clients = json.loads(env["AUTH_SERVICE_CLIENTS"])
    assert clients == {"gateway": secret["GATEWAY_CLIENT_SECRET"],
                       "reporting": secret["REPORTING_CLIENT_SECRET"],
                       "attendance": secret["ATTENDANCE_CLIENT_SECRET"]}
    assert "AUTH_SMTP_PASSWORD" not in env  # optional, and the dev Secret has none


def test_a_wrong_secret_key_is_an_error(tmp_path: Path) -> None:
    documents = copy.deepcopy(kustomize_build(K8S / "overlays" / "dev"))
    container = auth_container(documents)
    ref = next(item for item in container["env"] if item["name"] == "AUTH_DATABASE_URL")
    ref["valueFrom"]["secretKeyRef"]["key"] = "AUTH_DB_URL"
    with pytest.raises(StageFailed, match="no key 'AUTH_DB_URL'"):
        namespace(tmp_path, documents).environment(container, "auth")


def test_a_missing_config_map_is_an_error(tmp_path: Path) -> None:
    documents = copy.deepcopy(kustomize_build(K8S / "overlays" / "dev"))
    container = auth_container(documents)
    container["envFrom"][0]["configMapRef"]["name"] = "faceclock-confg"
    with pytest.raises(StageFailed, match="configmap 'faceclock-confg' does not exist"):
        namespace(tmp_path, documents).environment(container, "auth")


def test_a_service_port_that_is_not_its_container_port_is_an_error(tmp_path: Path) -> None:
    documents = copy.deepcopy(kustomize_build(K8S / "overlays" / "dev"))
    namespace(tmp_path, documents).check_service_ports()
    by_kind(documents, "Service")["auth"]["spec"]["ports"][0]["targetPort"] = 8009
    with pytest.raises(StageFailed, match="Service auth"):
        namespace(tmp_path, documents).check_service_ports()


def test_root_is_refused_where_the_manifest_says_run_as_non_root(tmp_path: Path) -> None:
    documents = copy.deepcopy(kustomize_build(K8S / "overlays" / "dev"))
    pod = by_kind(documents, "Deployment")["auth"]["spec"]["template"]
    ns = namespace(tmp_path, documents)
    args = ns.security_args(pod, pod["spec"]["containers"][0], "faceclock/auth:ci", "auth")
    assert args[:2] == ["--user", "10001:10001"]
    assert "--read-only" in args and args[args.index("--cap-drop"):][:2] == ["--cap-drop", "ALL"]
    assert "--memory" in args
    pod["spec"]["securityContext"]["runAsUser"] = 0
    with pytest.raises(StageFailed, match="runAsNonRoot"):
        ns.security_args(pod, pod["spec"]["containers"][0], "faceclock/auth:ci", "auth")


def test_expansion_and_quantities() -> None:
    assert expand("$(A)-$(B)-$$(A)", {"A": "1"}) == "1-$(B)-$(A)"
    assert memory_bytes("512Mi") == 512 * 2**20 and memory_bytes("1G") == 10**9
