"""services/Dockerfile: one multi-stage uv build for the five services (SERVICE picks one), on
any base image, non-root, with a health check and the entry point stack.py runs. Here no image
is built (tests/deploy/live builds and runs them in CI): the build stage's own `uv sync` steps
are replayed on exactly the files its COPY lines bring in (offline, from uv's cache), and the
result must import the service."""

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


DOCKERFILE = ROOT / "services" / "Dockerfile"


def stage(name: str) -> list[Instruction]:
    """The instructions of the stage `FROM ... AS name`."""
    for instructions in parse_dockerfile(DOCKERFILE):
        base = next(i for i in instructions if i.keyword == "FROM").arguments
        if base.endswith(f" AS {name}"):
            return instructions
    raise AssertionError(f"no stage {name}")


def substitute(text: str, service: str) -> str:
    return text.replace("${SERVICE}", service)


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


def test_one_dockerfile_for_every_service_on_any_base() -> None:
    assert not list(ROOT.glob("services/*/Dockerfile")), "one Dockerfile, not a copy per service"
    text = DOCKERFILE.read_text()
    # A syntax line makes BuildKit fetch a frontend image from a registry.
    assert not re.search(r"^#\s*syntax=", text, re.M)
    stages = parse_dockerfile(DOCKERFILE)
    assert stages[0][0].keyword == "ARG" and stages[0][0].arguments.startswith("BASE_IMAGE=")
    for instructions in stages:
        base = next(i for i in instructions if i.keyword == "FROM").arguments.split()[0]
        assert base == "${BASE_IMAGE}"
    for name in ("build", "runtime"):
        assert any(i.keyword == "ARG" and i.arguments == "SERVICE" for i in stage(name)), name


def test_build_installs_from_the_lock_with_cached_downloads_and_the_ca_secret() -> None:
    build = stage("build")
    installs = [i.arguments for i in build if i.keyword == "RUN"
                and ("uv sync" in i.arguments or "pip install" in i.arguments)]
    assert len(installs) == 3, "uv itself, the dependencies layer, then the workspace code"
    for command in installs:
        assert "--mount=type=cache,target=/root/.cache/" in command
        assert "--mount=type=secret,id=ca-bundle,required=false" in command
    syncs = [c for c in installs if "uv sync" in c]
    for command in syncs:
        assert "--frozen" in command and "--no-dev" in command
        assert '--package "faceclock-${SERVICE}"' in command
    assert "--no-install-workspace" in syncs[0]
    assert "--no-editable" in syncs[1]


def test_runtime_stage_is_non_root_with_health_check_and_entry_point() -> None:
    runtime = stage("runtime")
    keywords = [i.keyword for i in runtime]
    users = [i.arguments for i in runtime if i.keyword == "USER"]
    assert users == ["10001:10001"], "numeric, so runAsNonRoot can be checked"
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k in ("RUN", "COPY"))
    check = next(i.arguments for i in runtime if i.keyword == "HEALTHCHECK")
    assert check.endswith('CMD ["python", "-m", "faceclock_common.healthcheck"]')
    assert next(i.arguments for i in runtime if i.keyword == "ENTRYPOINT") == '["faceclock-service"]'
    launcher = next(i.arguments for i in runtime if i.keyword == "RUN" and "faceclock-service" in i.arguments)
    assert 'exec python -m %s_svc "$@"' in launcher and '"${SERVICE}"' in launcher
    env = " ".join(i.arguments for i in runtime if i.keyword == "ENV")
    assert "FACECLOCK_SERVICE=${SERVICE}" in env
    assert "FACECLOCK_ENV=production" in env
    for service in SERVICES:
        prefix = service.upper()
        assert f"{prefix}_HOST=0.0.0.0" in env
        assert f"{prefix}_PORT={PORTS[service]}" in env
    copies = [i.arguments for i in runtime if i.keyword == "COPY"]
    assert copies == ["--from=build /opt/venv /opt/venv"], "only the built environment"


@pytest.mark.parametrize("service", SERVICES)
def test_build_copies_the_workspace_and_the_libraries_it_needs(service: str) -> None:
    """The dependency layer sees every member's pyproject.toml (uv checks the lock against all
    of them), found by the manifests stage; the code layer brings libs/ and the service."""
    manifests = " ".join(i.arguments for i in stage("manifests") if i.keyword == "RUN")
    assert "-name pyproject.toml" in manifests and "-name uv.lock" in manifests
    build = stage("build")
    sources = [substitute(i.arguments.split()[0], service) for i in build if i.keyword == "COPY"]
    assert sources[0] == "--from=manifests"
    code = set(sources[1:])
    assert code == {"libs", f"services/{service}"}
    assert all(path.startswith("libs/") for path in workspace_dependencies(service))
    patterns = dockerignore_patterns()
    for path in code:
        assert (ROOT / path).exists(), path
        assert not ignored(path, patterns), f"{path} is excluded by .dockerignore"
    for member in [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml"),
                   ROOT / "uv.lock"]:
        assert not ignored(member.relative_to(ROOT).as_posix(), patterns), member


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


def _copy_tree(source: Path, target: Path, patterns: list[str]) -> None:
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=lambda d, names: [
        n for n in names if ignored((Path(d) / n).relative_to(ROOT).as_posix(), patterns)])


def _replay_build(service: str, workdir: Path) -> Path:
    """Run the build stage's COPY and `uv sync` steps on a scratch directory, offline."""
    source = workdir / "src"
    venv = workdir / "venv"
    source.mkdir()
    patterns = dockerignore_patterns()
    env = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never",
           "UV_PROJECT_ENVIRONMENT": str(venv), "UV_LINK_MODE": "hardlink", "UV_NO_PROGRESS": "1",
           "UV_PYTHON": shutil.which("python3.11") or "python3.11"}
    env.pop("VIRTUAL_ENV", None)
    for instruction in stage("build"):
        arguments = substitute(instruction.arguments, service)
        if instruction.keyword == "COPY" and arguments.startswith("--from=manifests"):
            # what the manifests stage gathers: the lock and every pyproject.toml
            for path in [ROOT / "uv.lock", *ROOT.glob("*/*/pyproject.toml"), ROOT / "pyproject.toml"]:
                relative = path.relative_to(ROOT)
                if not ignored(relative.as_posix(), patterns):
                    (source / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, source / relative)
        elif instruction.keyword == "COPY":
            path, destination = arguments.split()
            _copy_tree(ROOT / path, source / destination, patterns)
        elif instruction.keyword == "RUN" and "uv sync" in arguments:
            command = "uv sync" + arguments.split("uv sync", 1)[1]
            result = subprocess.run(shlex.split(command), cwd=source, env=env, capture_output=True,
                                    text=True, timeout=300)
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
