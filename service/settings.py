"""Every setting of the service, read once from the environment.

A bad value raises :class:`SettingsError` with a one-line message naming the variable, so
``rivalry`` can refuse to start before touching the database.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS_DIR = PROJECT_ROOT / "seeds" / "corpus"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


STATEMENT_TIMEOUT = 30
MIN_SECRET_KEY = 32
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - the name of the file in the data directory, not a key


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ("*",)
    api_keys: tuple[str, ...] = ()
    rate_limit_per_minute: int = 600
    # Failed API keys a client address may send a minute, whatever the rate limit says.
    auth_failures_per_minute: int = 10
    log_level: str = "INFO"
    log_json: bool = False
    corpus_dir: Path = DEFAULT_CORPUS_DIR
    # Connections the whole server keeps for the read routes, shared out among its workers.
    read_connections: int = 5
    workers: int = 1
    # Seconds a request's statement may run, waiting for locks included, before PostgreSQL cancels it.
    statement_timeout: int = STATEMENT_TIMEOUT
    # Signs the cursors; None: the key kept in the data directory (see :func:`load_secret_key`).
    secret_key: str | None = None

    @property
    def read_connections_per_worker(self) -> int:
        """Each worker's share of ``read_connections`` (rounded up, at least 2)."""
        return max(2, -(-self.read_connections // self.workers))

    @property
    def embedded(self) -> bool:
        """True when no DATABASE_URL is given and the embedded PostgreSQL is used."""
        return self.database_url is None


def normalise_database_url(raw: str) -> str:
    """Accept ``postgresql://``, ``postgres://`` and ``postgresql+asyncpg://``; return the asyncpg form."""
    value = raw.strip()
    scheme, sep, rest = value.partition("://")
    if not sep or not rest:
        raise SettingsError(f"DATABASE_URL must look like postgresql://user@host/db (got {raw!r})")
    scheme = scheme.lower()
    if scheme in ("postgresql", "postgres", "postgresql+asyncpg"):
        url = f"postgresql+asyncpg://{rest}"
    else:
        raise SettingsError(f"DATABASE_URL must use postgresql:// or postgresql+asyncpg:// (got scheme {scheme!r})")
    parts = urlsplit(url)
    if not parts.path.strip("/"):
        raise SettingsError(f"DATABASE_URL must name a database, e.g. postgresql://localhost/rivalry (got {raw!r})")
    return url


def default_read_connections() -> int:
    """Twice this machine's cores plus one: the PostgreSQL wiki's starting point for a pool's size,
    for a database on the same machine (``rivalry up``, docker compose). On two cores, 5 read
    connections served 8–12 % more requests per second than 10 (``bench/RESULTS.md``, session 9):
    beyond what the cores can run at once, more connections only queue in PostgreSQL instead."""
    return 2 * (os.cpu_count() or 1) + 1


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be an integer (got {raw!r})") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high} (got {value})")
    return value


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false (got {raw!r})")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Parse settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env

    raw_url = env.get("DATABASE_URL", "").strip()
    database_url = normalise_database_url(raw_url) if raw_url else None

    raw_dir = env.get("RIVALRY_DATA_DIR", "").strip()
    data_dir = Path(raw_dir).expanduser() if raw_dir else platformdirs.user_data_path("rivalry")
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"RIVALRY_DATA_DIR must be a directory (got {str(data_dir)!r}, a file)")

    host = env.get("RIVALRY_HOST", "127.0.0.1").strip() or "127.0.0.1"
    port = _int(env, "RIVALRY_PORT", 8000, 1, 65535)

    cors = _list(env, "RIVALRY_CORS_ORIGINS", ("*",))
    for origin in cors:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise SettingsError(f"RIVALRY_CORS_ORIGINS entries must be '*' or http(s) origins (got {origin!r})")

    api_keys = _list(env, "RIVALRY_API_KEYS", ())
    for key in api_keys:
        if len(key) < 16:
            raise SettingsError("RIVALRY_API_KEYS entries must be at least 16 characters long")

    rate = _int(env, "RIVALRY_RATE_LIMIT_PER_MINUTE", 600, 0, 1_000_000)
    auth_failures = _int(env, "RIVALRY_AUTH_FAILURES_PER_MINUTE", 10, 1, 1_000_000)

    level = (env.get("RIVALRY_LOG_LEVEL") or env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in _LOG_LEVELS:
        raise SettingsError(f"RIVALRY_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)} (got {level!r})")

    log_json = _bool(env, "RIVALRY_LOG_JSON", False)

    read_connections = _int(env, "RIVALRY_READ_CONNECTIONS", default_read_connections(), 1, 10_000)
    workers = _int(env, "RIVALRY_WORKERS", 1, 1, 64)
    statement_timeout = _int(env, "RIVALRY_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT, 1, 3600)

    secret = env.get("RIVALRY_SECRET_KEY", "").strip() or None
    if secret is not None and len(secret) < MIN_SECRET_KEY:
        raise SettingsError(f"RIVALRY_SECRET_KEY must be at least {MIN_SECRET_KEY} characters long")

    raw_corpus = env.get("RIVALRY_CORPUS_DIR", "").strip()
    corpus_dir = Path(raw_corpus).expanduser() if raw_corpus else DEFAULT_CORPUS_DIR

    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        host=host,
        port=port,
        cors_origins=cors,
        api_keys=api_keys,
        rate_limit_per_minute=rate,
        auth_failures_per_minute=auth_failures,
        log_level=level,
        log_json=log_json,
        corpus_dir=corpus_dir,
        read_connections=read_connections,
        workers=workers,
        statement_timeout=statement_timeout,
        secret_key=secret,
    )


def load_secret_key(settings: Settings) -> bytes:
    """``RIVALRY_SECRET_KEY``, else a random key kept in the data directory (``secret_key``, mode
    0600), made on first use: cursors then stay valid across restarts and among the workers of one
    machine. Several machines behind one address must share ``RIVALRY_SECRET_KEY`` instead.

    Workers starting together may all find no key: each writes one to a file of its own and links
    it into place, which only the first manages; all then read that one. Nobody reads a key half
    written, and no key replaces another already handed out.
    """
    if settings.secret_key is not None:
        return settings.secret_key.encode()
    path = settings.data_dir / SECRET_KEY_FILE
    try:
        if not path.exists():
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            handle, written = tempfile.mkstemp(dir=settings.data_dir, prefix=f".{SECRET_KEY_FILE}.")  # mode 0600
            try:
                with os.fdopen(handle, "w") as file:
                    file.write(secrets.token_urlsafe(48) + "\n")
                os.link(written, path)
            except FileExistsError:
                pass  # another worker's key is in place
            finally:
                os.unlink(written)
        key = path.read_text().strip()
    except OSError as exc:
        raise SettingsError(
            f"cannot keep the secret key in {str(path)!r} ({exc.strerror or exc}): set RIVALRY_SECRET_KEY"
            " or a writable RIVALRY_DATA_DIR"
        ) from None
    if len(key) < MIN_SECRET_KEY:
        raise SettingsError(f"{str(path)!r} holds no usable secret key: delete it or set RIVALRY_SECRET_KEY")
    return key.encode()


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, parsed on first use."""
    return load_settings()


def log_level_number(settings: Settings) -> int:
    return logging.getLevelNamesMapping()[settings.log_level]
