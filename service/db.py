"""Database plumbing: metadata naming convention, engine, sessions and the embedded PostgreSQL.

With no ``DATABASE_URL`` the service runs on an embedded PostgreSQL (the ``pgserver`` wheel, the
``embedded`` extra) kept under ``RIVALRY_DATA_DIR/postgres``. Starting it reuses a server already
running there, so every ``rivalry`` command (and every worker) shares one; which command stops it
is the command line's decision (``service/cli.py``), made with :func:`embedded_running` and
:func:`stop_embedded`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import structlog
from asyncpg import connect_utils
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
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


class EmbeddedNotInstalled(DatabaseUnavailable):
    """No ``DATABASE_URL`` is set and the embedded PostgreSQL is not installed (no wheel for this platform)."""

    def __init__(self) -> None:
        super().__init__(
            "no DATABASE_URL is set and the embedded PostgreSQL (pgserver, the 'embedded' extra) is not installed"
            " on this platform: set DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DATABASE"
        )


class CannotConnect(DatabaseUnavailable):
    """PostgreSQL refused the connection or could not be reached; the message says where and why."""


def embedded_pgdata(settings: Settings) -> Path:
    return settings.data_dir / "postgres"


def _pgserver() -> ModuleType:
    """The ``pgserver`` package, imported quietly; :class:`EmbeddedNotInstalled` where it is not installed."""
    # pgserver logs every step at INFO, including from an atexit hook after streams are closed.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the /tmp fallback is fine.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"rivalry-runtime-{os.getuid()}"))  # noqa: S108
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError as exc:  # an optional extra, with wheels for some platforms only
            raise EmbeddedNotInstalled from exc
    return pgserver


def start_embedded(settings: Settings) -> str:
    """Start (or reuse) the embedded PostgreSQL and return an asyncpg URL for the service database."""
    pgdata = embedded_pgdata(settings)
    pgserver = _pgserver()
    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # cleanup_mode=None: pgserver's own exit hook never stops it; the command line does.
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        except Exception as exc:
            raise DatabaseUnavailable(f"could not start the embedded PostgreSQL in {pgdata}: {exc}") from exc
    # EMBEDDED_DATABASE is a constant, not input: formatting it into SQL is safe.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql+asyncpg://postgres@/{EMBEDDED_DATABASE}?host={socket_dir}"


def embedded_running(settings: Settings) -> bool:
    """Whether the embedded PostgreSQL of ``settings.data_dir`` is running (pgserver's own test, which
    it makes before starting one); :class:`EmbeddedNotInstalled` where it is not installed."""
    _pgserver()
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(embedded_pgdata(settings))
    return info is not None and info.is_running()


def stop_embedded(settings: Settings) -> bool:
    """Stop the embedded PostgreSQL (its clients are disconnected); False when it was not running."""
    if not embedded_running(settings):
        return False
    from pgserver._commands import POSTGRES_BIN_PATH  # the binaries pgserver runs its servers with
    from pgserver.utils import ensure_prefix_permissions

    pgdata = embedded_pgdata(settings)
    user = None
    if sys.platform != "win32" and os.geteuid() == 0:
        # Started by root, pgserver runs PostgreSQL as its own system user (PostgreSQL refuses root),
        # which must reach the directory: pgserver opens its parents when it starts the server, and
        # a parent's mode may have been tightened since (pytest does it to its temporary directories).
        user = "pgserver"
        ensure_prefix_permissions(pgdata)
    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "--pgdata", str(pgdata), "--mode=fast", "--wait", "stop"]
    stopped = subprocess.run(command, user=user, capture_output=True, text=True, check=False)  # noqa: S603
    if stopped.returncode != 0 and embedded_running(settings):
        reason = (stopped.stderr.strip().splitlines() or [f"pg_ctl exited with {stopped.returncode}"])[-1]
        raise DatabaseUnavailable(f"could not stop the embedded PostgreSQL in {pgdata}: {reason}")
    log.info("db.embedded.stopped", pgdata=str(pgdata))
    return True


def database_url(settings: Settings) -> str:
    """The asyncpg URL of the database in use, starting the embedded server when needed."""
    if settings.database_url is not None:
        return settings.database_url
    return start_embedded(settings)


def connection_failure(url: str, exc: BaseException) -> CannotConnect | None:
    """What ``exc`` says about connecting to ``url``, in one line without the password, or None when
    it is not a failure to connect.

    asyncpg raises the reason (a PostgreSQL error, or an ``OSError`` from the socket), which
    SQLAlchemy and Alembic wrap or let through: it is looked for along the chain of causes. An
    ``OSError`` counts only when raised while asyncpg was connecting, so that a file the command
    could not read is not blamed on the database.
    """
    for cause in _causes(exc):
        reason = _refusal(cause)
        if reason is not None and _raised_while_connecting(cause):
            return CannotConnect(f"cannot connect to PostgreSQL at {_server(url)}: {reason}")
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def _refusal(exc: BaseException) -> str | None:
    if isinstance(exc, asyncpg.InvalidPasswordError):
        return "password authentication failed"
    if isinstance(exc, asyncpg.PostgresError):
        # The server's own reason: a role or database that does not exist, no pg_hba.conf entry,
        # too many clients, shutting down. PostgreSQL never repeats a password in them.
        message = str(exc).strip()
        return message.splitlines()[0] if message else type(exc).__name__
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: is PostgreSQL running and listening there?"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror})"
    if isinstance(exc, FileNotFoundError):
        return "no server socket there: is PostgreSQL running?"
    if isinstance(exc, TimeoutError):
        return "no answer before the connection timed out"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return None


def _raised_while_connecting(exc: BaseException) -> bool:
    connecting = Path(connect_utils.__file__)
    frame = exc.__traceback__
    while frame is not None:
        if Path(frame.tb_frame.f_code.co_filename) == connecting:
            return True
        frame = frame.tb_next
    return False


def _server(url: str) -> str:
    """``HOST:PORT as 'USER'`` (or the socket directory) of ``url``, never its password."""
    try:
        parts = make_url(url)
    except (ArgumentError, ValueError):
        return "DATABASE_URL"
    socket_dir = parts.query.get("host")
    if parts.host:
        host = f"[{parts.host}]" if ":" in parts.host else parts.host
        where = f"{host}:{parts.port or 5432}"
    elif socket_dir:
        where = socket_dir if isinstance(socket_dir, str) else ",".join(socket_dir)
    else:
        where = "the default socket"
    return f"{where} as {parts.username!r}" if parts.username else where


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
