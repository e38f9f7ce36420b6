"""The images: the Debian base and the third-party stand-ins, built once per recipe and kept
on the machine; the five FaceClock images, built from the working tree every run."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

from .tooling import DOCKER, LIVE, ROOT, StageFailed, docker_build, image_exists, run, say, sha256_of

SERVICES = ("auth", "attendance", "recognition", "reporting", "gateway")
STANDINS = ("mysql", "redis", "mailpit")
BASE_RECIPE = ROOT / "scripts" / "build_base_image.sh"
# The tag of the images built here, and the Compose project: two runs with different tags
# (FACECLOCK_DEPLOY_TAG) may share one engine.
SERVICE_TAG = os.environ.get("FACECLOCK_DEPLOY_TAG", "ci")


def base_image() -> str:
    """faceclock/python-base keyed by its recipe: rebuilt only when the script changes."""
    tag = f"faceclock/python-base:{sha256_of([BASE_RECIPE])[:16]}"
    if image_exists(tag):
        say(f"{tag}: cached")
    else:
        run(["bash", BASE_RECIPE, tag], timeout=900, quiet=True, nice=True)
        say(f"{tag}: built")
    return tag


def standin_images(base: str) -> dict[str, str]:
    """mysql, redis and mailpit stand-ins, keyed by their files and the base they build on."""
    tags = {name: f"faceclock-standin/{name}:{sha256_of([LIVE / 'standins' / name], base)[:16]}"
            for name in STANDINS}

    def build(name: str) -> None:
        if image_exists(tags[name]):
            say(f"{tags[name]}: cached")
            return
        docker_build(tags[name], LIVE / "standins" / name, timeout=900,
                     build_args={"BASE_IMAGE": base})
        say(f"{tags[name]}: built")

    with ThreadPoolExecutor(len(STANDINS)) as pool:
        list(pool.map(build, STANDINS))
    return tags


def service_image(service: str) -> str:
    return f"faceclock/{service}:{SERVICE_TAG}"


def build_service(service: str, base: str) -> None:
    docker_build(service_image(service), ROOT, dockerfile=ROOT / "services" / "Dockerfile",
                 timeout=1200, build_args={"SERVICE": service, "BASE_IMAGE": base})


def image_user_and_size(tag: str) -> tuple[str, int]:
    out = run([DOCKER, "image", "inspect", tag], timeout=60, quiet=True).stdout
    (info,) = json.loads(out)
    return info["Config"]["User"], int(info["Size"])


def probe_image(service: str, env: dict[str, str]) -> str:
    """Inside the built image, load every driver and transport the service's production
    configuration names (the variables Compose gives it): a missing import fails here."""
    env_args = [arg for key, value in env.items() for arg in ("--env", f"{key}={value}")]
    result = run([DOCKER, "run", "--rm", "-i", "--network", "none", "--read-only",
                  "--entrypoint", "python", *env_args, service_image(service), "-"],
                 timeout=180, check=False, quiet=True, input=(LIVE / "image_probe.py").read_bytes())
    if result.returncode != 0:
        raise StageFailed(f"{service} image cannot load what its configuration needs:\n"
                          + result.stderr.decode(errors="replace")[-4000:])
    return result.stdout.decode().strip()


