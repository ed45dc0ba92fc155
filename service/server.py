"""The uvicorn server ``rivalry serve`` runs.

- :class:`GracefulServer`: SIGTERM or SIGINT starts a graceful shutdown (requests in flight
  finish, new connections are refused) and the process then exits 0, as an orchestrator that
  asked it to stop expects — uvicorn itself re-raises the signal, which exits 143.
- :class:`CoalescingHttpToolsProtocol`: uvicorn's HTTP/1.1 protocol with a response's writes
  coalesced into one ``writev`` (see :class:`_CoalescingTransport`), and bounds on the size of a
  request's head and on how long a client may take to send it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Generator, Iterable
from http import HTTPStatus
from typing import Any

import httptools
import msgspec
import structlog
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from service.http.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, Problem

log = structlog.get_logger("service.server")

# Pending bytes past which writes go out at once rather than at the end of the loop's iteration.
FLUSH_AT = 256 * 1024
# What a client may send before its request reaches the app (CoalescingHttpToolsProtocol).
MAX_REQUEST_TARGET = 16 * 1024  # the request line's path and query → 414 past it
MAX_HEADERS = 64 * 1024  # all header lines together → 431 past it
CLIENT_TIMEOUT = 10.0  # seconds to send a whole head, or to stay silent within a body → 408
# Seconds a refused connection is still read (and what it sends dropped) so its client gets the answer.
LINGER = 2.0

# What a connection is reading (CoalescingHttpToolsProtocol._reading).
_IDLE, _HEAD, _BODY, _REFUSED = 0, 1, 2, 3


class _Refused(Exception):
    """Raised in a parser callback to stop parsing a request that has been refused."""


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


class _Lingering(asyncio.Protocol):
    """What is left of a refused connection: the answer is written and the write side shut down;
    whatever the client still sends is read and dropped until it closes or :data:`LINGER` seconds
    pass. Closing with unread input at once would make the kernel reset the connection, and a client
    still sending would never read the answer."""

    def __init__(self, transport: asyncio.BaseTransport, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = loop.call_later(LINGER, transport.close)

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> bool:
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._timer.cancel()


def _problem_response(status: int, detail: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A complete ``status`` response with a problem body, for requests refused before the app sees
    them; titled and typed as the app titles the HTTP errors it maps (``service.http.problems``)."""
    phrase = HTTPStatus(status).phrase
    problem = Problem(
        type=PROBLEM_BASE + phrase.lower().replace(" ", "-"), title=phrase, status=status, detail=detail, instance=""
    )
    body = msgspec.json.encode(problem)
    head = [STATUS_LINE[status]]
    head += [b"%s: %s\r\n" % header for header in default_headers]
    head.append(
        b"content-type: %s\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
        % (PROBLEM_MEDIA_TYPE.encode(), len(body))
    )
    return b"".join([*head, body])


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a :class:`_CoalescingTransport`, with limits on
    what a client may send before its request reaches the app.

    uvicorn reads request heads without a bound (httptools keeps a header's value in memory until
    its end arrives) and waits for a client's bytes without a deadline. Here:

    - a request target over ``max_request_target`` bytes is answered 414, header lines over
      ``max_headers`` bytes in total 431;
    - a client that has not sent a whole head ``client_timeout`` seconds after it connected, or
      after the head's first bytes on a kept-alive connection, is answered 408; so is a body from
      which nothing has arrived for ``client_timeout`` seconds while the app waits for it.

    Each answer is a problem and closes the connection. The bytes of a head are counted per chunk
    only while the head is incomplete, and the exact sizes are only summed when the chunks carrying
    a head were large enough to break a limit: a request whose head arrives in one ordinary chunk
    pays a few integer comparisons, and no timer.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        client_timeout: float = CLIENT_TIMEOUT,
        max_request_target: int = MAX_REQUEST_TARGET,
        max_headers: int = MAX_HEADERS,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.client_timeout = client_timeout
        self.max_request_target = max_request_target
        self.max_headers = max_headers
        self._head_may_exceed = min(max_request_target, max_headers)
        self.url = b""
        self._reading = _IDLE
        self._chunk_size = 0
        # Bytes of the chunks received after the one where the current head began (all head bytes).
        self._head_bytes = 0
        self._body_seen = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._timer = self.loop.call_later(self.client_timeout, self._timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._stop_timer()

    def data_received(self, data: bytes) -> None:
        # uvicorn's, with a head's bytes counted before the parser takes them and its clocks set after.
        size = self._chunk_size = len(data)
        if self._reading == _HEAD:
            self._head_bytes += size
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._reading = _IDLE
            self._stop_timer()
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self._reading == _REFUSED:
                return  # on_headers_complete refused the request, and answered
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)
            return
        if self._reading:  # a head or a body still incomplete
            self._still_reading()

    def _still_reading(self) -> None:
        """Bound the incomplete head; start the clock of the head or the body unless it runs."""
        if self._reading == _HEAD:
            if self._head_bytes > self.max_request_target + self.max_headers:
                refusal = self._oversized_head() or (431, self._too_many_headers())
                self._refuse(*refusal)
                return
        else:
            self._body_seen = self.loop.time()
        if self._timer is None:
            self._timer = self.loop.call_later(self.client_timeout, self._timed_out)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading = _HEAD
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        # Only a head carried by chunks this large can break a limit.
        if self._head_bytes + self._chunk_size > self._head_may_exceed:
            refusal = self._oversized_head()
            if refusal is not None:
                self._refuse(*refusal)
                raise _Refused  # stops the parser; data_received sees the connection handed over
        self._reading = _BODY
        self._stop_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading = _IDLE
        self._stop_timer()
        super().on_message_complete()

    def _oversized_head(self) -> tuple[int, str] | None:
        if len(self.url) > self.max_request_target:
            return 414, f"The request target is longer than {self.max_request_target} bytes."
        if sum(len(name) + len(value) + 4 for name, value in self.headers) > self.max_headers:
            return 431, self._too_many_headers()
        return None

    def _too_many_headers(self) -> str:
        return f"The request's header lines exceed {self.max_headers} bytes in total."

    def _timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._reading == _HEAD:
            self._refuse(408, f"The request's headers did not all arrive within {self.client_timeout:g} s.")
        elif self._reading == _BODY:
            now = self.loop.time()
            if self.flow.read_paused or self.cycle.waiting_for_100_continue:
                # The server, not the client, is holding the body back: the app has not read it yet.
                self._body_seen = now
            silent = now - self._body_seen
            if silent < self.client_timeout:
                self._timer = self.loop.call_later(self.client_timeout - silent, self._timed_out)
            else:
                self._refuse(408, f"Nothing of the request's body arrived for {self.client_timeout:g} s.")
        elif self.cycle is None:
            self.transport.close()  # connected and sent nothing: closed as an idle kept-alive connection is

    def _refuse(self, status: int, detail: str) -> None:
        """Answer ``status`` (unless another response is under way on the connection), then hand the
        connection over to a :class:`_Lingering` protocol: no more of it is parsed."""
        self._stop_timer()
        cycle: RequestResponseCycle | None = self.cycle
        if self._reading == _BODY:
            answer = cycle is not None and not cycle.response_started
        else:  # a head: the cycle, if any, is the previous request's
            answer = cycle is None or cycle.response_complete
        self._reading = _REFUSED
        log.info("http.request_refused", status=status, detail=detail, client=self.client[0] if self.client else None)
        if answer:
            self.transport.write(_problem_response(status, detail, self.server_state.default_headers))
        # What uvicorn does when the connection is lost: the app's receive() answers that the client
        # left, its send() writes nothing more, and the server no longer waits for the connection.
        if cycle is not None:
            if not cycle.response_complete:
                cycle.disconnected = True
            cycle.message_event.set()
        self.flow.resume_writing()
        self._unset_keepalive_if_required()
        self.connections.discard(self)
        if not self.transport.can_write_eof():  # TLS: no half-close
            self.transport.close()
            return
        self.flow.resume_reading()
        self.transport.write_eof()
        self.transport.set_protocol(_Lingering(self.transport, self.loop))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


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
