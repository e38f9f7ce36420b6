"""Deny by default across every HTTP service: each route names who may call it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from faceclock_common.security import access_rules_of

FASTAPI_SERVICES = ["gateway_svc", "auth_svc", "attendance_svc"]


def _app(package: str, tmp_path: Any) -> FastAPI:
    main = importlib.import_module(f"{package}.main")
    config = importlib.import_module(f"{package}.config")
    settings = config.Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    app: FastAPI = main.create_app(settings)
    return app


@pytest.mark.parametrize("package", FASTAPI_SERVICES)
def test_every_route_declares_an_access_rule(package: str, tmp_path: Any) -> None:
    app = _app(package, tmp_path)
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert routes, "the app has no routes"
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if not access_rules_of(r.dependant)]
    assert missing == []

