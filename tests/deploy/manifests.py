"""What the deployment tests load: the Compose file, stack.py's processes and a small kustomize
renderer.

No kustomize binary can be installed from the registries these machines reach, so the overlays
are rendered here with the subset of kustomize the k8s/ tree uses (resources, namespace, labels,
images, replicas, strategic-merge patches). Where `kubectl` is on PATH (it ships kustomize), a
test checks that both renderings agree, so this renderer cannot drift from the real one.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from faceclock_dev.stack import Ports, ProcessSpec, Stack

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())

# stack.py process name -> Compose service / Kubernetes Deployment running the same command.
WORKLOAD_OF = {
    "mail": "mailpit",
    "auth": "auth",
    "attendance": "attendance",
    "recognition": "recognition",
    "reporting": "reporting",
    "worker": "reporting-worker",
    "gateway": "gateway",
}
# The processes that are FaceClock code (the mail catcher is replaced by Mailpit when deployed).
SERVICE_PROCESSES = [name for name in WORKLOAD_OF if name != "mail"]
DB_SERVICES = ("auth", "attendance", "recognition", "reporting")
IMAGE_OF = {"auth": "auth", "attendance": "attendance", "recognition": "recognition",
            "reporting": "reporting", "worker": "reporting", "gateway": "gateway"}
# Variables that hold credentials: never a literal in a manifest or in docker-compose.yml.
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|_KEY$|DATABASE_URL|SERVICE_CLIENTS|REDIS_URL|BROKER_URL)")
NAMESPACED_KINDS_WITHOUT_NS = {"Namespace"}


def stack_processes(tmp_dir: Path) -> dict[str, ProcessSpec]:
    """stack.py's processes as deployed: MySQL and Redis on, so every optional variable is set."""
    stack = Stack(var_dir=tmp_dir, ports=Ports(), mysql_url="mysql+pymysql://root@127.0.0.1:3306",
                  redis_url="redis://127.0.0.1:6379/0")
    return {spec.name: spec for spec in stack.processes()}


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(LookupError):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $$."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        present = name in env
        empty = not env.get(name)
        if operator in (":-", "-"):
            missing = empty if operator == ":-" else not present
            return argument if missing else env[name]
        if operator in (":?", "?"):
            missing = empty if operator == ":?" else not present
            if missing:
                raise MissingVariable(f"{name}: {argument}")
            return env[name]
        if not present:
            raise MissingVariable(name)
        return env[name]

    return _INTERPOLATION.sub(substitute, value)


# ---------------------------------------------------------------------------------------------
# kustomize subset


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _key(doc: dict[str, Any]) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def strategic_merge(target: Any, patch: Any) -> Any:
    """Strategic merge as kustomize applies it to the fields these manifests patch: maps merge,
    null deletes, lists of named items merge by name, other lists are replaced."""
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(target, list) and isinstance(patch, list) and all(
        isinstance(item, dict) and "name" in item for item in [*target, *patch]
    ):
        # Like kustomize: the patch's items first (merged into their originals), then the rest.
        originals = {item["name"]: item for item in target}
        patched = [strategic_merge(originals[item["name"]], item) if item["name"] in originals
                   else copy.deepcopy(item) for item in patch]
        names = {item["name"] for item in patch}
        return patched + [copy.deepcopy(item) for item in target if item["name"] not in names]
    return copy.deepcopy(patch)


_WORKLOAD_TEMPLATES = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def pod_template(doc: dict[str, Any]) -> dict[str, Any] | None:
    path = _WORKLOAD_TEMPLATES.get(doc["kind"])
    if path is None:
        return None
    node: Any = doc
    for part in path:
        node = node[part]
    return dict(node)


def containers_of(doc: dict[str, Any], *, init: bool = True) -> list[dict[str, Any]]:
    template = pod_template(doc)
    if template is None:
        return []
    spec = template["spec"]
    found = list(spec.get("containers", []))
    if init:
        found += list(spec.get("initContainers", []))
    return found


def split_image(image: str) -> tuple[str, str | None]:
    """`registry/name:tag` -> (`registry/name`, `tag`); a port in the registry is not a tag."""
    name, _, tag = image.partition("@")[0].rpartition(":")
    if not name or "/" in tag:
        return image.partition("@")[0], None
    return name, tag


def _set_image(container: dict[str, Any], rules: list[dict[str, str]]) -> None:
    repository, tag = split_image(container["image"])
    for rule in rules:
        if rule["name"] == repository:
            repository = rule.get("newName", repository)
            tag = rule.get("newTag", tag)
            container["image"] = f"{repository}:{tag}" if tag else repository
            return


def kustomize_build(directory: Path) -> list[dict[str, Any]]:
    """Render a kustomization directory (the subset of kustomize that k8s/ uses)."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    known = {"apiVersion", "kind", "namespace", "resources", "labels", "patches", "replicas",
             "images"}
    unknown = set(spec) - known
    assert not unknown, f"{directory}: kustomize fields this renderer does not know: {unknown}"

    documents: list[dict[str, Any]] = []
    for resource in spec.get("resources", []):
        path = (directory / resource).resolve()
        documents += kustomize_build(path) if path.is_dir() else load_yaml_documents(path)
    seen = [_key(doc) for doc in documents]
    assert len(seen) == len(set(seen)), f"{directory}: duplicate resources {seen}"

    for entry in spec.get("patches", []):
        assert set(entry) == {"path"}, f"{directory}: only file patches are supported: {entry}"
        for patch in load_yaml_documents(directory / entry["path"]):
            matches = [i for i, doc in enumerate(documents) if _key(doc) == _key(patch)]
            assert matches, f"{directory}: patch {entry['path']} matches nothing: {_key(patch)}"
            index = matches[0]
            if patch.get("$patch") == "delete":
                del documents[index]
            else:
                documents[index] = strategic_merge(documents[index], patch)

    for entry in spec.get("labels", []):
        assert not entry.get("includeSelectors"), "selector labels are not supported"
        for doc in documents:
            doc["metadata"].setdefault("labels", {}).update(entry["pairs"])
            if entry.get("includeTemplates") and (template := pod_template(doc)) is not None:
                template.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])
                if doc["kind"] == "CronJob":
                    job = doc["spec"]["jobTemplate"]
                    job.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])

    for entry in spec.get("replicas", []):
        targets = [doc for doc in documents
                   if doc["metadata"]["name"] == entry["name"]
                   and doc["kind"] in ("Deployment", "StatefulSet", "ReplicaSet")]
        assert targets, f"{directory}: replicas for unknown workload {entry['name']}"
        for doc in targets:
            doc["spec"]["replicas"] = entry["count"]

    for doc in documents:
        for container in containers_of(doc):
            _set_image(container, spec.get("images", []))

    if namespace := spec.get("namespace"):
        for doc in documents:
            if doc["kind"] in NAMESPACED_KINDS_WITHOUT_NS:
                continue
            doc["metadata"]["namespace"] = namespace
    return documents


def render_targets() -> list[str]:
    return ["base", *(f"overlays/{name}" for name in OVERLAYS)]


def by_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def iter_containers(documents: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for doc in documents:
        for container in containers_of(doc):
            yield doc, container
