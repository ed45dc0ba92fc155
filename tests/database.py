"""Where the test suite's PostgreSQL comes from.

``DATABASE_URL`` when set (the suite creates its own databases on that server), else a
testcontainers ``postgres:16`` when a Docker engine answers, else the embedded PostgreSQL
(pgserver) in a temporary directory — the path a fresh machine takes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import tempfile
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service.db import start_embedded
from service.settings import load_settings, normalise_database_url

T = TypeVar("T")


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def server_url() -> Iterator[tuple[str, str]]:
    """Yield (asyncpg URL of an admin database on a server, where it came from)."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if raw:
        yield normalise_database_url(raw), "DATABASE_URL"
        return
    if os.environ.get("RIVALRY_TEST_DOCKER", "1") != "0" and _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="asyncpg") as container:
            yield container.get_connection_url(), "testcontainers"
        return
    with tempfile.TemporaryDirectory(prefix="rivalry-test-") as tmp:
        settings = load_settings({"RIVALRY_DATA_DIR": str(Path(tmp) / "data")})
        url = start_embedded(settings)
        try:
            yield url, "embedded"
        finally:
            _stop_embedded(Path(tmp) / "data" / "postgres")


def _stop_embedded(pgdata: Path) -> None:
    import subprocess

    from pgserver._commands import POSTGRES_BIN_PATH

    pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
    user = ["su", "pgserver", "-s", "/bin/sh", "-c"] if os.geteuid() == 0 else None
    command = f"{pg_ctl} -D {pgdata} -m fast -w stop"
    if user:
        subprocess.run([*user, command], check=False, capture_output=True)
    else:
        subprocess.run([pg_ctl, "-D", str(pgdata), "-m", "fast", "-w", "stop"], check=False, capture_output=True)


def restart_embedded(pgdata: Path) -> None:
    """Start a stopped embedded server again on the same socket (what pgserver does on first use)."""
    import subprocess

    from pgserver._commands import POSTGRES_BIN_PATH

    pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
    args = f"{pg_ctl} -D {pgdata} -w -o '-h \"\"' -o '-k {pgdata}' -l {pgdata / 'log'} start"
    if os.geteuid() == 0:
        subprocess.run(["su", "pgserver", "-s", "/bin/sh", "-c", args], check=True, capture_output=True)
    else:
        subprocess.run(["/bin/sh", "-c", args], check=True, capture_output=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _create(url: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop(url: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even when called inside a running event loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@contextlib.contextmanager
def fresh_database(server: str, label: str) -> Iterator[str]:
    """A new, empty database on ``server`` for the duration of the block."""
    name = f"rivalry_test_{label}_{uuid.uuid4().hex[:8]}"
    run_sync(_create(server, name))
    try:
        yield with_database(server, name)
    finally:
        run_sync(_drop(server, name))
