"""One database session, and one transaction, per request (from app.state.session_factory).

Services flush; this edge commits. The request's work commits once, after the route returned
and its answer was built, or is rolled back when anything raised: a change, its audit rows and
the results it recomputed stand or fall together.

The dependency has scope "function": FastAPI then runs its exit before the answer is sent (a
request-scoped one exits after), so a failed commit is answered as an error, never after a
success already went out. A unique key the commit still trips (a race no savepoint covered)
answers 409; an outage answers 503 through the error handlers.

Made on the event loop (no I/O until first used). A session that holds a transaction is
committed or rolled back and closed in a thread; one never used holds no connection, and
closing it is bookkeeping done here. A plain generator dependency cost two thread-pool hops
per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from faceclock_common.errors import Conflict


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("conflict", "Someone changed the same data at the same time; "
                       "reload and try again.") from exc
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(session.close)  # closing rolls the transaction back
        else:
            session.close()
        raise
    if session.in_transaction():
        await run_in_threadpool(_commit, session)
    else:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
