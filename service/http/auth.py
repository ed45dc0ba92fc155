"""API keys: creation (only a hash is stored, the key is shown once) and the guard of write routes.

A request proves it holds a key with ``Authorization: Bearer <key>``. Keys from
``RIVALRY_API_KEYS`` are compared in constant time; keys made by ``rivalry apikey create`` are
looked up by their SHA-256 (the stored form), so the key itself is never compared or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.http.problems import ProblemError
from service.models import ApiKey

KEY_PREFIX = "rk_"


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Unauthorized"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


async def create_api_key(url: str, name: str) -> str:
    """Store a new key's hash under ``name`` and return the key itself (never stored)."""
    key = new_key()
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(ApiKey).values(name=name, key_hash=hash_key(key), key_prefix=key[:10]))
    finally:
        await engine.dispose()
    return key


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def require_api_key(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: the request must carry a known API key."""
    key = _bearer(connection.headers.get("authorization"))
    if key is None:
        raise Unauthorized(
            "This route needs an API key: send `Authorization: Bearer <key>`.",
            headers={"WWW-Authenticate": 'Bearer realm="rivalry"'},
        )
    digest = hash_key(key)
    settings = connection.app.state.settings
    # Compare every configured key (no early exit), so timing does not reveal a partial match.
    known = False
    for candidate in settings.api_keys:
        known |= hmac.compare_digest(hash_key(candidate), digest)
    if not known:
        async with connection.app.state.sessionmaker() as session:
            stored = await session.scalar(
                select(ApiKey.key_hash).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
            )
        known = stored is not None and hmac.compare_digest(stored, digest)
    if not known:
        raise Unauthorized(
            "The API key is not valid.",
            headers={"WWW-Authenticate": 'Bearer realm="rivalry", error="invalid_token"'},
        )
