"""The API keeps serving through database outages: 503 problems within 2 s while PostgreSQL is
down, back to 200 by itself within 5 s after it returns, and killed connections are replaced.
An export cut by an outage ends so that the client can tell; a database out of connection slots,
or a lock held too long, is a 503 that says so."""

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
import msgspec
import pytest

from service import migrate
from service.db import start_embedded
from service.http.problems import NO_CONNECTION_SLOTS, TIMED_OUT
from service.settings import load_settings
from tests.conftest import API_KEY, AUTH, CORPUS, ROOT, _free_port, running_server
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


EXPORTS = ("/api/v1/export/events.ndjson", "/api/v1/export/events.csv", "/api/v1/export/people.csv")


def test_database_stopped_then_started_again(server: str, own_database: tuple[str, Path]) -> None:
    _, data = own_database
    assert _timed_get(server, "/api/v1/documents")[0] == 200
    _stop_embedded(data / "postgres")
    for path in ("/api/v1/documents", "/api/v1/events", "/api/v1/search?q=openai", "/ready", *EXPORTS):
        started = time.monotonic()
        response = httpx.get(f"{server}{path}", timeout=10)
        seconds = time.monotonic() - started
        assert response.status_code == 503, (path, response.status_code, response.text[:200])
        assert seconds < 2.0, (path, seconds)
        assert response.headers["content-type"].startswith("application/problem+json"), path
        assert response.headers["retry-after"] == "5", path
        assert response.json()["status"] == 503, path
    head = httpx.head(f"{server}/api/v1/export/events.ndjson", timeout=10)
    assert head.status_code == 503 and head.headers["retry-after"] == "5"
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
    statuses = [_timed_get(server, p)[0] for p in ("/api/v1/documents", "/api/v1/events", "/ready", *EXPORTS) * 5]
    assert statuses == [200] * 30


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


ORGANISATIONS = 16_000


def _seed_organisations(url: str) -> None:
    """Organisations of 1.4 kB each, 22 MB of export: more than the sockets between the server and a
    client that stops reading can hold, so the server is still writing when the database stops."""

    async def seed() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(
                "INSERT INTO organisations (id, name, description)"
                " SELECT 'org-' || lpad(i::text, 6, '0'), 'Org ' || i,"
                " (SELECT string_agg(md5(i::text || '-' || j::text), '') FROM generate_series(1, 40) j)"
                " FROM generate_series(1, $1::int) i",
                ORGANISATIONS,
            )
        finally:
            await conn.close()

    asyncio.run(seed())


def _export_cut_by_an_outage(base: str, pgdata: Path, fmt: str) -> tuple[int, bytes, Exception | None]:
    """Status, body and client error of an organisations export during which the database stops
    (after the first bytes arrived); the database is started again afterwards."""
    body = bytearray()
    error: Exception | None = None
    # identity: gzip would shrink the md5 text, and the server would be done before the stop.
    headers = {"Accept-Encoding": "identity"}
    with httpx.stream("GET", f"{base}/api/v1/export/organisations.{fmt}", headers=headers, timeout=30) as response:
        chunks = response.iter_raw()
        body += next(chunks)
        _stop_embedded(pgdata)
        try:
            for chunk in chunks:
                body += chunk
        except httpx.HTTPError as exc:
            error = exc
    restart_embedded(pgdata)
    return response.status_code, bytes(body), error


def test_an_export_cut_by_an_outage_ends_so_that_the_client_can_tell(
    server: str, own_database: tuple[str, Path]
) -> None:
    url, data = own_database
    _seed_organisations(url)

    status, body, error = _export_cut_by_an_outage(server, data / "postgres", "ndjson")
    assert status == 200 and error is None  # a complete chunked body…
    *rows, last = [msgspec.json.decode(line) for line in body.splitlines()]
    assert 0 < len(rows) < ORGANISATIONS  # …cut short…
    assert all(row["id"].startswith("org-") for row in rows)
    assert last == {  # …whose last line says why
        "error": {
            "type": "https://rivalry.dev/problems/service-unavailable",
            "title": "Service unavailable",
            "status": 503,
            "detail": "The database is unreachable; retry shortly.",
            "instance": "/api/v1/export/organisations.ndjson",
        }
    }

    deadline = time.monotonic() + 10
    while _timed_get(server, "/ready")[0] != 200:
        assert time.monotonic() < deadline, "the API did not recover within 10 s"
        time.sleep(0.1)
    status, body, error = _export_cut_by_an_outage(server, data / "postgres", "csv")
    # CSV has no room for an error line: the body ends without its last chunk, which clients report.
    assert status == 200
    assert isinstance(error, httpx.RemoteProtocolError) and "incomplete chunked read" in str(error)
    assert body.startswith(b"id,name,aliases,") and 1 < body.count(b"\r\n") < ORGANISATIONS + 1


