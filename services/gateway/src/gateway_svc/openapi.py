"""The whole public API as one OpenAPI document: the gateway's own routes plus each service's."""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

from fastapi import FastAPI

from gateway_svc.upstream import Upstreams

logger = logging.getLogger(__name__)

# Where each service publishes its own document.
SERVICE_DOCUMENTS = {"auth": "/openapi.json", "attendance": "/api/v1/openapi.json",
                     "reporting": "/api/v1/openapi.json"}


class OpenApiComposer:
    def __init__(self, app: FastAPI, upstreams: Upstreams, cache_seconds: float = 60) -> None:
        self.app = app
        self.upstreams = upstreams
        self.cache_seconds = cache_seconds
        self._cached: dict[str, Any] | None = None
        self._cached_at = 0.0

    async def document(self) -> dict[str, Any]:
        if self._cached and time.monotonic() - self._cached_at < self.cache_seconds:
            return self._cached
        merged = copy.deepcopy(self.app.openapi())
        merged["info"] = {"title": "FaceClock API", "version": "v1",
                          "description": "Face-recognition time and attendance."}
        complete = True
        for service, path in SERVICE_DOCUMENTS.items():
            try:
                response = await self.upstreams.call(service, "GET", path)
                response.raise_for_status()
                merge_into(merged, response.json())
            except Exception as exc:  # a missing part is reported, not fatal
                complete = False
                logger.warning("openapi of a service unavailable",
                               extra={"service": service, "error": type(exc).__name__})
        if complete:
            self._cached, self._cached_at = merged, time.monotonic()
        return merged


def merge_into(target: dict[str, Any], document: dict[str, Any]) -> None:
    """Adds a service's public paths (never /internal) and the schemas they reference. Where the
    gateway composes some methods of a path itself (DELETE /employees/{employee_id} erases the
    faces too), its own operation stays and the service's other methods join it."""
    paths = target.setdefault("paths", {})
    for path, item in document.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        merged = paths.setdefault(path, {})
        for method, operation in item.items():
            merged.setdefault(method, operation)
    schemas = target.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
    for name, scheme in document.get("components", {}).get("securitySchemes", {}).items():
        target["components"].setdefault("securitySchemes", {}).setdefault(name, scheme)
