"""One database session per request on the FastAPI services (from app.state.session_factory).

Made on the event loop (no I/O until first used). Closed in a thread when a transaction is
still open, since closing then hands the connection back with a rollback; a session never
used, committed or already closed by the route holds no connection, and closing it is
bookkeeping done here. A plain generator dependency cost two thread-pool hops per request.
Service functions commit explicitly; anything left uncommitted is rolled back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool


async def get_session(request: Request) -> AsyncIterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]
