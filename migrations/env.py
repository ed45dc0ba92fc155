"""Async Alembic environment: runs migrations over asyncpg against the URL set by the caller.

Autogenerate compares the database with the tables of ``service/models.py`` and the functions and
triggers of ``service/*/read_model.sql`` (``service/read_models.py``), with the same options as
``tests/test_migrations.py``, which checks that a migrated database matches them.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service import models, read_models
from service.db import database_url
from service.settings import get_settings

config = context.config
target_metadata = models.Base.metadata
read_models.register()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url if url else database_url(get_settings())


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **read_models.AUTOGENERATE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
