"""API keys: their management (``rivalry apikey``: only a hash is stored, the key is shown once; a
name belongs to one key in force at a time) and the guard of write routes.

A request proves it holds a key with ``Authorization: Bearer <key>``. Keys from
``RIVALRY_API_KEYS`` are compared in constant time; keys made by ``rivalry apikey create`` are
looked up by their SHA-256 (the stored form), so the key itself is never compared or logged.

Guessing keys has its own limit per client address (:class:`FailedAuthLimit`), which holds
whether the request rate limit is on or off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any, NamedTuple

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from service.http.problems import ProblemError
from service.models import API_KEY_NAME_IN_FORCE, ApiKey

KEY_PREFIX = "rk_"


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Unauthorized"


class TooManyFailures(ProblemError):
    status = 429
    slug = "too-many-requests"
    title = "Too Many Requests"


class FailedAuthLimit:
    """Failed API keys per client address: ``per_minute`` in a window of 60 s from the first one,
    then 429 with ``Retry-After`` until the window ends, whatever the key.

    An attempt counts from the moment it is made and is taken back when the key proves good, so
    that concurrent guesses cannot all pass before the first of them fails. The counts live in
    this worker's memory: with several workers, a client may try ``per_minute`` keys on each.
    At most ``max_clients`` addresses are remembered; windows that ended are dropped as new ones
    begin, and past the bound the address whose window began first is forgotten.
    """

    WINDOW = 60.0

    def __init__(
        self, per_minute: int, *, max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._clock = clock
        # address -> (start of its window, attempts in it), the oldest window first
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._windows)

    def attempt(self, client: str) -> None:
        """Count an attempt by ``client``; :class:`TooManyFailures` when its window is full."""
        now = self._clock()
        windows = self._windows
        while windows:
            oldest, (start, _) = next(iter(windows.items()))
            if start + self.WINDOW > now:
                break
            del windows[oldest]
        window = windows.get(client)
        if window is None:
            windows[client] = (now, 1)
            if len(windows) > self.max_clients:
                windows.popitem(last=False)
            return
        start, count = window
        if count >= self.per_minute:
            wait = math.ceil(start + self.WINDOW - now)
            raise TooManyFailures(
                f"Too many failed API keys from this address; retry in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        windows[client] = (start, count + 1)

    def take_back(self, client: str) -> None:
        """Take back ``client``'s attempt: its key was good (or was never judged)."""
        window = self._windows.get(client)
        if window is None:
            return
        start, count = window
        if count <= 1:
            del self._windows[client]
        else:
            self._windows[client] = (start, count - 1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class KeyNameInUse(Exception):
    """A key in force already has this name."""


class KeyNotFound(Exception):
    """No key in force has this name."""


class StoredKey(NamedTuple):
    name: str
    key_prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@contextlib.asynccontextmanager
async def _transaction(url: str) -> AsyncIterator[AsyncConnection]:
    """One transaction on a connection of its own: each command runs once, so no pool is kept."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        await engine.dispose()


async def create_api_key(url: str, name: str) -> str:
    """Store a new key's hash under ``name`` and return the key itself (never stored);
    :class:`KeyNameInUse` when a key in force has that name."""
    key = new_key()
    try:
        async with _transaction(url) as conn:
            await conn.execute(insert(ApiKey).values(name=name, key_hash=hash_key(key), key_prefix=key[:10]))
    except IntegrityError as exc:
        # asyncpg's error, which SQLAlchemy wraps, names the constraint it broke.
        cause = exc.orig.__cause__ if exc.orig is not None else None
        if getattr(cause, "constraint_name", None) == API_KEY_NAME_IN_FORCE:
            raise KeyNameInUse(name) from None
        raise
    return key


async def list_api_keys(url: str) -> list[StoredKey]:
    """Every stored key, revoked ones included, oldest first."""
    async with _transaction(url) as conn:
        rows = await conn.execute(
            select(ApiKey.name, ApiKey.key_prefix, ApiKey.created_at, ApiKey.last_used_at, ApiKey.revoked_at).order_by(
                ApiKey.created_at, ApiKey.id
            )
        )
        return [StoredKey(*row) for row in rows]


async def revoke_api_key(url: str, name: str) -> str:
    """Revoke the key in force named ``name`` and return its prefix; :class:`KeyNotFound` when there is none."""
    async with _transaction(url) as conn:
        prefix = await conn.scalar(
            update(ApiKey)
            .where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
            .values(revoked_at=func.now())
            .returning(ApiKey.key_prefix)
        )
    if prefix is None:
        raise KeyNotFound(name)
    return str(prefix)


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _is_known(connection: ASGIConnection[Any, Any, Any, Any], key: str) -> bool:
    digest = hash_key(key)
    # Compare every configured key (no early exit), so timing does not reveal a partial match.
    known = False
    for candidate in connection.app.state.settings.api_keys:
        known |= hmac.compare_digest(hash_key(candidate), digest)
    if known:
        return True
    async with connection.app.state.sessionmaker() as session:
        stored = await session.scalar(_USE_KEY, {"digest": digest})
        if stored is not None:
            await session.commit()
    return stored is not None and hmac.compare_digest(stored, digest)


# A stored key in force, found by its hash; its ``last_used_at`` (``rivalry apikey list``) moves
# at most once a minute, so that a busy writer does not rewrite the row on every request.
_USE_KEY = text(
    """
    WITH found AS (
        SELECT id, key_hash, last_used_at FROM api_keys WHERE key_hash = :digest AND revoked_at IS NULL
    ), used AS (
        UPDATE api_keys AS k SET last_used_at = now() FROM found AS f
        WHERE k.id = f.id AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
    )
    SELECT key_hash FROM found
    """
)


async def require_api_key(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: the request must carry a known API key.

    A missing key is not a guess and is not counted; a client past its limit of failed keys gets
    429 before its key is looked at, since a good key answered otherwise would tell a guess that hit.
    """
    key = _bearer(connection.headers.get("authorization"))
    if key is None:
        raise Unauthorized(
            "This route needs an API key: send `Authorization: Bearer <key>`.",
            headers={"WWW-Authenticate": 'Bearer realm="rivalry"'},
        )
    failures: FailedAuthLimit = connection.app.state.auth_failures
    client = connection.client.host if connection.client else ""
    failures.attempt(client)
    try:
        known = await _is_known(connection, key)
    except BaseException:
        failures.take_back(client)  # the database failed, not the key
        raise
    if not known:
        raise Unauthorized(
            "The API key is not valid.",
            headers={"WWW-Authenticate": 'Bearer realm="rivalry", error="invalid_token"'},
        )
    failures.take_back(client)
