"""The ``rivalry`` command line. Thin: parses options, then calls the modules that do the work."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from service.settings import Settings, SettingsError, get_settings, load_settings

P = ParamSpec("P")
R = TypeVar("R")


class CliError(click.ClickException):
    """A failure explained to the user in one line, exit status 1."""

    def format_message(self) -> str:
        return self.message


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
            raise CliError(f"database unavailable: {exc}") from None
        except (OSError, ConnectionError) as exc:
            raise CliError(f"database unavailable: {exc}") from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rivalry-api")
def main() -> None:
    """Rivalry API: source-backed facts on tech rivalries, served as JSON."""


@main.command()
@handles_errors
def up() -> None:
    """Database, migrations, seed (if the corpus changed), then serve."""
    from service import db, migrate
    from service.ingest.pipeline import corpus_is_current, run_seed

    settings = _settings()
    click.echo("rivalry: starting the database…" if settings.embedded else "rivalry: using DATABASE_URL")
    url = db.database_url(settings)
    click.echo("rivalry: migrating…")
    migrate.upgrade(url)
    if not settings.corpus_dir.is_dir():
        raise CliError(f"corpus directory not found: {settings.corpus_dir}")
    if asyncio.run(corpus_is_current(url, settings.corpus_dir)):
        click.echo("rivalry: corpus unchanged since the last seed, skipping ingestion")
    else:
        click.echo(f"rivalry: seeding {settings.corpus_dir}…")
        report = asyncio.run(run_seed(url, settings.corpus_dir, reset=False, interactive=sys.stdout.isatty()))
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
    from service import db

    settings = _settings()
    db.database_url(settings)  # start the embedded database once, before the workers fork
    _serve(settings, host or settings.host, port or settings.port, workers or settings.workers, client_timeout)


def _serve(settings: Settings, host: str, port: int, workers: int, client_timeout: float | None = None) -> None:
    import functools

    import uvicorn

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
    from service import db
    from service import migrate as migrations

    settings = _settings()
    migrations.upgrade(db.database_url(settings))
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
    from service import db, migrate
    from service.ingest.pipeline import run_seed

    settings = _settings()
    corpus = corpus or settings.corpus_dir
    if not corpus.is_dir():
        raise CliError(f"corpus directory not found: {corpus}")
    url = db.database_url(settings)
    migrate.upgrade(url)
    report = asyncio.run(run_seed(url, corpus, reset=reset, interactive=sys.stdout.isatty()))
    report.print_summary()
    if report.left_out:
        raise SystemExit(1)


@main.group()
def apikey() -> None:
    """Manage API keys for the write routes."""


@apikey.command("create")
@click.option("--name", required=True, help="Who or what the key is for.")
@handles_errors
def apikey_create(name: str) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from service import db, migrate
    from service.http.auth import create_api_key

    if not name.strip() or len(name) > 200:
        raise click.BadParameter("must be 1–200 characters", param_hint="--name")
    settings = _settings()
    url = db.database_url(settings)
    migrate.upgrade(url)
    key = asyncio.run(create_api_key(url, name.strip()))
    click.echo(key)
    click.echo("Store this key now: it is not shown again.", err=True)


@main.group(name="db")
def db_group() -> None:
    """Database helpers."""


@db_group.command("url")
@handles_errors
def db_url() -> None:
    """Print the URL of the database in use (starting the embedded one if needed)."""
    from service import db

    click.echo(db.sync_url(db.database_url(_settings())))


if __name__ == "__main__":
    main()
