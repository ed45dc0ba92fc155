"""The adversarial run of issue #21, against a real server on a PostgreSQL cluster of its own.

    python bench/adversarial.py [--max-examples 30] [--skip-fuzz]

Starts an embedded PostgreSQL in a temporary directory (never the shared server: the run stops
it, fills its connection slots and locks its tables), seeds it, serves it with `rivalry serve`,
then runs, in order:

- hostile headers: the worker's RSS before and after 4 parallel 64 MB headers, the statuses of a
  100 KiB header and of a 20 KiB request line, and how 50 clients sending byte by byte end;
- connection slots exhausted: statuses of search and detail routes while every slot is taken;
- a lock on ``events`` held while a document is posted: status and detail;
- the database stopped: statuses and content types of reads, exports and writes, then the seconds
  until ``/ready`` and a list answer 200 again once it is back;
- schemathesis ``--checks all`` over every operation, the stateful phase included, with a key;
- finally, how many responses of the whole run had a 5xx status other than 503.

Prints one JSON object (also in ``bench/out/adversarial/result.json``). Numbers are recorded in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from service import migrate  # noqa: E402
from service.db import start_embedded  # noqa: E402
from service.ingest.pipeline import run_seed  # noqa: E402
from service.settings import load_settings  # noqa: E402
from tests.database import _stop_embedded, restart_embedded  # noqa: E402

KEY = "adversarial-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
ARTICLE = "Publié le 4 mai 2025\nNvidia a investi 300 millions d'euros dans la start-up Mistral AI, à Paris.\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's worker may be a child)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


@contextlib.contextmanager
def _server(url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RIVALRY_API_KEYS": KEY,
        "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
        # schemathesis sends wrong keys on purpose; the failed-key limit is measured by the tests.
        "RIVALRY_AUTH_FAILURES_PER_MINUTE": "1000000",
        "RIVALRY_LOG_LEVEL": "INFO",
        "RIVALRY_LOG_JSON": "true",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=30)


def _schemathesis(base: str, out: Path, max_examples: int) -> dict[str, Any]:
    command = [
        str(ROOT / ".venv" / "bin" / "schemathesis"),
        "run",
        f"{base}/schema/openapi.json",
        "--checks",
        "all",
        "-H",
        f"Authorization: Bearer {KEY}",
        "--max-examples",
        str(max_examples),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        "21",
        "--no-color",
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    (out / "schemathesis.txt").write_text(done.stdout + done.stderr)
    # The summary lists each check that failed with its count ("❌ ST202 Schema-valid request rejected: 27").
    failures = {match[1]: int(match[2]) for match in re.finditer(r"❌ (ST\d+ [^:\n]+): (\d+)", done.stdout)}
    cases = re.search(r"Test cases:\s*\n?\s*(.+)", done.stdout)
    return {
        "exit_code": done.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "failed_checks": failures,
        "cases": cases[1].strip() if cases else None,
        "output": str(out / "schemathesis.txt"),
    }


def _raw(base: str, payload: bytes, timeout: float = 30.0) -> str:
    """Send ``payload`` on a new connection; the status line of the answer, or how it ended."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
        except OSError as exc:
            return f"send failed: {exc.__class__.__name__}"
        try:
            answer = sock.recv(4096)
        except OSError as exc:
            return f"recv failed: {exc.__class__.__name__}"
        return answer.split(b"\r\n", 1)[0].decode("latin-1") if answer else "closed without an answer"


