"""API keys: creation (hash stored, key shown once) and verification in constant time."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.models import ApiKey

KEY_PREFIX = "rk_"


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
