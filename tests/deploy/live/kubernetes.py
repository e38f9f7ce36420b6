"""The Kubernetes manifests, run on Docker: both overlays rendered (tests/deploy/manifests.py,
checked against `kubectl kustomize`), then each pod's containers started as a kubelet would
start them, so a wiring mistake fails here instead of in a cluster:

- env from ConfigMaps and Secrets (envFrom, secretKeyRef/configMapKeyRef with `optional`),
  `$(VAR)` expansion in env, command and args; a missing key is an error, as in Kubernetes;
- command/args over the image's entrypoint; runAsUser/runAsGroup/fsGroup, runAsNonRoot checked
  against the image, readOnlyRootFilesystem, dropped capabilities, no privilege escalation,
  memory and CPU limits;
- emptyDir as a fresh directory, Secret and ConfigMap volumes as files (mode and fsGroup as
  the kubelet sets them), claims as Docker volumes shared by the pods that name them;
- Services as DNS names on one network per namespace (a Service's port must be its target's);
- the migrate Job's init containers in order, to completion, before the Deployments start;
- startup, readiness and liveness probes as written: httpGet, gRPC and tcpSocket from a prober
  container on the pod network (the kubelet's view), exec inside the container;
- one replica per workload (replica counts, HPAs, PDBs and NetworkPolicies are scheduling and
  are checked by schema in tests/deploy/test_k8s.py). The nightly CronJob is run once.

Third-party images (MySQL, Redis, Mailpit) are the stand-ins; the production overlay, which
expects managed MySQL/Redis and a Secret made outside git, gets them and a Secret created as
docs/deploy.md tells an operator to."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..manifests import K8S, by_kind, kustomize_build, pod_template, split_image
from .images import service_image
from .tooling import DOCKER, StageFailed, run, say, step

LABEL = "faceclock.ci.k8s"
PROBE_TIMEOUT_S = 420
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\$")
_QUANTITY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion: known variables replaced, unknown ones kept, $$ -> $."""
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1), match.group(0))
    return _VAR.sub(replace, value)


def memory_bytes(quantity: str) -> int:
    for suffix, factor in _QUANTITY.items():
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity)


