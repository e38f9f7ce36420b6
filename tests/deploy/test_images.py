"""The Dockerfiles: one per service, multi-stage uv builds on python:3.11-slim, non-root, with a
health check and the entry point stack.py runs. No Docker engine runs here, so the build stage's
own `uv sync` steps are replayed on exactly the files its COPY lines bring in (offline, from
uv's cache), and the result must import the service."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from faceclock_dev.stack import SERVICES, Ports

from .manifests import ROOT

PORTS = {name: getattr(Ports(), name) for name in SERVICES}


@dataclass
class Instruction:
    keyword: str
    arguments: str


def parse_dockerfile(path: Path) -> list[list[Instruction]]:
    """Instructions grouped by stage (continuation lines joined, comments dropped)."""
    stages: list[list[Instruction]] = []
    preamble: list[Instruction] = []
    logical = ""
    for raw in path.read_text().splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        logical += raw.rstrip()
        if logical.endswith("\\"):
            logical = logical[:-1] + " "
            continue
        keyword, _, arguments = logical.strip().partition(" ")
        instruction = Instruction(keyword.upper(), " ".join(arguments.split()))
        logical = ""
        if instruction.keyword == "FROM":
            stages.append([instruction])
        elif stages:
            stages[-1].append(instruction)
        else:
            preamble.append(instruction)
    assert not logical, f"{path}: dangling line continuation"
    if stages:
        stages[0] = preamble + stages[0]
    return stages


def dockerfile(service: str) -> Path:
    return ROOT / "services" / service / "Dockerfile"


def workspace_dependencies(service: str) -> set[str]:
    """The workspace libraries a service needs, transitively (faceclock-common -> libs/common)."""
    members = {}
    for pyproject in [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml")]:
        project = tomllib.loads(pyproject.read_text())["project"]
        members[project["name"]] = (pyproject.parent.relative_to(ROOT).as_posix(),
                                    project.get("dependencies", []))
    needed: set[str] = set()
    pending = [f"faceclock-{service}"]
    while pending:
        name = pending.pop()
        for requirement in members[name][1]:
            dep = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()
            if dep in members and members[dep][0] not in needed:
                needed.add(members[dep][0])
                pending.append(dep)
    return needed


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's matching for the patterns used here (no `!` exceptions): a path is out when it or
    one of its parent folders matches."""
    parts = relative.split("/")
    for pattern in patterns:
        assert not pattern.startswith("!"), "exceptions are not handled by this check"
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if fnmatch.fnmatchcase(prefix, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(parts[depth - 1], pattern[3:])
            ):
                return True
    return False


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_multi_stage_uv_dockerfile(service: str) -> None:
    stages = parse_dockerfile(dockerfile(service))
    assert len(stages) >= 2, "a build stage and a slim runtime stage"
    text = dockerfile(service).read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    for stage in stages:
        base = next(i for i in stage if i.keyword == "FROM").arguments.split()[0]
        assert base == "${PYTHON_IMAGE}"
    syncs = [i.arguments for i in stages[0] if i.keyword == "RUN" and "uv sync" in i.arguments]
    assert len(syncs) == 2, "dependencies layer, then the workspace code"
    for command in syncs:
        assert "--frozen" in command and "--no-dev" in command
        assert f"--package faceclock-{service}" in command
    assert "--no-install-workspace" in syncs[0]
    assert "--no-editable" in syncs[1]


@pytest.mark.parametrize("service", SERVICES)
def test_runtime_stage_is_non_root_with_health_check_and_entry_point(service: str) -> None:
    runtime = parse_dockerfile(dockerfile(service))[-1]
    keywords = [i.keyword for i in runtime]
    users = [i.arguments for i in runtime if i.keyword == "USER"]
    assert users == ["10001:10001"], "numeric, so runAsNonRoot can be checked"
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k in ("RUN", "COPY"))
    assert "HEALTHCHECK" in keywords
    entrypoint = next(i.arguments for i in runtime if i.keyword == "ENTRYPOINT")
    assert entrypoint == f'["python", "-m", "{service}_svc"]'
    expose = [i.arguments for i in runtime if i.keyword == "EXPOSE"]
    assert expose == [str(PORTS[service])]
    env = " ".join(i.arguments for i in runtime if i.keyword == "ENV")
    prefix = service.upper()
    assert f"{prefix}_HOST=0.0.0.0" in env
    assert f"{prefix}_PORT={PORTS[service]}" in env
    assert "FACECLOCK_ENV=production" in env
    copies = [i.arguments for i in runtime if i.keyword == "COPY"]
    assert copies == ["--from=build /opt/venv /opt/venv"], "only the built environment"


