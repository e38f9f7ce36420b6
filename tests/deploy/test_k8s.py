"""The Kubernetes manifests: valid against the API schemas (kubernetes-validate, offline), and
consistent with stack.py: the same processes, variables and ports, with probes, resources and a
non-root, read-only security context on every container."""

from __future__ import annotations

import copy
import shutil
import subprocess
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from faceclock_dev.stack import ProcessSpec

from .manifests import (
    DB_SERVICES,
    IMAGE_OF,
    K8S,
    OVERLAYS,
    SECRET_NAME,
    SERVICE_PROCESSES,
    WORKLOAD_OF,
    by_kind,
    containers_of,
    iter_containers,
    kustomize_build,
    pod_template,
    render_targets,
    split_image,
)

KUBERNETES_VERSION = "1.32.0"
TARGETS = render_targets()
FACECLOCK_IMAGES = {f"faceclock/{name}" for name in set(IMAGE_OF.values())}


def is_faceclock_image(image: str) -> bool:
    repository, _ = split_image(image)
    return any(repository.endswith(name) for name in FACECLOCK_IMAGES)


def workload(documents: list[dict[str, Any]], name: str) -> dict[str, Any]:
    deployments = by_kind(documents, "Deployment")
    assert name in deployments, f"no Deployment {name}"
    return deployments[name]


def main_container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = containers_of(deployment, init=False)
    assert len(containers) == 1, f"{deployment['metadata']['name']}: one container expected"
    return containers[0]


def config_data(documents: list[dict[str, Any]]) -> dict[str, str]:
    return dict(by_kind(documents, "ConfigMap")["faceclock-config"]["data"])


def container_env(documents: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, Any]:
    """Every variable the container gets: envFrom ConfigMaps/Secrets, then env (which wins)."""
    env: dict[str, Any] = {}
    maps = by_kind(documents, "ConfigMap")
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef") or source.get("secretRef")
        assert ref is not None
        if "configMapRef" in source:
            assert ref["name"] in maps, f"envFrom names a missing ConfigMap {ref['name']}"
            env.update({key: {"value": value} for key, value in maps[ref["name"]]["data"].items()})
        else:
            env.update({key: {"secretRef": ref["name"]} for key in _secret_keys(documents, ref)})
    for item in container.get("env", []):
        env[item["name"]] = item
    return env


def _secret_keys(documents: list[dict[str, Any]], ref: dict[str, str]) -> set[str]:
    secret = by_kind(documents, "Secret")[ref["name"]]
    return set(secret.get("stringData", {})) | set(secret.get("data", {}))


# ---------------------------------------------------------------------------------------------
# schema validity


