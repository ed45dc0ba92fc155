"""The server's write coalescing: one ``writev`` per response, in order, nothing lost or held."""

from __future__ import annotations

import asyncio
from typing import Any

from service.server import FLUSH_AT, _CoalescingTransport


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
