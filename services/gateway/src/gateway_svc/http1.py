"""A lean HTTP/1.1 client for forwarding: pooled keep-alive connections to one upstream, bytes
in and bytes out.

Why not httpx for this: the gateway passes requests on unchanged, so it needs none of httpx's
URL model, header normalisation, cookies, redirects or decoding, and they were the larger part of
a proxied GET's CPU (measured on this machine: ~1.1-1.8 ms of CPU per call through httpx or
httpcore, ~0.07 ms over plain asyncio streams). The gateway's own calls (JSON in and out) still
use httpx (upstream.Upstreams.call).

Framing follows RFC 9112: a body is delimited by Content-Length, chunked transfer coding, or the
end of the connection; a connection is reused only after a whole answer was read and neither side
asked to close it. Idle connections are dropped after IDLE_SECONDS, well before uvicorn closes
them (5 s), so a request is not sent on a connection the upstream is closing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

IDLE_SECONDS = 2.0
MAX_HEADER_BYTES = 64 * 1024
_READ_CHUNK = 64 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


class UpstreamFailed(Exception):
    """The upstream could not be reached, or answered something that is not HTTP/1.1."""


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def usable(self) -> bool:
        return (not self.writer.is_closing() and not self.reader.at_eof()
                and time.monotonic() - self.idle_since < IDLE_SECONDS)

    def close(self) -> None:
        self.writer.close()


class UpstreamResponse:
    """Status and headers (lower-case names, as received); the body is read with `read()` or
    `stream()`, after which the connection goes back to the pool (or is closed)."""

    def __init__(self, pool: Http1Pool, connection: _Connection, status: int,
                 headers: list[tuple[str, str]], framing: str, length: int, reusable: bool
                 ) -> None:
        self.pool = pool
        self.status = status
        self.headers = headers
        self._connection: _Connection | None = connection
        self._framing = framing  # "none", "length", "chunked" or "close"
        self._length = length
        self._reusable = reusable

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def content_length(self) -> int | None:
        return self._length if self._framing == "length" else None

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.stream()])

    async def stream(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        reader, timeout = connection.reader, self.pool.timeout
        completed = False
        try:
            if self._framing == "length":
                left = self._length
                while left:
                    async with asyncio.timeout(timeout):
                        chunk = await reader.read(min(left, _READ_CHUNK))
                    if not chunk:
                        raise UpstreamFailed("the answer ended early")
                    left -= len(chunk)
                    yield chunk
            elif self._framing == "chunked":
                while True:
                    async with asyncio.timeout(timeout):
                        size_line = await reader.readuntil(b"\r\n")
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                    if size == 0:
                        async with asyncio.timeout(timeout):
                            while await reader.readuntil(b"\r\n") != b"\r\n":
                                pass  # trailers: not passed on
                        break
                    async with asyncio.timeout(timeout):
                        data = await reader.readexactly(size + 2)
                    yield data[:-2]
            elif self._framing == "close":
                while True:
                    async with asyncio.timeout(timeout):
                        chunk = await reader.read(_READ_CHUNK)
                    if not chunk:
                        break
                    yield chunk
            completed = True
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError) as exc:
            raise UpstreamFailed(str(exc) or type(exc).__name__) from exc
        finally:
            # Left early (an error, or the client went away): the rest of the body is unread.
            self._release(completed=completed)

    async def aclose(self) -> None:
        """Done with the answer, read or not (an unread body makes the connection unusable)."""
        self._release(completed=False)

    def _release(self, *, completed: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if completed and self._reusable:
            self.pool.put_back(connection)
        else:
            connection.close()


class Http1Pool:
    def __init__(self, base_url: str, *, timeout: float, max_idle: int = 50) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"forwarding needs an http:// upstream, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.host_header = parts.netloc.encode("ascii")
        self.timeout = timeout
        self.max_idle = max_idle
        self._idle: list[_Connection] = []

    async def _connect(self) -> _Connection:
        async with asyncio.timeout(self.timeout):
            reader, writer = await asyncio.open_connection(self.host, self.port,
                                                           limit=MAX_HEADER_BYTES)
        return _Connection(reader, writer)

    def put_back(self, connection: _Connection) -> None:
        connection.idle_since = time.monotonic()
        if len(self._idle) < self.max_idle:
            self._idle.append(connection)
        else:
            connection.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    async def send(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> UpstreamResponse:
        """Sends one request (`target`: path and query, already encoded) and reads the head of
        its answer. `headers` must not carry Host, Content-Length or Connection."""
        lines = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\nhost: ",
                 self.host_header, b"\r\n"]
        for name, value in headers:
            lines += [name, b": ", value, b"\r\n"]
        if body or method in ("POST", "PUT", "PATCH"):
            lines += [b"content-length: ", str(len(body)).encode(), b"\r\n"]
        lines += [b"\r\n", body]
        message = b"".join(lines)
        while True:
            reused = self._take_idle()
            connection = reused or await self._connect_or_fail()
            try:
                connection.writer.write(message)
                async with asyncio.timeout(self.timeout):
                    await connection.writer.drain()
                    head = await connection.reader.readuntil(b"\r\n\r\n")
            except (OSError, TimeoutError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError) as exc:
                connection.close()
                # A kept-alive connection the upstream closed before reading anything: the
                # request was never seen, so it is sent again on a new connection.
                if reused is not None and isinstance(exc, asyncio.IncompleteReadError | OSError) \
                        and not getattr(exc, "partial", b""):
                    continue
                raise UpstreamFailed(str(exc) or type(exc).__name__) from exc
            except asyncio.CancelledError:
                connection.close()  # the caller left mid-request: the answer is never read
                raise
            try:
                return self._response(connection, method, head)
            except ValueError as exc:
                connection.close()
                raise UpstreamFailed(f"not an HTTP/1.1 answer: {exc}") from exc

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable():
                return connection
            connection.close()
        return None

    async def _connect_or_fail(self) -> _Connection:
        try:
            return await self._connect()
        except (OSError, TimeoutError) as exc:
            raise UpstreamFailed(str(exc) or type(exc).__name__) from exc

    def _response(self, connection: _Connection, method: str, head: bytes) -> UpstreamResponse:
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise ValueError(status_line[:40])
        status = int(rest[:3])
        headers = []
        for line in header_lines:
            name, sep, value = line.partition(":")
            if not sep:
                raise ValueError("a header line without a colon")
            headers.append((name.strip().lower(), value.strip()))
        found = dict(headers)
        tokens = {t.strip().lower() for t in found.get("connection", "").split(",")}
        reusable = "close" not in tokens and (version == "HTTP/1.1" or "keep-alive" in tokens)
        length = 0
        if method == "HEAD" or status < 200 or status in _NO_BODY_STATUSES:
            framing = "none"
        elif "chunked" in found.get("transfer-encoding", "").lower():
            framing = "chunked"
        elif "content-length" in found:
            framing, length = "length", int(found["content-length"])
            if length < 0:
                raise ValueError("a negative Content-Length")
        else:
            framing, reusable = "close", False
        return UpstreamResponse(self, connection, status, headers, framing, length, reusable)