@pytest.mark.parametrize("target", TARGETS)
def test_every_manifest_is_valid_against_the_kubernetes_schema(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    assert documents
    for document in documents:
        # Strict: an unknown or misspelt field is an error, not silently dropped by the API.
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_validation_catches_a_misspelt_field(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    broken = copy.deepcopy(workload(rendered["base"], "gateway"))
    main_container(broken)["livenessProbes"] = main_container(broken).pop("livenessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_every_manifest_file_is_rendered_by_some_kustomization() -> None:
    used: set[str] = set()
    for target in TARGETS:
        directory = K8S / target
        spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
        for entry in [*spec.get("resources", []), *(p["path"] for p in spec.get("patches", []))]:
            used.add(str((directory / entry).resolve()))
    files = {str(p.resolve()) for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert files - used == set(), "manifests no kustomization includes"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs kubectl (kustomize built in)")
@pytest.mark.parametrize("target", TARGETS)
def test_this_renderer_agrees_with_kubectl_kustomize(target: str) -> None:
    out = subprocess.run(["kubectl", "kustomize", str(K8S / target)], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    real = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(out) if d}
    mine = {(d["kind"], d["metadata"]["name"]): d for d in kustomize_build(K8S / target)}
    assert mine.keys() == real.keys()
    for key, document in real.items():
        assert mine[key] == document, key


# ---------------------------------------------------------------------------------------------
# consistency with stack.py


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("process", SERVICE_PROCESSES)
def test_each_process_gets_every_variable_stack_py_gives_it(
    rendered: dict[str, list[dict[str, Any]]], processes: dict[str, ProcessSpec],
    target: str, process: str,
) -> None:
    documents = rendered[target]
    container = main_container(workload(documents, WORKLOAD_OF[process]))
    env = container_env(documents, container)
    missing = set(processes[process].env) - set(env)
    assert not missing, f"{target}: {WORKLOAD_OF[process]} lacks {sorted(missing)}"


@pytest.mark.parametrize("target", TARGETS)
def test_secrets_come_from_the_secret_never_from_a_literal(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    assert not [key for key in config_data(documents) if SECRET_NAME.search(key)]
    checked = 0
    for doc, container in iter_containers(documents):
        if not is_faceclock_image(container["image"]):
            continue
        for name, item in container_env(documents, container).items():
            if not SECRET_NAME.search(name):
                continue
            checked += 1
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref is None:
                # Only a composition of other secret variables, e.g. AUTH_SERVICE_CLIENTS.
                assert "$(" in item.get("value", ""), f"{doc['metadata']['name']}: {name}"
                continue
            assert ref["name"] == "faceclock-secrets", name
            assert ref["key"] == name, f"{name} reads the key {ref['key']}"
    assert checked >= 20


@pytest.mark.parametrize("target", [t for t in TARGETS if t != "overlays/production"])
def test_every_secret_reference_names_an_existing_key(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    secrets = by_kind(documents, "Secret")
    for _, container in iter_containers(documents):
        for item in container.get("env", []):
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref and not ref.get("optional"):
                assert ref["key"] in _secret_keys(documents, ref), (target, ref)
                assert ref["name"] in secrets


def test_production_ships_no_secret_values(rendered: dict[str, list[dict[str, Any]]]) -> None:
    """The real Secret is created outside git: applying the overlay must never replace it."""
    documents = rendered["overlays/production"]
    assert by_kind(documents, "Secret") == {}
    # and it still needs every key the base Secret documents
    base_keys = set(by_kind(rendered["base"], "Secret")["faceclock-secrets"]["stringData"])
    referenced = {item["valueFrom"]["secretKeyRef"]["key"]
                  for _, container in iter_containers(documents)
                  for item in container.get("env", []) if "valueFrom" in item
                  and "secretKeyRef" in item["valueFrom"]
                  and not item["valueFrom"]["secretKeyRef"].get("optional")}
    assert referenced == base_keys


def test_base_secret_values_are_placeholders_production_refuses(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    from faceclock_common.settings import PLACEHOLDER_SECRETS

    data = by_kind(rendered["base"], "Secret")["faceclock-secrets"]["stringData"]
    for key, value in data.items():
        if key.endswith(("_URL",)):
            # URLs keep their shape; their password part is the placeholder.
            password = urlsplit(value).password
            assert password is None or password in PLACEHOLDER_SECRETS, key
        else:
            assert value in PLACEHOLDER_SECRETS, key


@pytest.mark.parametrize("target", TARGETS)
def test_database_urls_name_each_service_s_own_database(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    base_secret = by_kind(rendered["base"], "Secret")["faceclock-secrets"]["stringData"]
    for service in DB_SERVICES:
        url = urlsplit(base_secret[f"{service.upper()}_DATABASE_URL"])
        assert url.scheme == "mysql+pymysql"
        assert url.path == f"/faceclock_{service}"
        assert url.query == "charset=utf8mb4"


@pytest.mark.parametrize("target", TARGETS)
def test_ports_match_stack_py_services_and_probes(
    rendered: dict[str, list[dict[str, Any]]], processes: dict[str, ProcessSpec], target: str
) -> None:
    documents = rendered[target]
    config = config_data(documents)
    services = by_kind(documents, "Service")
    for process in ("auth", "attendance", "recognition", "reporting", "gateway"):
        prefix = process.upper()
        port = int(processes[process].env[f"{prefix}_PORT"])
        assert int(config[f"{prefix}_PORT"]) == port
        assert config[f"{prefix}_HOST"] == "0.0.0.0"  # noqa: S104 - a container listens on all
        container = main_container(workload(documents, process))
        container_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert port in container_ports.values(), process
        service = services[process]
        assert [p["port"] for p in service["spec"]["ports"]] == [port]
        for service_port in service["spec"]["ports"]:
            assert container_ports[service_port["targetPort"]] == port


@pytest.mark.parametrize("target", TARGETS)
def test_urls_between_services_reach_a_service_on_its_port(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    config = config_data(documents)
    services = by_kind(documents, "Service")
    # Every URL but the public one (what browsers see, for reset links) is service-to-service.
    urls = {key: value for key, value in config.items()
            if key.endswith("_URL") and key != "AUTH_PUBLIC_BASE_URL"}
    assert "GATEWAY_AUTH_URL" in urls and "FACECLOCK_JWKS_URL" in urls
    for key, value in urls.items():
        parts = urlsplit(value)
        assert parts.hostname in services, f"{key} names no Service"
        assert parts.port in [p["port"] for p in services[parts.hostname]["spec"]["ports"]], key
    target_url = config["GATEWAY_RECOGNITION_TARGETS"]
    assert target_url == "dns:///recognition:50051"


def test_recognition_service_is_headless_for_client_side_balancing(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for target in TARGETS:
        service = by_kind(rendered[target], "Service")["recognition"]
        assert service["spec"]["clusterIP"] == "None"
        assert service["spec"]["ports"][0]["name"] == "grpc"


# ---------------------------------------------------------------------------------------------
# probes, resources, security


@pytest.mark.parametrize("target", TARGETS)
def test_every_long_running_container_has_probes(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    checked = 0
    for doc in documents:
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        for container in containers_of(doc, init=False):
            checked += 1
            name = f"{doc['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container, name
            assert "readinessProbe" in container, name
            ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                probe = container.get(kind)
                if probe and "httpGet" in probe:
                    assert probe["httpGet"]["port"] in ports, name
                if probe and "grpc" in probe:
                    assert probe["grpc"]["port"] in ports.values(), name
    assert checked >= 7


@pytest.mark.parametrize("target", TARGETS)
def test_http_services_probe_healthz_and_readyz(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    for name in ("auth", "attendance", "reporting", "gateway"):
        container = main_container(workload(rendered[target], name))
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name


@pytest.mark.parametrize("target", TARGETS)
def test_recognition_uses_native_grpc_health_probes(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    from recognition_svc.config import SERVICE_NAME

    container = main_container(workload(rendered[target], "recognition"))
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[kind]["grpc"]["port"] == 50051, kind
    # Ready only when the recognition service itself (its index) is SERVING.
    assert container["readinessProbe"]["grpc"]["service"] == SERVICE_NAME


@pytest.mark.parametrize("target", TARGETS)
def test_every_container_has_resource_requests_and_limits(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    containers = list(iter_containers(rendered[target]))
    assert len(containers) >= 10
    for doc, container in containers:
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(bound, {})), \
                f"{doc['metadata']['name']}/{container['name']} {bound}"


@pytest.mark.parametrize("target", TARGETS)
def test_every_container_runs_as_non_root_without_privileges(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    for doc, container in iter_containers(rendered[target]):
        template = pod_template(doc)
        assert template is not None
        pod = template["spec"].get("securityContext", {})
        own = container.get("securityContext", {})
        name = f"{doc['metadata']['name']}/{container['name']}"
        assert own.get("runAsNonRoot", pod.get("runAsNonRoot")) is True, name
        assert own.get("runAsUser", pod.get("runAsUser", 0)) != 0, name
        assert own.get("allowPrivilegeEscalation") is False, name
        assert own.get("capabilities", {}).get("drop") == ["ALL"], name
        assert own.get("readOnlyRootFilesystem") is True, name
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert template["spec"].get("automountServiceAccountToken") is False, name
        if is_faceclock_image(container["image"]):
            # the uid the Dockerfiles create
            assert pod["runAsUser"] == 10001 and pod["fsGroup"] == 10001, name


# ---------------------------------------------------------------------------------------------
# workloads


@pytest.mark.parametrize("target", TARGETS)
def test_services_select_their_deployment_s_pods(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    workloads = [d for d in documents if d["kind"] in ("Deployment", "StatefulSet")]
    for name, service in by_kind(documents, "Service").items():
        selector = service["spec"]["selector"]
        matching = [w for w in workloads if selector.items()
                    <= w["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matching) == 1, f"Service {name} selects {len(matching)} workloads"
        assert matching[0]["spec"]["selector"]["matchLabels"].items() <= selector.items()


@pytest.mark.parametrize("target", TARGETS)
def test_images_run_the_process_stack_py_runs(
    rendered: dict[str, list[dict[str, Any]]], processes: dict[str, ProcessSpec], target: str
) -> None:
    for process in SERVICE_PROCESSES:
        container = main_container(workload(rendered[target], WORKLOAD_OF[process]))
        repository, tag = split_image(container["image"])
        assert repository.endswith(f"faceclock/{IMAGE_OF[process]}"), process
        # The image's entrypoint is `python -m <svc>_svc`; args are what follows it in stack.py.
        argv = processes[process].argv
        module_index = argv.index("-m") + 1
        assert argv[module_index] == f"{IMAGE_OF[process]}_svc"
        assert container.get("args", []) == argv[module_index + 1:], process
        if target != "base":
            assert tag, f"{target}: {process} image has no tag"


@pytest.mark.parametrize("target", TARGETS)
def test_reporting_beat_runs_once_and_workers_never_embed_it(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    beat = workload(documents, "reporting-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert main_container(beat)["args"] == ["beat"]
    assert config_data(documents)["REPORTING_WORKER_BEAT"] == "false"
    schedule = config_data(documents)["REPORTING_BEAT_SCHEDULE_FILE"]
    mounts = [m["mountPath"] for m in main_container(beat)["volumeMounts"]]
    assert any(schedule.startswith(path + "/") for path in mounts), "beat cannot write its file"


@pytest.mark.parametrize("target", TARGETS)
def test_migration_job_migrates_every_database_service(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    job = by_kind(documents, "Job")["faceclock-migrate"]
    containers = containers_of(job)
    migrated = sorted(split_image(c["image"])[0].rsplit("/", 1)[-1] for c in containers)
    assert migrated == sorted(DB_SERVICES)
    for container in containers:
        assert container["args"] == ["migrate"]
        service = split_image(container["image"])[0].rsplit("/", 1)[-1]
        url = f"{service.upper()}_DATABASE_URL"
        assert url in container_env(documents, container), container["name"]
        deployed = main_container(workload(documents, service))
        assert split_image(container["image"]) == split_image(deployed["image"])


@pytest.mark.parametrize("target", TARGETS)
def test_autoscalers_and_disruption_budget_target_real_workloads(
    rendered: dict[str, list[dict[str, Any]]], target: str
) -> None:
    documents = rendered[target]
    deployments = by_kind(documents, "Deployment")
    hpas = by_kind(documents, "HorizontalPodAutoscaler")
    assert set(hpas) == {"recognition", "reporting-worker"}
    for name, hpa in hpas.items():
        ref = hpa["spec"]["scaleTargetRef"]
        assert (ref["kind"], ref["name"]) == ("Deployment", name)
        assert hpa["spec"]["minReplicas"] <= deployments[name]["spec"]["replicas"] \
            <= hpa["spec"]["maxReplicas"], name
        # CPU utilisation is relative to requests: without them the HPA never scales.
        assert "cpu" in main_container(deployments[name])["resources"]["requests"]
    pdb = by_kind(documents, "PodDisruptionBudget")["recognition"]
    labels = deployments["recognition"]["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_auth_signing_keys_come_from_a_secret_outside_development(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for target in ("base", "overlays/production"):
        auth = workload(rendered[target], "auth")
        template = pod_template(auth)
        assert template is not None
        volumes = {v["name"]: v for v in template["spec"]["volumes"]}
        assert volumes["keys"]["secret"]["secretName"] == "auth-signing-keys"
        mount = {m["name"]: m["mountPath"] for m in main_container(auth)["volumeMounts"]}
        assert mount["keys"] == config_data(rendered[target])["AUTH_KEYS_DIR"]
    dev = rendered["overlays/dev"]
    assert config_data(dev)["FACECLOCK_ENV"] == "development"  # which generates its own key
    assert workload(dev, "auth")["spec"]["replicas"] == 1


def test_overlays_set_their_namespace_on_every_object(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    assert OVERLAYS == ["dev", "production"]
    for overlay in OVERLAYS:
        documents = rendered[f"overlays/{overlay}"]
        namespaces = by_kind(documents, "Namespace")
        assert len(namespaces) == 1
        (name,) = namespaces
        assert namespaces[name]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] \
            == "restricted"
        for doc in documents:
            if doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == name, doc["metadata"]["name"]


def test_production_runs_production_and_dev_runs_development(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    assert config_data(rendered["base"])["FACECLOCK_ENV"] == "production"
    assert config_data(rendered["overlays/production"])["FACECLOCK_ENV"] == "production"
    assert config_data(rendered["overlays/dev"])["FACECLOCK_ENV"] == "development"
    production = rendered["overlays/production"]
    assert workload(production, "recognition")["spec"]["replicas"] >= 2
    for _, container in iter_containers(production):
        repository, tag = split_image(container["image"])
        assert "/" in repository.split("faceclock/")[0], f"{repository}: not from a registry"
        assert tag and tag != "latest"


def _admits(policy: dict[str, Any], pod_labels: dict[str, str], port: int,
            container: dict[str, Any]) -> bool:
    names = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    for rule in policy["spec"].get("ingress", []):
        ports = [names.get(p["port"], p["port"]) for p in rule.get("ports", [])]
        if ports and port not in ports:
            continue
        sources = rule.get("from")
        if sources is None or any(
            source["podSelector"]["matchLabels"].items() <= pod_labels.items()
            for source in sources if "podSelector" in source
        ):
            return True
    return False


def _selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    selector = policy["spec"]["podSelector"]
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


@pytest.mark.parametrize("target", TARGETS)
def test_network_policies_admit_every_call_stack_py_makes(
    rendered: dict[str, list[dict[str, Any]]], processes: dict[str, ProcessSpec], target: str
) -> None:
    """Each process may reach exactly the services whose address stack.py gives it."""
    documents = rendered[target]
    policies = by_kind(documents, "NetworkPolicy")
    deployments = by_kind(documents, "Deployment")
    port_owner = {
        int(processes[name].env[f"{name.upper()}_PORT"]): name
        for name in ("auth", "attendance", "recognition", "reporting", "gateway")
    }
    for process in SERVICE_PROCESSES:
        env = processes[process].env
        called = set()
        for key, value in env.items():
            if key.endswith("_URL") and value.startswith("http://127.0.0.1:"):
                called.add(port_owner[urlsplit(value).port])
        if process == "gateway":
            called |= {port_owner[int(t.rsplit(":", 1)[1])]
                       for t in env["GATEWAY_RECOGNITION_TARGETS"].split(",")}
        assert called, process
        source = deployments[WORKLOAD_OF[process]]["spec"]["template"]["metadata"]["labels"]
        for callee in sorted(called - {process}):
            deployment = deployments[callee]
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            governing = [p for p in policies.values() if _selects(p, labels)]
            assert governing, f"{target}: no NetworkPolicy for {callee}"
            port = int(processes[callee].env[f"{callee.upper()}_PORT"])
            container = main_container(deployment)
            assert any(_admits(p, source, port, container) for p in governing), \
                f"{target}: {process} cannot reach {callee}:{port}"


def test_network_policies_keep_internal_services_closed(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    documents = rendered["base"]
    policies = by_kind(documents, "NetworkPolicy")
    deployments = by_kind(documents, "Deployment")
    stranger = {"app": "someone-else"}
    for name in ("auth", "attendance", "reporting"):
        deployment = deployments[name]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        port = main_container(deployment)["ports"][0]["containerPort"]
        governing = [p for p in policies.values() if _selects(p, labels)]
        assert governing and not any(
            _admits(p, stranger, port, main_container(deployment)) for p in governing), name
    # every pod of the system is governed by some policy
    for doc in documents:
        if (template := pod_template(doc)) is not None:
            labels = template["metadata"]["labels"]
            assert any(_selects(p, labels) for p in policies.values()), doc["metadata"]["name"]
