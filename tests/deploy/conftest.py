"""Session fixtures of the deployment tests (loading code in manifests.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from faceclock_dev.stack import ProcessSpec

from .manifests import COMPOSE_FILE, K8S, kustomize_build, render_targets, stack_processes


@pytest.fixture(scope="session")
def processes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ProcessSpec]:
    return stack_processes(tmp_path_factory.mktemp("stack"))


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {target: kustomize_build(K8S / target) for target in render_targets()}

