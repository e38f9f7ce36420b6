"""The deployment stage of CI (`.venv/bin/python -m tests.deploy.live`, run by .ci/run after
the test suite; needs root). It installs Docker, Compose v2 and mmdebstrap when missing, starts
dockerd when it is not running, builds the base and stand-in images once per recipe and the
five FaceClock images from the working tree, then runs docker-compose.yml and the Kubernetes
manifests' containers and uses the product through them. Every step prints its time; the
stacks are always removed, and a failure exits non-zero."""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from faceclock_dev.testing import FACES_DIR

from .compose_stack import run_compose_stage
from .images import (
    SERVICES,
    base_image,
    build_service,
    image_user_and_size,
    service_image,
    standin_images,
)
from .kubernetes import run_kubernetes_stage
from .tooling import Engine, StageFailed, install_compose, install_debian_packages, say, step

# A bound on the whole stage, so a hang fails CI with the stacks cleaned up instead of running
# into CI's own limit (cold on two shared cores it takes about 10 to 15 minutes).
STAGE_LIMIT_S = 35 * 60


def _out_of_time(signum: int, frame: FrameType | None) -> None:
    raise StageFailed(f"the deployment stage ran past {STAGE_LIMIT_S // 60} minutes")


def main() -> int:
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(STAGE_LIMIT_S)
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="faceclock-deploy-"))
    engine = Engine(work)
    try:
        if not (FACES_DIR / "people").is_dir():
            raise StageFailed(f"test photos not found at {FACES_DIR}; set FACECLOCK_SHARED_DIR")
        with step("install docker.io, mmdebstrap and Compose v2 where missing"):
            install_debian_packages()
            install_compose()
        with step("Docker engine"):
            engine.start()
        with step("base image (mmdebstrap + docker import; cached per recipe)"):
            base = base_image()
        with step("stand-in images for MySQL, Redis and Mailpit (cached per recipe)"):
            standins = standin_images(base)
        for service in SERVICES:
            with step(f"build faceclock/{service} from the working tree"):
                build_service(service, base)
                user, size = image_user_and_size(service_image(service))
                if user != "10001:10001":
                    raise StageFailed(f"{service} image runs as {user!r}")
                say(f"  {size / 1e6:.0f} MB, user {user}")
        run_compose_stage(work, standins, base)
        run_kubernetes_stage(work, standins)
    except StageFailed as failure:
        say(f"DEPLOYMENT STAGE FAILED: {failure}")
        return 1
    finally:
        signal.alarm(0)
        engine.stop()
    say(f"deployment stage passed in {time.monotonic() - began:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
