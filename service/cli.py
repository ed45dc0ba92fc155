"""The ``rivalry`` command line. Thin: parses options, then calls the modules that do the work."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from functools import wraps
from pathlib import Path
from types import FrameType
from typing import IO, Any, Literal, ParamSpec, TypeVar

import click

from service.settings import Settings, SettingsError, get_settings, load_settings

P = ParamSpec("P")
R = TypeVar("R")


class CliError(click.ClickException):
    """A failure explained to the user in one line on stderr, exit status 1."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        # Prefixed like the command's other lines ("rivalry: migrating…"), not with click's "Error:".
        click.echo(f"rivalry: {self.format_message()}", file=file, err=file is None)


def _settings() -> Settings:
    from service.logs import configure_logging

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    configure_logging(settings)
    return settings


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the service's expected failures into one-line messages and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from service.db import DatabaseUnavailable

        try:
            return func(*args, **kwargs)
        except DatabaseUnavailable as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:  # a directory or file the command could not use
            raise CliError(str(exc)) from None

    return wrapper


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Let SIGTERM end the command through its ``finally`` blocks, as Ctrl-C does (by default it
    ends the process on the spot, leaving the embedded PostgreSQL it started running)."""

    def exit_(signum: int, _: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(coroutine: Coroutine[Any, Any, R]) -> R:
    """``asyncio.run``, with SIGTERM cancelling the coroutine, as asyncio does for Ctrl-C.

    The handler of :func:`_sigterm_exits` raises where the signal finds the interpreter: inside the
    event loop that is often asyncpg's protocol, in the middle of reading a message, and the process
    crashed there (SIGSEGV) instead of running its ``finally`` blocks. A cancellation is delivered
    at an ``await``; the exit status is still 143.
    """

    async def cancellable() -> R:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await coroutine

    previous = signal.getsignal(signal.SIGTERM)
    try:
        return asyncio.run(cancellable())
    except asyncio.CancelledError:
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)  # the loop leaves SIG_DFL behind


@contextlib.contextmanager
def _database(settings: Settings, *, owner: bool = False) -> Iterator[str]:
    """The URL of the database the command uses, for as long as the command uses it.

    The embedded PostgreSQL is left as the command found it: started for the command, it is
    stopped after it, however the command ends; found running, it is left running. The servers
    (``owner``: ``up``, ``serve``) stop it when they stop even if they found it running, so that
    stopping the service stops its database, leftovers of an earlier crash included.
    A failure to connect becomes one line saying where and why, without the password.
    """
    from service import db

    if settings.database_url is not None:
        with _reported_connection_failures(settings.database_url):
            yield settings.database_url
        return
    was_running = db.embedded_running(settings)
    with _sigterm_exits():
        try:
            url = db.start_embedded(settings)
            with _reported_connection_failures(url):
                yield url
        finally:
            if owner or not was_running:
                stopped = db.stop_embedded(settings)
                # Said by the servers only: the one-shots' output (a key, a summary) stays what it was.
                if stopped and owner:
                    click.echo("rivalry: stopped the embedded PostgreSQL")


@contextlib.contextmanager
def _reported_connection_failures(url: str) -> Iterator[None]:
    from service import db

    try:
        yield
    except Exception as exc:
        failure = db.connection_failure(url, exc)
        if failure is None:
            raise
        raise failure from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rivalry-api")
def main() -> None:
    """Rivalry API: source-backed facts on tech rivalries, served as JSON."""


@main.command()
@handles_errors
def up() -> None:
    """Database, migrations, seed (if the corpus changed), then serve."""
    from service import migrate
    from service.ingest.pipeline import corpus_is_current, run_seed

    settings = _settings()
    click.echo("rivalry: starting the database…" if settings.embedded else "rivalry: using DATABASE_URL")
    with _database(settings, owner=True) as url:
        click.echo("rivalry: migrating…")
        migrate.upgrade(url)
        if not settings.corpus_dir.is_dir():
            raise CliError(f"corpus directory not found: {settings.corpus_dir}")
        if _run(corpus_is_current(url, settings.corpus_dir)):
            click.echo("rivalry: corpus unchanged since the last seed, skipping ingestion")
        else:
            click.echo(f"rivalry: seeding {settings.corpus_dir}…")
            report = _run(run_seed(url, settings.corpus_dir, reset=False, interactive=sys.stdout.isatty()))
            report.print_summary()
        _serve(settings, settings.host, settings.port, workers=1)


@main.command()
@click.option("--host", default=None, help="Interface to bind (default RIVALRY_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (default RIVALRY_PORT or 8000).")
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="Worker processes (default RIVALRY_WORKERS or 1)."
)
@click.option(
    "--client-timeout",
    default=None,
    type=click.FloatRange(0.1, 3600),
    help="Seconds a client may take to send a request's headers, or stay silent within its body, before a 408"
    " (default 10).",
)
@handles_errors
def serve(host: str | None, port: int | None, workers: int | None, client_timeout: float | None) -> None:
    """Serve the API only."""
    settings = _settings()
    with _database(settings, owner=True):  # the embedded database starts once, before the workers
        _serve(settings, host or settings.host, port or settings.port, workers or settings.workers, client_timeout)


def _serve(settings: Settings, host: str, port: int, workers: int, client_timeout: float | None = None) -> None:
    import functools

    import uvicorn

    from service.system.metrics import share_among_workers

    share_among_workers(workers)  # one /metrics for all the workers
    # The workers read their settings anew: each takes its share of RIVALRY_READ_CONNECTIONS.
    os.environ["RIVALRY_WORKERS"] = str(workers)
    get_settings.cache_clear()

    from service.server import CoalescingHttpToolsProtocol, GracefulServer

    # A class, or a partial of it: uvicorn calls either with the connection's arguments, and the
    # workers of `--workers N` receive it pickled.
    protocol: Any = CoalescingHttpToolsProtocol
    if client_timeout is not None:
        protocol = functools.partial(CoalescingHttpToolsProtocol, client_timeout=client_timeout)

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only for the printed URL
    click.echo(f"rivalry: API on http://{shown}:{port}/api/v1/documents — docs at http://{shown}:{port}/schema")
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "log_level": settings.log_level.lower(),
        "access_log": False,
        "timeout_graceful_shutdown": 20,
        "proxy_headers": False,
        "http": protocol,
    }
    if workers == 1:
        GracefulServer(uvicorn.Config("service.app:create_app", **options)).run()
    else:
        uvicorn.run("service.app:create_app", workers=workers, **options)


@main.command()
@handles_errors
def migrate() -> None:
    """Apply every migration (alembic upgrade head)."""
    from service import migrate as migrations

    with _database(_settings()) as url:
        migrations.upgrade(url)
    click.echo(f"rivalry: schema at {migrations.head_revision()}")


@main.command()
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of articles (default seeds/corpus).",
)
@click.option("--reset", is_flag=True, help="Delete every document and fact first, then ingest from scratch.")
@handles_errors
def seed(corpus: Path | None, reset: bool) -> None:
    """Ingest every article of the corpus; idempotent."""
    from service import migrate
    from service.ingest.pipeline import run_seed

    settings = _settings()
    corpus = corpus or settings.corpus_dir
    if not corpus.is_dir():
        raise CliError(f"corpus directory not found: {corpus}")
    with _database(settings) as url:
        migrate.upgrade(url)
        report = _run(run_seed(url, corpus, reset=reset, interactive=sys.stdout.isatty()))
    report.print_summary()
    if report.left_out:
        raise SystemExit(1)


@main.group()
def apikey() -> None:
    """Manage API keys for the write routes."""


@apikey.command("create")
@click.option("--name", required=True, help="Who or what the key is for; unique among the keys in force.")
@handles_errors
def apikey_create(name: str) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from service import migrate
    from service.http.auth import KeyNameInUse, create_api_key

    name = name.strip()
    if not name or len(name) > 200 or not name.isprintable():
        raise click.BadParameter("must be 1–200 printable characters", param_hint="--name")
    with _database(_settings()) as url:
        migrate.upgrade(url)
        try:
            key = _run(create_api_key(url, name))
        except KeyNameInUse:
            raise CliError(
                f"an API key named {name!r} is in force: choose another name, or revoke it first"
                f" (rivalry apikey revoke {name!r})"
            ) from None
    click.echo(key)
    click.echo("Store this key now: it is not shown again.", err=True)


@apikey.command("list")
@handles_errors
def apikey_list() -> None:
    """List the stored keys, revoked ones included (never the keys themselves: only their first characters)."""
    from service import migrate
    from service.http.auth import list_api_keys

    with _database(_settings()) as url:
        migrate.upgrade(url)
        keys = _run(list_api_keys(url))
    if not keys:
        click.echo("rivalry: no API keys")
        return
    rows = [("NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED")]
    rows += [(k.name, k.key_prefix, _when(k.created_at), _when(k.last_used_at), _when(k.revoked_at)) for k in keys]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _when(moment: dt.datetime | None) -> str:
    """A stored time as UTC to the minute (``2026-12-07T22:00Z``); ``-`` for none."""
    return "-" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@apikey.command("revoke")
@click.argument("name")
@handles_errors
def apikey_revoke(name: str) -> None:
    """Revoke the key in force named NAME: requests carrying it are refused from now on."""
    from service import migrate
    from service.http.auth import KeyNotFound, revoke_api_key

    name = name.strip()
    with _database(_settings()) as url:
        migrate.upgrade(url)
        try:
            prefix = _run(revoke_api_key(url, name))
        except KeyNotFound:
            raise CliError(f"no API key named {name!r} is in force") from None
    click.echo(f"rivalry: revoked the API key {name!r} ({prefix}…)")


@main.group()
def entities() -> None:
    """Organisations and people."""


@entities.command("merge")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="INTO")
@click.option(
    "--kind",
    type=click.Choice(["organisation", "person"]),
    default=None,
    help="Only needed when the ids name both an organisation and a person.",
)
@handles_errors
def entities_merge(source: str, target: str, kind: Literal["organisation", "person"] | None) -> None:
    """Merge FROM into INTO, two organisations or two people that are one: every fact of FROM
    moves to INTO, and FROM's URLs answer 308 with INTO's."""
    from sqlalchemy.exc import DBAPIError

    from service import migrate
    from service.entities.merge import MergeError, merge_by_ids

    try:
        with _database(_settings()) as url:
            migrate.upgrade(url)
            outcome = _run(merge_by_ids(url, source.strip(), target.strip(), kind))
    except MergeError as exc:
        raise CliError(str(exc)) from None
    except DBAPIError as exc:
        # The transaction rolled back: the database is as it was.
        reason = str(exc.orig.__cause__ or exc.orig) if exc.orig is not None else str(exc)
        raise CliError(f"the merge failed and changed nothing: {reason.strip().splitlines()[0]}") from None
    click.echo(f"rivalry: {outcome.summary()}")


@main.group(name="db")
def db_group() -> None:
    """Database helpers."""


@db_group.command("url")
@handles_errors
def db_url() -> None:
    """Print the URL of the database in use, starting the embedded one if needed and leaving it
    running for the tools given the URL (`rivalry db stop` stops it)."""
    from service import db

    click.echo(db.sync_url(db.database_url(_settings())))


@db_group.command("stop")
@handles_errors
def db_stop() -> None:
    """Stop the embedded PostgreSQL if it is running (whatever DATABASE_URL says)."""
    from service import db

    settings = _settings()
    pgdata = db.embedded_pgdata(settings)
    try:
        stopped = db.stop_embedded(settings)
    except db.EmbeddedNotInstalled:
        click.echo("rivalry: the embedded PostgreSQL is not installed: nothing to stop")
        return
    if stopped:
        click.echo(f"rivalry: stopped the embedded PostgreSQL in {pgdata}")
    else:
        click.echo(f"rivalry: the embedded PostgreSQL in {pgdata} is not running")


if __name__ == "__main__":
    main()
