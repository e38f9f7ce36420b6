"""The web UI: static files from web/, and index.html for every client-side route."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from faceclock_common.errors import ApiError
from faceclock_common.fastapi.security import public


def web_router(web_dir: Path) -> APIRouter:
    router = APIRouter(dependencies=[Depends(public)], include_in_schema=False)
    root = web_dir.resolve()

    @router.get("/{path:path}")
    async def web_file(path: str) -> FileResponse:
        if path.startswith(("api/", "internal/")):
            raise ApiError(404, "not_found", "No such API path.")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and root in candidate.parents:
            return FileResponse(candidate, headers={"Cache-Control": "no-cache"})
        index = root / "index.html"
        if not index.is_file():
            raise ApiError(404, "not_found", "The web UI is not installed.")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return router
