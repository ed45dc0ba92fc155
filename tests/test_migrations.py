"""The schema exists only through Alembic: upgrade from empty, downgrade to nothing, upgrade again."""

from __future__ import annotations

import asyncio

import asyncpg

from service import migrate
from tests.database import fresh_database

EXPECTED_TABLES = {
    "documents", "organisations", "organisation_aliases", "people", "person_aliases", "person_roles",
    "events", "event_participants", "funding", "funding_payers", "citations", "relationships",
    "rivalries", "ingestion_runs", "api_keys", "changes", "entity_redirects", "event_participant_sources",
    "funding_payer_sources",
}  # fmt: skip


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await conn.close()


async def _fetchval(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def test_upgrade_from_empty_then_downgrade_to_base_then_upgrade_again(pg_server: str) -> None:
    with fresh_database(pg_server, "migrations") as url:
        migrate.upgrade(url)
        assert asyncio.run(_tables(url)) >= EXPECTED_TABLES
        migrate.downgrade(url, "base")
        assert asyncio.run(_tables(url)) <= {"alembic_version"}
        migrate.upgrade(url)
        assert asyncio.run(_tables(url)) >= EXPECTED_TABLES


def test_search_functions_fold_accents_and_match_misspelt_names(pg_server: str) -> None:
    with fresh_database(pg_server, "functions") as url:
        migrate.upgrade(url)
        assert asyncio.run(_fetchval(url, "SELECT rivalry_unaccent('Fusées réutilisables œuvre')")) == (
            "Fusees reutilisables oeuvre"
        )
        assert asyncio.run(
            _fetchval(url, "SELECT to_tsvector('french', rivalry_unaccent('les fusées')) @@ "
                      "websearch_to_tsquery('french', rivalry_unaccent('fusee'))")
        )  # fmt: skip
        close = asyncio.run(
            _fetchval(url, "SELECT rivalry_similarity(rivalry_trigrams('altmann'), rivalry_trigrams('Sam Altman'))")
        )
        far = asyncio.run(
            _fetchval(url, "SELECT rivalry_similarity(rivalry_trigrams('altmann'), rivalry_trigrams('Jeff Bezos'))")
        )
        assert isinstance(close, float) and isinstance(far, float)
        assert close > 0.4 > far


def test_every_migration_file_is_date_named() -> None:
    import re

    from service.settings import PROJECT_ROOT

    files = sorted((PROJECT_ROOT / "migrations" / "versions").glob("*.py"))
    assert files
    for path in files:
        assert re.match(r"\d{4}-\d{2}-\d{2}-\d{4}_[a-z0-9_]+\.py$", path.name), path.name
