"""The uvicorn server ``rivalry serve`` runs.

- :class:`GracefulServer`: SIGTERM or SIGINT starts a graceful shutdown (requests in flight
  finish, new connections are refused) and the process then exits 0, as an orchestrator that
  asked it to stop expects — uvicorn itself re-raises the signal, which exits 143.
- :class:`CoalescingHttpToolsProtocol`: uvicorn's HTTP/1.1 protocol with a response's writes
  coalesced into one ``writev`` (see :class:`_CoalescingTransport`).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Generator, Iterable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Pending bytes past which writes go out at once rather than at the end of the loop's iteration.
FLUSH_AT = 256 * 1024


class _CoalescingTransport:
    """A transport whose writes are sent together at the end of the event loop's iteration.

    uvicorn writes a response's status line and headers when the app sends
    ``http.response.start``, and its body when the app sends ``http.response.body``: two ``send``
    syscalls, each of which on loopback also runs the receiving side of TCP. The app sends both
    messages in one iteration of the loop (:class:`service.http.caching.ResponseWriter` holds the
    start until the body is ready), so holding the writes until the iteration ends sends them in
    one ``writev``. Measured in ``bench/RESULTS.md`` (session 7).

    Order is kept: every write of the connection goes through here. Flow control is the real
    transport's: uvicorn pauses the app when the real buffer passes its high-water mark, which
    happens at the flush, and more than :data:`FLUSH_AT` pending bytes are flushed at once, so a
    streamed export never piles up here. ``close`` sends what is pending first; ``abort`` drops it.
    """

    __slots__ = ("_loop", "_pending", "_size", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._pending.append(data)
        self._size += len(data)
        if len(self._pending) == 1:
            self._loop.call_soon(self.flush)
        if self._size >= FLUSH_AT:
            self.flush()

    def writelines(self, lines: Iterable[bytes]) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        self._pending, self._size = [], 0
        if self._transport.is_closing():
            return  # the peer went away: what it would have got is dropped, as the transport would
        if len(pending) == 1:
            self._transport.write(pending[0])
        else:
            self._transport.writelines(pending)

    def get_write_buffer_size(self) -> int:
        return self._size + self._transport.get_write_buffer_size()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending, self._size = [], 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a :class:`_CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]


class GracefulServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)