def _headers(base: str, pid: int) -> dict[str, Any]:
    before = _rss_mb(pid)
    big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * (64 * 1024 * 1024) + b"\r\n\r\n"
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(_raw(base, big))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = _rss_mb(pid)
    hundred_k = _raw(base, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * 100 * 1024 + b"\r\n\r\n")
    long_line = _raw(base, b"GET /health?" + b"a=1&" * 5 * 1024 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    return {
        "rss_mb_before": before,
        "rss_mb_after_4x64MB": after,
        "4x64MB": sorted(results),
        "100KiB_header": hundred_k,
        "20KiB_request_line": long_line,
        "slow_clients": _slow_clients(base),
    }


def _slow_clients(base: str, count: int = 50, seconds: float = 40.0) -> dict[str, Any]:
    """``count`` clients each sending a request line one byte a second: how many the server has
    closed after ``seconds``."""
    host, port = base.removeprefix("http://").split(":")
    sockets = [socket.create_connection((host, int(port))) for _ in range(count)]
    request = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 100
    closed: set[int] = set()
    started = time.monotonic()
    position = 0
    while time.monotonic() - started < seconds and len(closed) < count:
        for i, sock in enumerate(sockets):
            if i in closed:
                continue
            try:
                sock.sendall(request[position : position + 1])
            except OSError:
                closed.add(i)
        position = (position + 1) % len(request)
        time.sleep(1.0)
    for sock in sockets:
        sock.close()
    return {"clients": count, "closed_by_server": len(closed), "within_seconds": seconds}


async def _fill(dsn: str, held: list[asyncpg.Connection]) -> None:
    with contextlib.suppress(asyncpg.TooManyConnectionsError, asyncpg.PostgresError, OSError):
        for _ in range(500):
            held.append(await asyncpg.connect(dsn))


async def _slots(url: str, base: str) -> dict[str, Any]:
    """Take every connection slot of the cluster, then end the server's own connections (it must
    open new ones, and cannot), then ask it for reads."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        organisation = (await client.get("/api/v1/organisations?limit=1")).json()["data"][0]["id"]
    held: list[asyncpg.Connection] = []
    await _fill(dsn, held)
    if held:
        mine = [conn.get_server_pid() for conn in held]
        await held[0].execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND pid <> ALL($1::int[])",
            mine,
        )
        await asyncio.sleep(0.5)
        await _fill(dsn, held)
    statuses: dict[str, int] = {}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for path in ("/api/v1/search?q=openai", f"/api/v1/organisations/{organisation}", "/api/v1/events?limit=5"):
                statuses[path] = (await client.get(path, headers={"Cache-Control": "no-cache"})).status_code
    finally:
        for conn in held:
            await conn.close()
    return {"connections_taken": len(held), "statuses": statuses}


async def _lock(url: str, base: str, hold: float = 40.0) -> dict[str, Any]:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=base, timeout=hold + 30) as client:
            response = await client.post("/api/v1/documents", json={"text": ARTICLE}, headers=AUTH)
        seconds = time.monotonic() - started
        await transaction.rollback()
    finally:
        await conn.close()
    body = response.json() if response.headers.get("content-type", "").endswith("json") else {}
    return {"status": response.status_code, "seconds": round(seconds, 1), "detail": body.get("detail")}


def _outage(base: str, pgdata: Path) -> dict[str, Any]:
    paths = [
        "/api/v1/documents",
        "/api/v1/organisations/microsoft",
        "/api/v1/search?q=openai",
        "/api/v1/export/events.ndjson",
        "/api/v1/export/events.csv",
        "/ready",
    ]
    _stop_embedded(pgdata)
    down: dict[str, Any] = {}
    for path in paths:
        try:
            response = httpx.get(f"{base}{path}", timeout=10)
            down[path] = [response.status_code, response.headers.get("content-type", "").split(";")[0]]
        except httpx.HTTPError as exc:
            down[path] = ["error", exc.__class__.__name__]
    write = httpx.post(f"{base}/api/v1/documents", json={"text": ARTICLE}, headers=AUTH, timeout=60)
    down["POST /api/v1/documents"] = [write.status_code, write.headers.get("content-type", "").split(";")[0]]
    restart_embedded(pgdata)
    started = time.monotonic()
    back: dict[str, float | None] = {"/ready": None, "/api/v1/documents": None}
    while time.monotonic() - started < 60 and None in back.values():
        for path in back:
            if back[path] is None:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}{path}", timeout=5).status_code == 200:
                        back[path] = round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return {"while_down": down, "seconds_to_200_after_restart": back}


def _statuses(log: Path) -> Counter[int]:
    seen: Counter[int] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict) and record.get("event") == "http.request":
                seen[int(record["status"])] += 1
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--skip-fuzz", action="store_true")
    args = parser.parse_args()
    out = ROOT / "bench" / "out" / "adversarial"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rivalry-adversarial-") as tmp:
        data = Path(tmp) / "data"
        url = start_embedded(load_settings({"RIVALRY_DATA_DIR": str(data)}))
        try:
            migrate.upgrade(url)
            asyncio.run(run_seed(url, ROOT / "seeds" / "corpus", reset=False, interactive=False))
            log = out / "serve.log"
            result: dict[str, Any] = {}
            with _server(url, log) as (base, process):
                # schemathesis last: its stateful phase retracts the seeded documents.
                result["headers"] = _headers(base, process.pid)
                result["slots"] = asyncio.run(_slots(url, base))
                result["lock"] = asyncio.run(_lock(url, base))
                result["outage"] = _outage(base, data / "postgres")
                if not args.skip_fuzz:
                    result["schemathesis"] = _schemathesis(base, out, args.max_examples)
            statuses = _statuses(log)
            result["responses_by_status"] = dict(sorted(statuses.items()))
            result["5xx_other_than_503"] = sum(n for status, n in statuses.items() if status >= 500 and status != 503)
            tracebacks = log.read_text(errors="replace").count("Traceback")
            result["tracebacks_in_server_log"] = tracebacks
        finally:
            _stop_embedded(data / "postgres")
    (out / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
