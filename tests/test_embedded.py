"""With no DATABASE_URL, the embedded PostgreSQL starts from nothing and is reused afterwards."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg

from service.db import start_embedded
from service.settings import load_settings
from tests.database import _stop_embedded


async def _select_one(url: str) -> object:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def test_embedded_database_starts_from_an_empty_directory_and_is_reused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = load_settings({"RIVALRY_DATA_DIR": str(data)})
    try:
        url = start_embedded(settings)
        assert (data / "postgres" / "PG_VERSION").is_file()
        assert asyncio.run(_select_one(url)) == 1
        # Another process (another `rivalry` command) gets the same server.
        again = subprocess.run(
            [sys.executable, "-m", "service.cli", "db", "url"],
            env={"RIVALRY_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        assert again == url.replace("postgresql+asyncpg://", "postgresql://")
    finally:
        _stop_embedded(data / "postgres")
