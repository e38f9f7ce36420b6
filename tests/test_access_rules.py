"""Deny by default across every HTTP service: each route names who may call it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from fastapi import FastAPI

from faceclock_common.fastapi.security import route_access_report

FASTAPI_SERVICES = ["gateway_svc", "auth_svc", "attendance_svc"]


def _app(package: str, tmp_path: Any) -> FastAPI:
    main = importlib.import_module(f"{package}.main")
    config = importlib.import_module(f"{package}.config")
    settings = config.Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    app: FastAPI = main.create_app(settings)
    return app


@pytest.mark.parametrize("package", FASTAPI_SERVICES)
def test_every_route_declares_an_access_rule(package: str, tmp_path: Any) -> None:
    checked, missing = route_access_report(_app(package, tmp_path))
    assert checked >= 10, "the walk found almost no routes"
    assert missing == []

