"""Database plumbing: metadata naming convention, engine, sessions and the embedded PostgreSQL.

With no ``DATABASE_URL`` the service runs on an embedded PostgreSQL (the ``pgserver`` wheel)
kept under ``RIVALRY_DATA_DIR/postgres``. It is started once and left running so that every
``rivalry`` command (and every worker) reuses the same server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from service.settings import STATEMENT_TIMEOUT, Settings

log = structlog.get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)

EMBEDDED_DATABASE = "rivalry"


# How much longer than PostgreSQL's ``statement_timeout`` the client waits for an answer.
COMMAND_TIMEOUT_MARGIN = 5.0


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or started."""


class DatabaseBusy(DatabaseUnavailable):
    """The database is reachable but did not serve in time (no connection free before the wait's end)."""


def embedded_pgdata(settings: Settings) -> Path:
    return settings.data_dir / "postgres"


def start_embedded(settings: Settings) -> str:
    """Start (or reuse) the embedded PostgreSQL and return an asyncpg URL for the service database."""
    pgdata = embedded_pgdata(settings)
    pgdata.mkdir(parents=True, exist_ok=True)
    # pgserver logs every step at INFO, including from an atexit hook after streams are closed.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the /tmp fallback is fine.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"rivalry-runtime-{os.getuid()}"))  # noqa: S108
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from pgserver.postgres_server import get_server  # only needed without DATABASE_URL
        except ImportError as exc:  # pragma: no cover - the wheel is a hard dependency
            raise DatabaseUnavailable("the embedded PostgreSQL (pgserver) is not installed") from exc
        try:
            # cleanup_mode=None: leave the server running for the next command to reuse.
            server = get_server(pgdata, cleanup_mode=None)
        except Exception as exc:
            raise DatabaseUnavailable(f"could not start the embedded PostgreSQL in {pgdata}: {exc}") from exc
    # EMBEDDED_DATABASE is a constant, not input: formatting it into SQL is safe.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql+asyncpg://postgres@/{EMBEDDED_DATABASE}?host={socket_dir}"


def database_url(settings: Settings) -> str:
    """The asyncpg URL of the database in use, starting the embedded server when needed."""
    if settings.database_url is not None:
        return settings.database_url
    return start_embedded(settings)


def sync_url(url: str) -> str:
    """The same URL in the plain ``postgresql://`` form other tools (psql, libpq) understand."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def statement_timeouts(seconds: float) -> tuple[str, float]:
    """PostgreSQL's ``statement_timeout`` for the requests' connections (``RIVALRY_STATEMENT_TIMEOUT``),
    and the client's ``command_timeout`` to go with it.

    PostgreSQL cancels a statement that ran, or waited for a lock, that long with an error that
    says so (SQLSTATE 57014), which the API reports as a timeout. The client's timeout raises a
    bare ``TimeoutError``, as a connection attempt to a host that does not answer does, so it
    cannot tell the two apart: it comes a little later, for a server that stopped answering.
    """
    return f"{round(seconds * 1000)}ms", seconds + COMMAND_TIMEOUT_MARGIN


def create_engine(url: str, *, statement_timeout: float = STATEMENT_TIMEOUT, **kwargs: Any) -> AsyncEngine:
    server_timeout, command_timeout = statement_timeouts(statement_timeout)
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": 10,
        "max_overflow": 10,
        "pool_timeout": 5,
        "connect_args": {
            "timeout": 5,
            "command_timeout": command_timeout,
            "server_settings": {"application_name": "rivalry", "statement_timeout": server_timeout},
        },
    }
    options.update(kwargs)
    return create_async_engine(url, **options)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def ping(engine: AsyncEngine, within: float = 2.0) -> None:
    """Raise :class:`DatabaseUnavailable` unless a trivial query answers within ``within`` seconds."""
    try:
        async with asyncio.timeout(within), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise DatabaseUnavailable(str(exc) or exc.__class__.__name__) from exc
