"""The forwarding client (http1.py) against a real socket server: every framing of an answer,
keep-alive reuse, a connection the upstream closed while idle, and an upstream that is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from gateway_svc.http1 import Http1Pool, UpstreamFailed

Answer = Callable[[bytes], bytes]


class Upstream:
    """Answers each request with `answer(request head)`; counts connections; closes each
    connection after its answer when `close_after` is set."""

    def __init__(self, answer: Answer, close_after: bool = False) -> None:
        self.answer = answer
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                self.requests.append(head + await reader.readexactly(length))
                writer.write(self.answer(head))
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Upstream], asyncio.Future[Http1Pool]]]:
    servers: list[asyncio.Server] = []

    async def start(upstream: Upstream) -> Http1Pool:
        server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return Http1Pool(f"http://127.0.0.1:{port}", timeout=5)

    yield start  # type: ignore[misc]
    for server in servers:
        server.close()


def fixed(body: bytes, extra: bytes = b"") -> Answer:
    return lambda _: (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: "
                      + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


async def test_a_sized_answer_is_read_and_the_connection_kept_alive(serve) -> None:
    upstream = Upstream(fixed(b"hello"))
    pool = await serve(upstream)
    for _ in range(3):
        answer = await pool.send("GET", b"/api/v1/x?a=%20b", [(b"authorization", b"Bearer t")], b"")
        assert (answer.status, answer.header("content-type"), await answer.read()) == (
            200, "text/plain", b"hello")
    assert upstream.connections == 1
    assert upstream.requests[0].startswith(b"GET /api/v1/x?a=%20b HTTP/1.1\r\nhost: 127.0.0.1:")
    assert b"authorization: Bearer t\r\n" in upstream.requests[0]


async def test_a_body_goes_with_its_length(serve) -> None:
    upstream = Upstream(fixed(b"{}"))
    pool = await serve(upstream)
    answer = await pool.send("POST", b"/p", [(b"content-type", b"application/json")], b'{"a":1}')
    await answer.read()
    assert upstream.requests[0].endswith(b"content-length: 7\r\n\r\n{\"a\":1}")


async def test_a_chunked_answer_is_streamed_whole(serve) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\ntrailer: x\r\n\r\n")
    upstream = Upstream(lambda _: chunked)
    pool = await serve(upstream)
    for _ in range(2):
        answer = await pool.send("GET", b"/csv", [], b"")
        assert answer.content_length is None
        assert [chunk async for chunk in answer.stream()] == [b"hello", b" world"]
    assert upstream.connections == 1


async def test_an_answer_ended_by_closing_is_read_to_the_end(serve) -> None:
    upstream = Upstream(lambda _: b"HTTP/1.1 200 OK\r\n\r\nall of it", close_after=True)
    pool = await serve(upstream)
    for _ in range(2):
        answer = await pool.send("GET", b"/", [], b"")
        assert await answer.read() == b"all of it"
    assert upstream.connections == 2  # never reused


async def test_connection_close_and_no_body_statuses(serve) -> None:
    upstream = Upstream(lambda head: (b"HTTP/1.1 204 No Content\r\n\r\n" if b"/empty" in head else
                                      b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n"
                                      b"connection: close\r\n\r\nno"))
    pool = await serve(upstream)
    answer = await pool.send("DELETE", b"/empty", [], b"")
    assert (answer.status, await answer.read()) == (204, b"")
    answer = await pool.send("GET", b"/missing", [], b"")
    assert (answer.status, await answer.read()) == (404, b"no")
    await pool.send("GET", b"/empty", [], b"")
    assert upstream.connections == 2  # the 204's connection was reused, the closed one not


async def test_a_kept_connection_the_upstream_closed_is_replaced(serve) -> None:
    upstream = Upstream(fixed(b"ok"))
    pool = await serve(upstream)
    await (await pool.send("GET", b"/", [], b"")).read()
    for writer in upstream.writers:
        writer.transport.abort()  # the upstream drops its idle connection
    await asyncio.sleep(0.05)
    assert await (await pool.send("GET", b"/", [], b"")).read() == b"ok"
    assert upstream.connections == 2


async def test_an_unread_answer_does_not_leave_its_connection_in_the_pool(serve) -> None:
    upstream = Upstream(fixed(b"x" * 100_000))
    pool = await serve(upstream)
    answer = await pool.send("GET", b"/big", [], b"")
    await answer.aclose()
    assert await (await pool.send("GET", b"/big", [], b"")).read() == b"x" * 100_000
    assert upstream.connections == 2


async def test_an_upstream_that_is_down_or_not_http_fails_clearly(serve) -> None:
    with pytest.raises(UpstreamFailed):
        await Http1Pool("http://127.0.0.1:9", timeout=2).send("GET", b"/", [], b"")
    pool = await serve(Upstream(lambda _: b"SSH-2.0-OpenSSH\r\n\r\n"))
    with pytest.raises(UpstreamFailed, match="not an HTTP"):
        await pool.send("GET", b"/", [], b"")
    short = await serve(Upstream(lambda _: b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",
                                 close_after=True))
    answer = await short.send("GET", b"/", [], b"")
    with pytest.raises(UpstreamFailed):
        await answer.read()
