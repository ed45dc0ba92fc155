"""`rivalry serve` bounds what a client may send before its request reaches the app: a request line
over 16 KiB is answered 414 and header lines over 64 KiB 431, without holding them in memory; a
client slower than the client timeout to send its head, or silent within its body, is answered 408.
Each answer closes the connection."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from tests.conftest import API_KEY, problem_answer, server_process

CLIENT_TIMEOUT = 1.0
SLOW_CLIENTS = 50


def wait_until_ready(base: str) -> httpx.Response:
    deadline = time.monotonic() + 120
    while True:
        response = httpx.get(f"{base}/ready", timeout=5)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


class Server(NamedTuple):
    base: str
    port: int
    pid: int
    log: Path


@pytest.fixture(scope="module")
def server(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server on the migrated database, with a short client timeout."""
    log = tmp_path_factory.mktemp("limits") / "serve.log"
    timeout = ("--client-timeout", str(CLIENT_TIMEOUT))
    with server_process(migrated_url, log, *timeout, answers="/health", RIVALRY_API_KEYS=API_KEY) as (base, process):
        assert wait_until_ready(base).status_code == 200
        yield Server(base, int(base.rsplit(":", 1)[1]), process.pid, log)
        assert process.poll() is None, "the server died"


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(15)  # a hang guard, not a measure
    return sock


def _until_closed(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_a_100_kib_header_is_answered_431_and_the_connection_closed(server: Server) -> None:
    with _connect(server.port) as sock:
        sock.sendall(b"GET /api/v1/documents HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100 * 1024 + b"\r\n\r\n")
        problem = problem_answer(_until_closed(sock), 431)
    assert problem["title"] == "Request Header Fields Too Large"

    with _connect(server.port) as sock:
        sock.sendall(b"GET /api/v1/documents?q=" + b"a" * 17 * 1024 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        problem_answer(_until_closed(sock), 414)

    # Headers within the limits are served as before.
    response = httpx.get(f"{server.base}/api/v1/documents", headers={"X-Padding": "a" * 60 * 1024})
    assert response.status_code == 200


def _send_head_of(port: int, size: int, outcomes: list[str]) -> None:
    with _connect(port) as sock:
        try:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
            piece = b"a" * (1 << 20)
            for _ in range(size // len(piece)):
                sock.sendall(piece)
            sock.sendall(b"\r\n\r\n")
            outcomes.append(_until_closed(sock).split(b"\r\n", 1)[0].decode())
        except ConnectionError as exc:  # the server stopped reading a client that kept on sending
            outcomes.append(type(exc).__name__)


def test_parallel_64_mib_headers_do_not_grow_the_worker(server: Server) -> None:
    before = peak = rss_mib(server.pid)
    outcomes: list[str] = []
    clients = [threading.Thread(target=_send_head_of, args=(server.port, 64 << 20, outcomes)) for _ in range(4)]
    for client in clients:
        client.start()
    while any(client.is_alive() for client in clients):
        peak = max(peak, rss_mib(server.pid))
        time.sleep(0.01)
    print(f"\nRSS under 4 parallel 64 MiB headers: {before:.0f} MiB before, {peak:.0f} MiB at most; {outcomes}")
    assert peak - before < 50
    assert all(o.startswith("HTTP/1.1 431") or o.endswith("Error") for o in outcomes), outcomes
    assert httpx.get(f"{server.base}/health").status_code == 200


def test_slow_clients_are_answered_408_and_closed_while_others_are_served(server: Server) -> None:
    slow = [_connect(server.port) for _ in range(SLOW_CLIENTS)]
    for sock in slow:  # a head cut in the middle of a header line, then nothing
        sock.sendall(b"GET /api/v1/documents HTTP/1.1\r\nHost: x\r\nUser-Agent: slo")
    silent = _connect(server.port)
    stalled = _connect(server.port)  # a body cut short
    stalled.sendall(
        b"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{'text': " % API_KEY.encode()
    )
    try:
        assert httpx.get(f"{server.base}/health").status_code == 200
        for sock in slow:
            problem = problem_answer(_until_closed(sock), 408)
            assert problem["detail"] == "The request's headers did not all arrive within 1 s."
        assert "body" in problem_answer(_until_closed(stalled), 408)["detail"]
        assert _until_closed(silent) == b""  # never sent a byte: closed without an answer
    finally:
        for sock in [*slow, silent, stalled]:
            sock.close()
    assert "Traceback" not in server.log.read_text()


def test_kept_alive_connections_still_serve_request_after_request(server: Server) -> None:
    with _connect(server.port) as sock:
        stream = sock.makefile("rb")
        for pause in (0, 1.5 * CLIENT_TIMEOUT, 0):  # idle longer than the client timeout in between
            time.sleep(pause)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert stream.readline().startswith(b"HTTP/1.1 200 ")
            headers = {}
            while (line := stream.readline()) != b"\r\n":
                name, value = line.decode().split(":", 1)
                headers[name.lower()] = value.strip()
            assert json.loads(stream.read(int(headers["content-length"]))) == {"status": "ok"}
