"""The uvicorn server ``rivalry serve`` runs: SIGTERM or SIGINT starts a graceful shutdown (requests
in flight finish, new connections are refused) and the process then exits 0, as an orchestrator
that asked it to stop expects — uvicorn itself re-raises the signal, which exits 143."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Generator

import uvicorn


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