@pytest.mark.parametrize("service", SERVICES)
def test_health_check_asks_the_service_on_its_port(service: str) -> None:
    runtime = parse_dockerfile(dockerfile(service))[-1]
    check = next(i.arguments for i in runtime if i.keyword == "HEALTHCHECK")
    if service == "recognition":
        assert "grpc_health" in check and "faceclock.recognition.v1.Recognition" in check
        assert "os.environ['RECOGNITION_PORT']" in check
    else:
        assert f"os.environ['{service.upper()}_PORT'] + '/readyz'" in check


@pytest.mark.parametrize("service", SERVICES)
def test_build_copies_the_workspace_and_the_libraries_it_needs(service: str) -> None:
    build = parse_dockerfile(dockerfile(service))[0]
    sources = [i.arguments.split()[0] for i in build if i.keyword == "COPY"]
    members = sorted(p.parent.relative_to(ROOT).as_posix()
                     for p in [*ROOT.glob("libs/*/pyproject.toml"),
                               *ROOT.glob("services/*/pyproject.toml")])
    # uv checks the lock against every member's pyproject.toml, even in the dependency layer.
    for member in members:
        assert f"{member}/pyproject.toml" in sources, member
    code = {s.removesuffix("/src") for s in sources if s.endswith("/src")}
    assert code == workspace_dependencies(service) | {f"services/{service}"}
    patterns = dockerignore_patterns()
    for source in sources:
        for path in source.split():
            if path in ("./", "."):
                continue
            assert (ROOT / path).exists(), path
            assert not ignored(path, patterns), f"{path} is excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_context() -> None:
    patterns = dockerignore_patterns()
    for path in (".git", ".venv", "var", ".env", ".env.local", "services/auth/.venv",
                 "services/auth/tests", "libs/common/src/faceclock_common/__pycache__",
                 ".pytest_cache", "services/auth/.mypy_cache"):
        assert ignored(path, patterns), path
    for path in ("pyproject.toml", "uv.lock", "libs/common/src", "services/auth/src"):
        assert not ignored(path, patterns), path


@pytest.mark.parametrize("service", ["auth", "attendance", "recognition", "reporting"])
def test_migrations_ship_inside_the_package(service: str) -> None:
    """The image installs the package as a wheel (--no-editable): migrations outside
    src/<svc>_svc would not be in it."""
    package = ROOT / "services" / service / "src" / f"{service}_svc"
    assert list(package.rglob("migrations/env.py")), f"no Alembic env.py inside {package}"
    assert list(package.rglob("migrations/versions/*.py")), "no migration scripts"


# ---------------------------------------------------------------------------------------------
# replaying the build stage


def _replay_build(service: str, workdir: Path) -> Path:
    """Run the build stage's COPY and `uv sync` steps on a scratch directory, offline."""
    build = parse_dockerfile(dockerfile(service))[0]
    source = workdir / "src"
    venv = workdir / "venv"
    source.mkdir()
    patterns = dockerignore_patterns()
    env = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never",
           "UV_PROJECT_ENVIRONMENT": str(venv), "UV_LINK_MODE": "hardlink", "UV_NO_PROGRESS": "1",
           "UV_PYTHON": shutil.which("python3.11") or "python3.11"}
    env.pop("VIRTUAL_ENV", None)
    for instruction in build:
        if instruction.keyword == "COPY":
            *paths, destination = instruction.arguments.split()
            for path in paths:
                target = source / destination
                if (ROOT / path).is_dir():
                    shutil.copytree(ROOT / path, target, dirs_exist_ok=True,
                                    ignore=lambda d, names: [
                                        n for n in names if ignored(
                                            (Path(d) / n).relative_to(ROOT).as_posix(), patterns)])
                else:
                    target.mkdir(parents=True, exist_ok=True) if destination.endswith("/") \
                        else target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / path, target)
        elif instruction.keyword == "RUN" and "uv sync" in instruction.arguments:
            words = [w for w in shlex.split(instruction.arguments) if not w.startswith("--mount")]
            result = subprocess.run(words, cwd=source, env=env, capture_output=True, text=True,
                                    timeout=300)
            assert result.returncode == 0, result.stderr[-3000:]
    return venv


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_build_stage_installs_a_working_service(service: str, tmp_path: Path) -> None:
    venv = _replay_build(service, tmp_path)
    python = venv / "bin" / "python"
    probe = (f"import importlib, pathlib, {service}_svc.main, {service}_svc.config; "
             f"print(pathlib.Path({service}_svc.__file__).resolve())")
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path, env={"PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr[-3000:]
    # Installed as a wheel inside the venv, not a link back to the sources.
    assert Path(result.stdout.strip()).is_relative_to(venv)
    assert not list(venv.glob("lib/python3.11/site-packages/*.pth")) or not any(
        "src" in p.read_text() for p in venv.glob("lib/python3.11/site-packages/*.pth"))
    # Nothing development-only made it in.
    for dev_only in ("pytest", "faceclock_dev", "ruff", "mypy"):
        assert not list(venv.glob(f"lib/python3.11/site-packages/{dev_only}")), dev_only
