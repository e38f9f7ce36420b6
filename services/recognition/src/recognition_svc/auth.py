"""gRPC server interceptor: bearer-token check per method, request id, metrics, access log.

Roles per method follow docs/contracts.md. The health service is open (probes carry no token).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc import aio

from faceclock_common.logging import new_request_id, request_id_var, valid_request_id
from faceclock_common.security import (
    ROLES,
    SERVICE_ROLE,
    Principal,
    TokenError,
    TokenVerifier,
    bearer_token_of,
)
from faceclock_proto.errors import refuse
from recognition_svc.config import SERVICE_NAME
from recognition_svc.metrics import Metrics

logger = logging.getLogger(__name__)

ANY_ROLE = frozenset(ROLES) | {SERVICE_ROLE}
MANAGE = frozenset({"admin", "hr", SERVICE_ROLE})
METHOD_ROLES: dict[str, frozenset[str]] = {
    f"/{SERVICE_NAME}/Enroll": MANAGE,
    f"/{SERVICE_NAME}/DeleteFaces": MANAGE,
    f"/{SERVICE_NAME}/ListFaces": MANAGE,
    f"/{SERVICE_NAME}/Stats": MANAGE,
    f"/{SERVICE_NAME}/Identify": ANY_ROLE,
    f"/{SERVICE_NAME}/Verify": ANY_ROLE,
    f"/{SERVICE_NAME}/CheckLiveness": ANY_ROLE,
}
PUBLIC_PREFIXES = ("/grpc.health.v1.Health/",)
REQUEST_ID_KEY = "x-request-id"


class AuthInterceptor(aio.ServerInterceptor):
    def __init__(self, verifier: TokenVerifier, metrics: Metrics) -> None:
        self.verifier = verifier
        self.metrics = metrics

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        metadata = {k: v for k, v in (handler_call_details.invocation_metadata or ())
                    if isinstance(v, str)}
        request_id = valid_request_id(metadata.get(REQUEST_ID_KEY)) or new_request_id()
        request_id_var.set(request_id)
        if handler is None or method.startswith(PUBLIC_PREFIXES):
            return handler
        if handler.unary_unary is None:
            return handler  # every method of ours is unary; anything else is not ours to guard
        return grpc.unary_unary_rpc_method_handler(
            self._guarded(method, handler.unary_unary, metadata, request_id),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _guarded(self, method: str, behaviour: Callable[..., Any], metadata: dict[str, str],
                 request_id: str) -> Callable[..., Awaitable[Any]]:
        allowed = METHOD_ROLES.get(method)
        short = method.rsplit("/", 1)[-1]

        async def guarded(request: Any, context: aio.ServicerContext) -> Any:
            request_id_var.set(request_id)
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            subject = "-"
            try:
                await context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))
                principal = await self._authorise(allowed, metadata, context)
                subject = principal.subject
                return await behaviour(request, context)
            except BaseException:
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                elapsed = time.perf_counter() - started
                code_name = code.name if isinstance(code, grpc.StatusCode) else str(code)
                self.metrics.requests.labels(short, code_name).inc()
                self.metrics.latency.labels(short).observe(elapsed)
                # Who did what, for the audit trail of enrolments and erasures; no image data.
                logger.info("rpc", extra={"method": short, "code": code_name, "subject": subject,
                                          "ms": round(elapsed * 1000, 1)})

        return guarded

    async def _authorise(self, allowed: frozenset[str] | None, metadata: dict[str, str],
                         context: aio.ServicerContext) -> Principal:
        if allowed is None:
            await refuse(context, grpc.StatusCode.PERMISSION_DENIED, "forbidden",
                         "No rule for method")
        token = bearer_token_of(metadata.get("authorization"))
        if token is None:
            await refuse(context, grpc.StatusCode.UNAUTHENTICATED, "unauthorized",
                         "A bearer access token is required")
        try:
            # The first token of a new key fetches the JWKS over HTTP: keep it off the loop.
            principal = await asyncio.to_thread(self.verifier.verify, token)
        except TokenError as exc:
            await refuse(context, grpc.StatusCode.UNAUTHENTICATED, "unauthorized",
                         f"Invalid access token: {exc}")
        if not principal.has_any(allowed):
            await refuse(context, grpc.StatusCode.PERMISSION_DENIED, "forbidden",
                         "Your role does not allow this")
        return principal
