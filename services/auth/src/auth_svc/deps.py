"""Request dependencies of the auth service as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from auth_svc.runtime import Runtime
from faceclock_common.fastapi.db import SessionDep
from faceclock_common.fastapi.requests import client_address_of
from faceclock_common.fastapi.security import CurrentPrincipal
from faceclock_common.security import Principal


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_client_address(request: Request, runtime: RuntimeDep) -> str:
    return client_address_of(request, runtime.trusted_proxies)


ClientAddress = Annotated[str, Depends(get_client_address)]

__all__ = ["ClientAddress", "CurrentPrincipal", "Principal", "RuntimeDep", "SessionDep"]
