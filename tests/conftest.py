"""Shared fixtures: one PostgreSQL server per run, migrated databases, a rolled-back transaction per test."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from service import migrate
from service.app import create_app
from service.settings import Settings, load_settings
from tests.database import fresh_database, server_url

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "test-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
# pgserver configures the root logger at INFO; keep the HTTP test client's per-request lines out.
logging.getLogger("httpx").setLevel(logging.WARNING)
CORPUS = ROOT / "seeds" / "corpus"
# The servers tests start (they inherit this environment) sign cursors with this key rather than
# one they would otherwise create and keep in the data directory of whoever runs the tests.
os.environ.setdefault("RIVALRY_SECRET_KEY", "tests-only-cursor-secret-0123456789abcdef")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with server_url() as (url, origin):
        print(f"\n[tests] PostgreSQL from {origin}")
        yield url


@pytest.fixture(scope="session")
def migrated_url(pg_server: str) -> Iterator[str]:
    """A database at the latest migration, shared by the rolled-back tests."""
    with fresh_database(pg_server, "main") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(
        {
            "DATABASE_URL": "postgresql://unused@localhost/unused",
            "RIVALRY_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "RIVALRY_LOG_LEVEL": os.environ.get("RIVALRY_LOG_LEVEL", "WARNING"),
            "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
            "RIVALRY_API_KEYS": API_KEY,
        }
    )


@pytest.fixture(scope="session")
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(migrated_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


def app_on(settings: Settings, engine: AsyncEngine, conn: AsyncConnection | None = None) -> Litestar:
    """The real app; with ``conn`` its sessions join the test's transaction (commits become savepoints)."""
    sessions = (
        async_sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        if conn is not None
        else None
    )
    return create_app(settings, engine=engine, sessionmaker=sessions)


@pytest.fixture
async def client(settings: Settings, engine: AsyncEngine, conn: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the test's own event loop, its sessions inside the test's rolled-back transaction.

    (Litestar's AsyncTestClient runs the app on a loop of its own, which cannot share ``conn``.)
    """
    app = app_on(settings, engine, conn)
    # What the lifespan would set; entering it here would tie anyio scopes to the fixture's task.
    app.state.engine = engine
    app.state.sessionmaker = async_sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test:
        yield test


@pytest.fixture(scope="session")
def seeded_url(pg_server: str) -> Iterator[str]:
    """A database holding exactly what `rivalry seed` makes of seeds/corpus (read-only for tests)."""
    import asyncio

    from service.ingest.pipeline import run_seed

    with fresh_database(pg_server, "seeded") as url:
        migrate.upgrade(url)
        report = asyncio.run(run_seed(url, CORPUS, reset=False, interactive=False))
        assert not report.failed, report.failed
        yield url


@pytest.fixture(scope="session")
async def seeded_engine(seeded_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(seeded_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def seeded_client(settings: Settings, seeded_engine: AsyncEngine) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app_on(settings, seeded_engine)) as test_client:
        yield test_client


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server_process(
    url: str, log_path: Path, *args: str, answers: str = "/ready", **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`rivalry serve ARGS` as a real process on ``url``; yields its base URL and the process once
    ``answers`` (a path) answers 200. ``/health`` answers as soon as it listens; ``/ready`` once the
    database and the language model are ready."""
    import time
    import urllib.request

    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
        "RIVALRY_LOG_LEVEL": "WARNING",
        **env,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}{answers}", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer {answers}; see {log_path}")
                time.sleep(0.1)
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextlib.contextmanager
def running_server(url: str, log_path: Path, **env: str) -> Iterator[str]:
    """`rivalry serve` as a real process on ``url``; yields its base URL once /ready answers 200."""
    with server_process(url, log_path, **env) as (base, _):
        yield base


def problem_answer(answer: bytes, status: int) -> dict[str, Any]:
    """The problem body of a raw HTTP/1.1 answer the server gave before closing the connection."""
    import json

    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 %d " % status), head
    assert b"content-type: application/problem+json" in head and b"connection: close" in head
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == status
    return problem


@pytest.fixture(scope="session")
def live_server(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeded database behind a real server process (read-only: tests must not write to it)."""
    with running_server(seeded_url, tmp_path_factory.mktemp("server") / "serve.log") as base:
        yield base


@pytest.fixture
async def committed_client(settings: Settings, pg_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a real connection pool on a fresh, migrated database (for concurrency tests,
    where requests cannot share one test transaction). Dropped afterwards."""
    from service.db import create_engine, session_factory

    with fresh_database(pg_server, "committed") as url:
        await migrate.upgrade_async(url)
        engine = create_engine(url)
        app = app_on(settings, engine)
        app.state.engine = engine
        app.state.sessionmaker = session_factory(engine)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test:
                yield test
        finally:
            await engine.dispose()