async def _take_every_connection_slot(url: str) -> list[asyncpg.Connection]:
    """Connections that fill the server (the superuser's reserved slots too), after the API's own
    connections are closed, so that every request of the API needs a slot that is not there."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    async def fill(held: list[asyncpg.Connection]) -> None:
        while True:
            try:
                held.append(await asyncpg.connect(dsn, timeout=5))
            except asyncpg.TooManyConnectionsError:
                return

    held: list[asyncpg.Connection] = []
    await fill(held)
    # pg_terminate_backend(pid, timeout) returns once the backend is gone and its slot free.
    await held[0].execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
        " WHERE application_name IN ('rivalry', 'rivalry-read')"
    )
    await fill(held)
    return held


def test_connection_slots_exhausted_answer_503_not_500(server: str, own_database: tuple[str, Path]) -> None:
    url, _ = own_database
    paths = (
        "/api/v1/search?q=openai",
        "/api/v1/events/evt-x",
        "/api/v1/organisations/openai",
        "/api/v1/people/sam-altman",
        "/api/v1/documents/doc-x",
        "/api/v1/funding/fund-x",
        "/api/v1/rivalries/riv-x",
        "/api/v1/events",
        "/api/v1/documents",
        "/api/v1/export/events.ndjson",
    )

    async def scenario() -> None:
        held = await _take_every_connection_slot(url)
        try:
            async with httpx.AsyncClient(base_url=server, timeout=10) as client:
                for path in paths:
                    response = await client.get(path)
                    assert response.status_code == 503, (path, response.status_code, response.text[:200])
                    assert response.headers["content-type"].startswith("application/problem+json"), path
                    assert response.headers["retry-after"] == "5", path
                    assert response.json()["detail"] == NO_CONNECTION_SLOTS, path
        finally:
            for conn in held:
                await conn.close()
        released = time.monotonic()
        async with httpx.AsyncClient(base_url=server, timeout=10) as client:
            while (await client.get("/api/v1/search?q=openai")).status_code != 200:
                assert time.monotonic() - released < 5.0, "the API did not recover within 5 s"
                await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert [_timed_get(server, path)[0] for path in ("/api/v1/events", "/api/v1/documents", "/ready")] == [200] * 3


def test_a_lock_held_too_long_is_a_503_that_says_it_timed_out(own_database: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = own_database
    article = {"text": sorted(CORPUS.glob("*.txt"))[0].read_text(), "title": "Locked out"}
    env = {"RIVALRY_API_KEYS": API_KEY, "RIVALRY_STATEMENT_TIMEOUT": "2", "RIVALRY_LOG_LEVEL": "ERROR"}

    async def scenario(base: str) -> None:
        locker = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            async with httpx.AsyncClient(base_url=base, timeout=120) as client:
                held = locker.transaction()
                await held.start()
                await locker.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
                for response in (
                    await client.post("/api/v1/documents", json=article, headers=AUTH),
                    await client.get("/api/v1/events"),
                ):
                    assert response.status_code == 503, response.text[:300]
                    assert response.headers["retry-after"] == "5"
                    assert response.json()["detail"] == TIMED_OUT
                await held.rollback()
                # Nothing of the post that timed out was kept: the same article is now a new document.
                assert (await client.post("/api/v1/documents", json=article, headers=AUTH)).status_code == 201
        finally:
            await locker.close()

    with running_server(url, tmp_path / "serve.log", **env) as base:
        asyncio.run(scenario(base))