def cpus(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


@dataclass
class Namespace:
    """One rendered overlay running on one Docker network."""

    overlay: str
    documents: list[dict[str, Any]]
    work: Path
    image_map: dict[str, str]
    extra_secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    containers: list[str] = field(default_factory=list)
    volumes: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.network = f"faceclock-k8s-{self.overlay}"
        self.namespace = next((d["metadata"]["name"] for d in self.documents
                               if d["kind"] == "Namespace"), "default")
        self.files = self.work / f"k8s-{self.overlay}"

    # ---- objects -------------------------------------------------------------------------

    def secret(self, name: str) -> dict[str, str] | None:
        if name in self.extra_secrets:
            return self.extra_secrets[name]
        found = by_kind(self.documents, "Secret").get(name)
        if found is None:
            return None
        data = {k: base64.b64decode(v).decode() for k, v in found.get("data", {}).items()}
        return {**data, **found.get("stringData", {})}

    def config_map(self, name: str) -> dict[str, str] | None:
        found = by_kind(self.documents, "ConfigMap").get(name)
        return None if found is None else dict(found.get("data", {}))

    def lookup(self, kind: str, name: str, key: str | None, optional: bool, owner: str
               ) -> dict[str, str] | str | None:
        source = self.secret(name) if kind == "secret" else self.config_map(name)
        if source is None:
            if optional:
                return None
            raise StageFailed(f"{owner}: {kind} {name!r} does not exist")
        if key is None:
            return source
        if key not in source:
            if optional:
                return None
            raise StageFailed(f"{owner}: {kind} {name!r} has no key {key!r}")
        return source[key]

    def environment(self, container: dict[str, Any], owner: str) -> dict[str, str]:
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            kind = "secret" if "secretRef" in source else "configmap"
            ref = source.get("secretRef") or source.get("configMapRef") or {}
            values = self.lookup(kind, ref["name"], None, bool(ref.get("optional")), owner)
            if isinstance(values, dict):
                env.update({source.get("prefix", "") + k: v for k, v in values.items()})
        for item in container.get("env", []):
            if "value" in item:
                env[item["name"]] = expand(str(item["value"]), env)
                continue
            value_from = item.get("valueFrom", {})
            ref = value_from.get("secretKeyRef") or value_from.get("configMapKeyRef")
            if ref is None:
                raise StageFailed(f"{owner}: {item['name']}: unsupported valueFrom {value_from}")
            kind = "secret" if "secretKeyRef" in value_from else "configmap"
            value = self.lookup(kind, ref["name"], ref["key"], bool(ref.get("optional")), owner)
            if isinstance(value, str):
                env[item["name"]] = value
        return env

    def service_aliases(self, labels: dict[str, str], hostname: str) -> list[str]:
        aliases = [hostname]
        for name, service in by_kind(self.documents, "Service").items():
            selector = service["spec"].get("selector", {})
            if selector and selector.items() <= labels.items():
                aliases += [name, f"{name}.{self.namespace}", f"{name}.{self.namespace}.svc",
                            f"{name}.{self.namespace}.svc.cluster.local"]
        return aliases

    def check_service_ports(self) -> None:
        """Docker DNS gives a Service's name to its pods: only right when port == targetPort."""
        templates = [d for d in self.documents if d["kind"] in ("Deployment", "StatefulSet")]
        for name, service in by_kind(self.documents, "Service").items():
            selector = service["spec"].get("selector", {})
            pods = [pod_template(d) for d in templates]
            selected = [p for p in pods if p and selector.items() <= p["metadata"]["labels"].items()]
            if len(selected) != 1:
                raise StageFailed(f"Service {name} selects {len(selected)} workloads")
            ports = {p.get("name"): p["containerPort"] for c in selected[0]["spec"]["containers"]
                     for p in c.get("ports", [])}
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                target = ports.get(target, target) if isinstance(target, str) else target
                if target != port["port"] or target not in ports.values():
                    raise StageFailed(f"Service {name} port {port['port']} -> {target}: no such "
                                      f"container port in {ports}")

    # ---- docker --------------------------------------------------------------------------

    def image(self, reference: str) -> str:
        repository, _ = split_image(reference)
        for suffix, local in self.image_map.items():
            if repository == suffix or repository.endswith("/" + suffix):
                return local
        raise StageFailed(f"no local image for {reference}")

    def volume_args(self, pod: dict[str, Any], container: dict[str, Any], pod_name: str,
                    owner: str) -> list[str]:
        spec = pod["spec"]
        security = spec.get("securityContext", {})
        group = security.get("fsGroup", security.get("runAsGroup", 0))
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for claim in pod.get("volumeClaimTemplates", []):
            volumes[claim["metadata"]["name"]] = {"persistentVolumeClaim": {
                "claimName": f"{claim['metadata']['name']}-{pod_name}"}}
        args: list[str] = []
        for mount in container.get("volumeMounts", []):
            volume = volumes.get(mount["name"])
            if volume is None:
                raise StageFailed(f"{owner}: mounts an undeclared volume {mount['name']!r}")
            target = mount["mountPath"]
            read_only = ",readonly" if mount.get("readOnly") else ""
            if "emptyDir" in volume:
                # A fresh node directory, world-writable and owned by the fsGroup, as the kubelet
                # makes it (a Docker tmpfs would take the image directory's owner and mode).
                directory = self.files / f"{pod_name}-{container['name']}-{mount['name']}"
                directory.mkdir(parents=True, exist_ok=True)
                os.chown(directory, 0, group)
                directory.chmod(0o2777)
                args += ["--mount", f"type=bind,source={directory},target={target}"]
            elif "secret" in volume or "configMap" in volume:
                kind = "secret" if "secret" in volume else "configmap"
                ref = volume.get("secret") or volume.get("configMap") or {}
                name = ref.get("secretName") or ref.get("name")
                data = self.lookup(kind, name, None, bool(ref.get("optional")), owner)
                directory = self.files / f"{pod_name}-{mount['name']}"
                if directory.exists():
                    shutil.rmtree(directory)
                directory.mkdir(parents=True)
                mode = int(ref.get("defaultMode", 0o644))
                for key, value in (data or {}).items() if isinstance(data, dict) else []:
                    path = directory / key
                    path.write_text(value)
                    os.chown(path, 0, group)
                    path.chmod(mode)
                directory.chmod(0o755)
                args += ["--mount", f"type=bind,source={directory},target={target},readonly"]
            elif "persistentVolumeClaim" in volume:
                claim = volume["persistentVolumeClaim"]["claimName"]
                docker_volume = f"{self.network}-{claim}"
                if docker_volume not in self.volumes:
                    self.volumes.add(docker_volume)
                    run([DOCKER, "volume", "create", docker_volume], timeout=60, quiet=True)
                args += ["--mount", f"type=volume,source={docker_volume},target={target}{read_only}"]
            else:
                raise StageFailed(f"{owner}: volume type not emulated: {volume}")
        return args

    def security_args(self, pod: dict[str, Any], container: dict[str, Any], image: str,
                      owner: str) -> list[str]:
        pod_security = pod["spec"].get("securityContext", {})
        own = container.get("securityContext", {})
        user = own.get("runAsUser", pod_security.get("runAsUser"))
        group = own.get("runAsGroup", pod_security.get("runAsGroup"))
        args: list[str] = []
        if user is None:
            (info,) = json.loads(run([DOCKER, "image", "inspect", image], timeout=60,
                                     quiet=True).stdout)
            image_user = info["Config"]["User"].split(":")[0]
            if own.get("runAsNonRoot", pod_security.get("runAsNonRoot")) and not (
                    image_user.isdigit() and int(image_user) != 0):
                raise StageFailed(f"{owner}: runAsNonRoot, but the image's user is "
                                  f"{image_user or 'root'!r} (not a non-zero uid)")
        else:
            if own.get("runAsNonRoot", pod_security.get("runAsNonRoot")) and int(user) == 0:
                raise StageFailed(f"{owner}: runAsNonRoot with runAsUser 0")
            args += ["--user", f"{user}:{group if group is not None else 0}"]
        if "fsGroup" in pod_security:
            args += ["--group-add", str(pod_security["fsGroup"])]
        if own.get("readOnlyRootFilesystem"):
            args.append("--read-only")
        capabilities = own.get("capabilities", {})
        for dropped in capabilities.get("drop", []):
            args += ["--cap-drop", dropped]
        for added in capabilities.get("add", []):
            args += ["--cap-add", added]
        if own.get("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        limits = container.get("resources", {}).get("limits", {})
        if "memory" in limits:
            args += ["--memory", str(memory_bytes(str(limits["memory"])))]
        if "cpu" in limits:
            args += ["--cpus", f"{cpus(str(limits['cpu'])):.3f}"]
        return args

    def start(self, pod: dict[str, Any], container: dict[str, Any], pod_name: str, *,
              detach: bool, restart: bool) -> tuple[str, dict[str, str]]:
        owner = f"{self.overlay}: {pod_name}/{container['name']}"
        env = self.environment(container, owner)
        image = self.image(container["image"])
        name = f"{self.network}-{pod_name}-{container['name']}"
        argv: list[str] = [DOCKER, "run", "--name", name, "--label", f"{LABEL}={self.overlay}",
                           "--network", self.network, "--hostname", pod_name[:63]]
        for alias in self.service_aliases(pod["metadata"].get("labels", {}), pod_name):
            argv += ["--network-alias", alias]
        argv += self.security_args(pod, container, image, owner)
        argv += self.volume_args(pod, container, pod_name, owner)
        env_file = self.files / f"{name}.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if "\n" not in v))
        env_file.chmod(0o600)
        argv += ["--env-file", str(env_file)]
        multiline = {k: v for k, v in env.items() if "\n" in v}
        for key, value in multiline.items():
            argv += ["--env", f"{key}={value}"]
        command = [expand(str(a), env) for a in container.get("command", [])]
        args = [expand(str(a), env) for a in container.get("args", [])]
        if command:
            argv += ["--entrypoint", command[0]]
        if detach:
            argv.append("--detach")
            if restart:
                argv += ["--restart", "always"]
        argv += [image, *command[1:], *args]
        self.containers.append(name)
        result = run(argv, timeout=600 if not detach else 120, check=False, quiet=True)
        if result.returncode != 0:
            logs = run([DOCKER, "logs", "--tail", "60", name], timeout=60, check=False, quiet=True)
            raise StageFailed(f"{owner} exited {result.returncode}:\n"
                              + (logs.stdout + logs.stderr).decode(errors="replace")[-5000:])
        return name, env

    def cleanup(self) -> None:
        found = run([DOCKER, "ps", "--all", "--quiet", "--filter", f"label={LABEL}={self.overlay}"],
                    timeout=60, check=False, quiet=True).stdout.split()
        if found:
            run([DOCKER, "rm", "--force", "--volumes", *[f.decode() for f in found]], timeout=180,
                check=False, quiet=True)
        if self.volumes:
            run([DOCKER, "volume", "rm", "--force", *sorted(self.volumes)], timeout=120,
                check=False, quiet=True)
        run([DOCKER, "network", "rm", self.network], timeout=60, check=False, quiet=True)
        shutil.rmtree(self.files, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# probes


@dataclass
class Prober:
    """The kubelet's side: a container on the pod network that sends httpGet, gRPC and
    tcpSocket probes to a pod's address, as the kubelet does from the node."""

    namespace: Namespace
    name: str = ""

    def start(self) -> None:
        self.name = f"{self.namespace.network}-kubelet-prober"
        run([DOCKER, "run", "--detach", "--name", self.name, "--label",
             f"{LABEL}={self.namespace.overlay}", "--network", self.namespace.network,
             "--no-healthcheck", "--entrypoint", "sleep", service_image("recognition"), "infinity"],
            timeout=120, quiet=True)

    def send(self, code: str) -> bool:
        result = run([DOCKER, "exec", self.name, "python", "-c", code], timeout=60, check=False,
                     quiet=True)
        return result.returncode == 0

    def probe(self, container: str, spec: dict[str, Any], probe: dict[str, Any]) -> bool:
        timeout = float(probe.get("timeoutSeconds", 1)) + 2  # a loaded CI machine
        ports = {p.get("name"): p["containerPort"] for p in spec.get("ports", [])}
        if "exec" in probe:
            result = run([DOCKER, "exec", container, *probe["exec"]["command"]],
                         timeout=timeout + 30, check=False, quiet=True)
            return result.returncode == 0
        address = address_of(container)
        if "httpGet" in probe:
            get = probe["httpGet"]
            port = ports.get(get["port"], get["port"])
            return self.send(
                "import urllib.request, sys; r = urllib.request.urlopen("
                f"'http://{address}:{port}{get.get('path', '/')}', timeout={timeout}); "
                "sys.exit(not 200 <= r.status < 400)")
        if "grpc" in probe:
            service = probe["grpc"].get("service", "")
            return self.send(
                "import grpc, sys; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; "
                f"r = g.HealthStub(grpc.insecure_channel('{address}:{probe['grpc']['port']}')).Check("
                f"h.HealthCheckRequest(service='{service}'), timeout={timeout}); "
                "sys.exit(r.status != h.HealthCheckResponse.SERVING)")
        if "tcpSocket" in probe:
            port = ports.get(probe["tcpSocket"]["port"], probe["tcpSocket"]["port"])
            return self.send(f"import socket; socket.create_connection(('{address}', {port}), {timeout})")
        raise StageFailed(f"{container}: probe kind not emulated: {probe}")


def address_of(container: str) -> str:
    """The pod's address (a restart may change it, so it is looked up for every probe)."""
    out = run([DOCKER, "inspect", "--format",
               "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container],
              timeout=60, quiet=True).stdout
    return out.decode().strip()


def _probe_round(prober: Prober, name: str, spec: dict[str, Any], passed: set[str]) -> bool:
    """One kubelet round for one container: startup probe until it passes, then readiness;
    once ready, its liveness probe must pass too. True when the container is ready."""
    state = json.loads(run([DOCKER, "inspect", name], timeout=60, quiet=True).stdout)[0]
    if state["RestartCount"] > 3:
        logs = run([DOCKER, "logs", "--tail", "40", name], timeout=60, check=False, quiet=True)
        raise StageFailed(f"{name} keeps crashing:\n"
                          + (logs.stdout + logs.stderr).decode(errors="replace")[-4000:])
    if not state["State"]["Running"]:
        return False
    for kind in ("startupProbe", "readinessProbe"):
        if kind in spec and kind not in passed:
            if not prober.probe(name, spec, spec[kind]):
                return False
            passed.add(kind)
    if "livenessProbe" in spec and not prober.probe(name, spec, spec["livenessProbe"]):
        raise StageFailed(f"{name}: ready but its liveness probe fails")
    return True


def wait_ready(prober: Prober, started: list[tuple[str, dict[str, Any]]]) -> None:
    """Every container's probes, all containers at once (as kubelets do), until each is ready."""
    pending = {name: spec for name, spec in started}
    passed: dict[str, set[str]] = {name: set() for name in pending}
    deadline = time.monotonic() + PROBE_TIMEOUT_S
    with ThreadPoolExecutor(max(1, len(pending))) as pool:
        while pending:
            rounds = {name: pool.submit(_probe_round, prober, name, spec, passed[name])
                      for name, spec in pending.items()}
            for name, outcome in rounds.items():
                if outcome.result():
                    kinds = [k for k in ("startupProbe", "readinessProbe", "livenessProbe")
                             if k in pending[name]]
                    say(f"  {name.removeprefix(prober.namespace.network + '-')}: "
                        f"{', '.join(kinds)} pass")
                    del pending[name]
            if pending and time.monotonic() > deadline:
                logs = {n: run([DOCKER, "logs", "--tail", "30", n], timeout=60, check=False,
                               quiet=True) for n in pending}
                tails = [f"--- {n}\n{(r.stdout + r.stderr).decode(errors='replace')[-2500:]}"
                         for n, r in logs.items()]
                raise StageFailed(f"not ready after {PROBE_TIMEOUT_S}s: {sorted(pending)}\n"
                                  + "\n".join(tails))
            if pending:
                time.sleep(2)


# ---------------------------------------------------------------------------------------------
# an overlay, end to end


def workloads(documents: list[dict[str, Any]], *, faceclock: bool) -> list[dict[str, Any]]:
    found = []
    for doc in documents:
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        image = split_image(doc["spec"]["template"]["spec"]["containers"][0]["image"])[0]
        if ("faceclock/" in image) == faceclock:
            found.append(doc)
    return found


def run_pod(namespace: Namespace, workload: dict[str, Any], *, restart: bool
            ) -> list[tuple[str, dict[str, Any]]]:
    template = pod_template(workload)
    assert template is not None
    template = {**template, "volumeClaimTemplates": workload["spec"].get("volumeClaimTemplates", [])}
    pod_name = workload["metadata"]["name"] + ("-0" if workload["kind"] == "StatefulSet" else "")
    for init in template["spec"].get("initContainers", []):
        namespace.start(template, init, pod_name, detach=False, restart=False)
    return [(namespace.start(template, c, pod_name, detach=True, restart=restart)[0], c)
            for c in template["spec"]["containers"]]


def run_job(namespace: Namespace, job: dict[str, Any]) -> None:
    """A Job's pod: init containers in order, then its containers, each to a zero exit."""
    template = pod_template(job)
    assert template is not None
    pod_name = job["metadata"]["name"]
    for container in [*template["spec"].get("initContainers", []), *template["spec"]["containers"]]:
        namespace.start(template, container, pod_name, detach=False, restart=False)
        say(f"  {pod_name}/{container['name']}: completed")


def production_secrets(namespace: Namespace, work: Path) -> None:
    """What docs/deploy.md has the operator create outside git: faceclock-secrets with every key
    the base Secret documents, and auth-signing-keys made by `rotate-keys`."""
    password = secrets.token_urlsafe(18)
    keys_dir = work / "k8s-production-keys"
    keys_dir.mkdir(exist_ok=True)
    keys_dir.chmod(0o777)
    run([DOCKER, "run", "--rm", "--user", "10001:10001", "--env", "AUTH_KEYS_DIR=/keys",
         "--mount", f"type=bind,source={keys_dir},target=/keys", service_image("auth"),
         "rotate-keys"], timeout=120, quiet=True)
    key_files = {p.name: p.read_text() for p in keys_dir.iterdir() if p.is_file()}
    if not key_files:
        raise StageFailed("rotate-keys made no key files")
    shutil.rmtree(keys_dir)
    namespace.extra_secrets = {
        "faceclock-secrets": {
            **{f"{s.upper()}_DATABASE_URL":
               f"mysql+pymysql://faceclock:{password}@mysql:3306/faceclock_{s}?charset=utf8mb4"
               for s in ("auth", "attendance", "recognition", "reporting")},
            "FACECLOCK_REDIS_URL": "redis://redis:6379/0",
            "REPORTING_BROKER_URL": "redis://redis:6379/0",
            "AUTH_BOOTSTRAP_ADMIN_PASSWORD": secrets.token_urlsafe(18),
            "GATEWAY_CLIENT_SECRET": secrets.token_urlsafe(24),
            "REPORTING_CLIENT_SECRET": secrets.token_urlsafe(24),
            "ATTENDANCE_CLIENT_SECRET": secrets.token_urlsafe(24),
            "RECOGNITION_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
            "AUTH_SMTP_PASSWORD": secrets.token_urlsafe(18),
        },
        "auth-signing-keys": key_files,
        # The managed services production points at, as the stand-ins below expect them.
        "ci-managed-mysql": {"MYSQL_ROOT_PASSWORD": secrets.token_urlsafe(18),
                             "MYSQL_USER": "faceclock", "MYSQL_PASSWORD": password},
    }


def managed_services(namespace: Namespace, standins: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """Production's MySQL, Redis and SMTP relay live outside the cluster: stand-ins answer on
    the names its Secret and ConfigMap give (the relay's name too, so nothing leaves the host)."""
    config = namespace.config_map("faceclock-config") or {}
    init_sql = "".join(
        f"CREATE DATABASE IF NOT EXISTS faceclock_{s} CHARACTER SET utf8mb4;\n"
        f"GRANT ALL PRIVILEGES ON faceclock_{s}.* TO 'faceclock'@'%';\n"
        for s in ("auth", "attendance", "recognition", "reporting"))
    init_dir = namespace.files / "mysql-init"
    init_dir.mkdir(exist_ok=True)
    (init_dir / "10-faceclock.sql").write_text(init_sql)
    started = []
    mysql_env = namespace.extra_secrets["ci-managed-mysql"]
    for name, image, extra, check in (
        ("mysql", standins["mysql"],
         [*[a for k, v in mysql_env.items() for a in ("--env", f"{k}={v}")],
          "--mount", f"type=bind,source={init_dir},target=/docker-entrypoint-initdb.d,readonly"],
         ["sh", "-c", 'mysqladmin ping -h 127.0.0.1 -uroot -p"$MYSQL_ROOT_PASSWORD" --silent']),
        ("redis", standins["redis"], [], ["redis-cli", "ping"]),
        (config.get("AUTH_SMTP_HOST", "smtp"), standins["mailpit"], [], ["/mailpit", "readyz"]),
    ):
        container = f"{namespace.network}-managed-{name}"
        run([DOCKER, "run", "--detach", "--name", container, "--label",
             f"{LABEL}={namespace.overlay}", "--network", namespace.network, "--network-alias", name,
             *extra, image], timeout=120, quiet=True)
        namespace.containers.append(container)
        started.append((container, {"readinessProbe": {"exec": {"command": check}}}))
    return started


def through_the_gateway(prober: Prober, namespace: Namespace) -> None:
    """The gateway Service answers, and the admin the Secret defines signs in through it."""
    username = (namespace.config_map("faceclock-config") or {}).get("AUTH_BOOTSTRAP_ADMIN_USERNAME")
    password = (namespace.secret("faceclock-secrets") or {}).get("AUTH_BOOTSTRAP_ADMIN_PASSWORD")
    body = json.dumps({"username": username, "password": password})
    ok = prober.send(
        "import json, sys, urllib.request as u\n"
        "base = 'http://gateway:8000'\n"
        "assert u.urlopen(base + '/readyz', timeout=20).status == 200\n"
        f"request = u.Request(base + '/api/v1/auth/login', data={body!r}.encode(), "
        "headers={'Content-Type': 'application/json'})\n"
        "token = json.load(u.urlopen(request, timeout=30))['access_token']\n"
        "me = json.load(u.urlopen(u.Request(base + '/api/v1/auth/me', "
        "headers={'Authorization': 'Bearer ' + token}), timeout=30))\n"
        "sys.exit('admin' not in me['roles'])\n")
    if not ok:
        raise StageFailed(f"{namespace.overlay}: signing in through the gateway Service failed")


def run_overlay(overlay: str, work: Path, standins: dict[str, str]) -> None:
    documents = kustomize_build(K8S / "overlays" / overlay)
    image_map = {**{f"faceclock/{s}": service_image(s) for s in
                    ("auth", "attendance", "recognition", "reporting", "gateway")},
                 "mysql": standins["mysql"], "redis": standins["redis"],
                 "axllent/mailpit": standins["mailpit"]}
    namespace = Namespace(overlay, documents, work, image_map)
    namespace.cleanup()  # what an interrupted earlier run may have left
    namespace.files.mkdir(parents=True)
    try:
        with step(f"k8s {overlay}: render, Services, network"):
            namespace.check_service_ports()
            run([DOCKER, "network", "create", "--label", f"{LABEL}={overlay}", namespace.network],
                timeout=60, quiet=True)
            if overlay == "production":
                production_secrets(namespace, work)
        prober = Prober(namespace)
        prober.start()
        with step(f"k8s {overlay}: databases and brokers ready"):
            third_party = [pair for w in workloads(documents, faceclock=False)
                           for pair in run_pod(namespace, w, restart=True)]
            if overlay == "production":
                third_party += managed_services(namespace, standins)
            wait_ready(prober, third_party)
        with step(f"k8s {overlay}: the migrate Job as written"):
            run_job(namespace, by_kind(documents, "Job")["faceclock-migrate"])
        with step(f"k8s {overlay}: every Deployment's container passes its probes"):
            started = [pair for w in workloads(documents, faceclock=True)
                       for pair in run_pod(namespace, w, restart=True)]
            wait_ready(prober, started)
        with step(f"k8s {overlay}: sign in through the gateway Service"):
            through_the_gateway(prober, namespace)
        with step(f"k8s {overlay}: the CronJobs' containers run once"):
            for name, cron in by_kind(documents, "CronJob").items():
                job = {"kind": "Job", "metadata": {"name": name},
                       "spec": cron["spec"]["jobTemplate"]["spec"]}
                run_job(namespace, job)
    finally:
        with step(f"k8s {overlay}: remove its containers, volumes and network"):
            namespace.cleanup()


def run_kubernetes_stage(work: Path, standins: dict[str, str]) -> None:
    for overlay in ("dev", "production"):
        run_overlay(overlay, work, standins)


