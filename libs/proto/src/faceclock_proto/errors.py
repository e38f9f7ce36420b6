"""Why recognition refused a call, both sides of the contract.

The gRPC status code says what kind of failure it is (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...),
the trailing metadata entry REASON_KEY a stable snake_case reason (the gateway passes it on as the
public error code, e.g. `bad_image`), and the details a sentence for people. Clients read the
reason from the metadata and never parse the sentence.
"""

from __future__ import annotations

from typing import NoReturn

import grpc
from grpc import aio

REASON_KEY = "faceclock-reason"


async def refuse(context: aio.ServicerContext, code: grpc.StatusCode, reason: str,
                 message: str) -> NoReturn:
    """Ends the call with `code`, `reason` in the trailing metadata and `message` as details."""
    await context.abort(code, message, trailing_metadata=((REASON_KEY, reason),))
    raise AssertionError("unreachable: abort raises")


def reason_of(error: aio.AioRpcError) -> str | None:
    """The reason a refusal carries; None for a failure recognition did not explain (a dropped
    connection, a deadline, a call refused by the gRPC stack itself)."""
    for key, value in error.trailing_metadata() or ():
        if key == REASON_KEY:
            return value if isinstance(value, str) else value.decode("ascii", "replace")
    return None
