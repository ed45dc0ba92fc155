"""The API keeps serving through database outages: 503 problems within 2 s while PostgreSQL is
down, back to 200 by itself within 5 s after it returns, and killed connections are replaced."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from service import migrate
from service.db import start_embedded
from service.settings import load_settings
from tests.conftest import ROOT, _free_port
from tests.database import _stop_embedded, restart_embedded


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A PostgreSQL of this test's own, which it may stop and start."""
    data = tmp_path / "data"
    settings = load_settings({"RIVALRY_DATA_DIR": str(data)})
    url = start_embedded(settings)
    migrate.upgrade(url)
    try:
        yield url, data
    finally:
        _stop_embedded(data / "postgres")


@pytest.fixture
def server(own_database: tuple[str, Path], tmp_path: Path) -> Iterator[str]:
    url, _ = own_database
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "RIVALRY_RATE_LIMIT_PER_MINUTE": "0", "RIVALRY_LOG_LEVEL": "ERROR"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _timed_get(base: str, path: str) -> tuple[int, float, str]:
    started = time.monotonic()
    response = httpx.get(f"{base}{path}", timeout=10)
    return response.status_code, time.monotonic() - started, response.headers.get("content-type", "")


def test_database_stopped_then_started_again(server: str, own_database: tuple[str, Path]) -> None:
    _, data = own_database
    assert _timed_get(server, "/api/v1/documents")[0] == 200
    _stop_embedded(data / "postgres")
    for path in ("/api/v1/documents", "/api/v1/events", "/api/v1/search?q=openai", "/ready"):
        status, seconds, content_type = _timed_get(server, path)
        assert status == 503, path
        assert seconds < 2.0, (path, seconds)
        assert content_type.startswith("application/problem+json")
    assert _timed_get(server, "/health")[0] == 200  # liveness does not depend on the database

    restart_embedded(data / "postgres")
    restarted = time.monotonic()
    while True:
        status = _timed_get(server, "/api/v1/documents")[0]
        if status == 200:
            break
        assert time.monotonic() - restarted < 5.0, "the API did not recover within 5 s"
        time.sleep(0.1)
    # After recovery, no request fails.
    statuses = [_timed_get(server, p)[0] for p in ("/api/v1/documents", "/api/v1/events", "/ready") * 5]
    assert statuses == [200] * 15


def test_killed_connections_are_replaced_without_errors(server: str, own_database: tuple[str, Path]) -> None:
    url, _ = own_database
    # Both pools: the ORM session's (documents) and the SQL-first read path's (events, funding, search).
    mixed = ("/api/v1/documents", "/api/v1/events", "/api/v1/funding", "/api/v1/search?q=openai")
    for path in mixed:
        assert _timed_get(server, path)[0] == 200

    async def kill() -> int:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return int(
                await conn.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name IN ('rivalry', 'rivalry-read') AND pid <> pg_backend_pid()"
                )
            )
        finally:
            await conn.close()

    assert asyncio.run(kill()) >= 2
    statuses = [_timed_get(server, path)[0] for path in mixed * 5]
    assert statuses == [200] * 20
