"""The server's write coalescing (one ``writev`` per response, in order, nothing lost or held) and
its limits on what clients send (the size of a request's head, the time to send it and its body)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from service.server import FLUSH_AT, CoalescingHttpToolsProtocol, _CoalescingTransport
from tests.conftest import problem_answer


class _Transport:
    """Records what reaches the socket, one entry per syscall-level write."""

    def __init__(self) -> None:
        self.sent: list[list[bytes]] = []
        self.closing = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.sent.append([data])

    def writelines(self, lines: Any) -> None:
        self.sent.append(list(lines))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 8000) if name == "sockname" else None


def test_writes_of_one_loop_iteration_leave_as_one_write_in_order() -> None:
    async def scenario() -> list[list[bytes]]:
        real = _Transport()
        transport = _CoalescingTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n")
        transport.write(b"")
        transport.write(b"body")
        assert real.sent == [] and transport.get_write_buffer_size() == 42
        await asyncio.sleep(0)
        transport.write(b"next")
        await asyncio.sleep(0)
        assert transport.get_extra_info("sockname") == ("127.0.0.1", 8000)  # the rest is the transport's
        return real.sent

    assert asyncio.run(scenario()) == [[b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n", b"body"], [b"next"]]


def test_large_writes_close_and_abort_do_not_wait_for_the_loop() -> None:
    async def scenario() -> None:
        real = _Transport()
        transport = _CoalescingTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"head")
        transport.write(b"x" * FLUSH_AT)
        assert real.sent == [[b"head", b"x" * FLUSH_AT]]  # flushed at once: a stream never piles up here
        transport.write(b"last words")
        transport.close()
        assert real.sent[-1] == [b"last words"] and real.closing
        await asyncio.sleep(0)
        assert len(real.sent) == 2  # the scheduled flush found nothing left

        gone = _Transport()
        transport = _CoalescingTransport(gone, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"unsent")
        transport.abort()
        await asyncio.sleep(0)
        assert gone.sent == [] and gone.aborted

        closed = _Transport()
        transport = _CoalescingTransport(closed, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"to a peer that left")
        closed.closing = True
        await asyncio.sleep(0)
        assert closed.sent == []  # dropped, as the transport itself would

    asyncio.run(scenario())


# The limits on what clients send, on a real socket: the protocol as uvicorn runs it, in front of an
# app that answers with the length of the body it read.


async def _length_of_body(scope: Any, receive: Any, send: Any) -> None:
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def _serving(**limits: Any) -> AsyncIterator[int]:
    """A server on a free port with ``limits`` (constructor keywords of the protocol); yields the port."""
    config = uvicorn.Config(_length_of_body, lifespan="off", log_level="warning")
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: CoalescingHttpToolsProtocol(config, state, {}, loop, **limits), "127.0.0.1", 0
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for connection in list(state.connections):
            connection.shutdown()
        await server.wait_closed()


async def _response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One response of a kept-alive connection (the app's carry a content-length)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    status_line, *lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines if line)
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 5)
    return int(status_line.split()[1]), headers, body


async def _last_words(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    return await asyncio.wait_for(reader.read(), 5)


async def test_requests_on_a_kept_alive_connection_are_served_as_before() -> None:
    async with _serving(client_timeout=0.3) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await _response(reader))[0] == 200
        # A body in pieces, each within the timeout of the last, and a head in two pieces.
        writer.write(b"POST /b HTTP/1.1\r\nHost: x\r\n")
        await asyncio.sleep(0.1)
        writer.write(b"Content-Length: 6\r\n\r\nabc")
        for piece in (b"d", b"e", b"f"):
            await asyncio.sleep(0.15)
            writer.write(piece)
        assert (await _response(reader))[::2] == (200, b"6")
        # Idle between requests longer than the client timeout: the keep-alive timeout's business.
        await asyncio.sleep(0.5)
        # A large body in the same chunk as its head is not counted as head.
        writer.write(b"POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + b"x" * 200_000)
        assert (await _response(reader))[::2] == (200, b"200000")
        writer.close()


async def test_a_head_not_complete_in_time_is_answered_408_and_the_connection_closed() -> None:
    async with _serving(client_timeout=0.3) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        problem = problem_answer(await _last_words(reader), 408)
        assert problem["title"] == "Request Timeout" and "0.3 s" in problem["detail"]
        writer.close()

        # Trickling the head a byte at a time does not reset the clock: the whole head is due.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answer = asyncio.ensure_future(_last_words(reader))
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            if answer.done():
                break
            writer.write(bytes([byte]))
            await asyncio.sleep(0.02)
        problem_answer(await answer, 408)
        writer.close()


async def test_a_connection_that_sends_nothing_is_closed_without_an_answer() -> None:
    async with _serving(client_timeout=0.3) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await _last_words(reader) == b""
        writer.close()


async def test_a_body_that_stalls_is_answered_408() -> None:
    async with _serving(client_timeout=0.3) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabcde")
        problem = problem_answer(await _last_words(reader), 408)
        assert "body" in problem["detail"]
        writer.close()


async def test_oversized_heads_are_refused_whether_they_arrive_at_once_or_in_pieces() -> None:
    limits = {"max_request_target": 1024, "max_headers": 4096}
    async with _serving(**limits) as port:
        # At the limits: served.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        target = b"/" + b"t" * 1023
        headers = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 1010) for i in range(4))  # with Host: 4,077 bytes
        writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        assert (await _response(reader))[0] == 200
        writer.close()

        for head, status in (
            (b"GET /" + b"t" * 1024 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 5000 + b"\r\n\r\n", 431),
            (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(800)) + b"\r\n", 431),
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head)
            problem_answer(await _last_words(reader), status)
            writer.close()

        # A head that never ends, in pieces: refused once it passes both limits together, and the
        # answer still reaches a client that goes on sending (the server reads and drops the rest).
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answer = asyncio.ensure_future(_last_words(reader))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        sent = 0
        while not answer.done() and sent < 1 << 20:
            writer.write(b"v" * 512)
            sent += 512
            await writer.drain()
            await asyncio.sleep(0)
        problem = problem_answer(await answer, 431)
        assert problem["title"] == "Request Header Fields Too Large"
        assert sent < 1 << 20
        writer.close()
