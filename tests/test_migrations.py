"""The schema exists only through Alembic: upgrade from empty, downgrade to nothing, upgrade again;
and what the migrations build is what ``service/models.py`` and ``service/*/read_model.sql``
declare, so that ``alembic revision --autogenerate`` at head proposes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service import migrate, models, read_models
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


def _autogenerate(url: str) -> list[Any]:
    """What ``alembic revision --autogenerate`` would change in the database at ``url``: the tables of
    service/models.py and the functions and triggers of service/*/read_model.sql, compared with the
    options migrations/env.py uses."""
    read_models.register()

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts=read_models.AUTOGENERATE_OPTIONS)
        return list(compare_metadata(context, models.Base.metadata))

    async def run() -> list[Any]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _describe(diff: Any) -> str:
    """A difference as its operation and the names of what it changes."""
    if isinstance(diff, list):  # a column's changes come as a list
        return "; ".join(_describe(change) for change in diff)
    operation, *parts = diff
    if operation.endswith("_entity"):  # alembic_utils: (operation, identity, SQL)
        return f"{operation} {parts[0]}"
    names = [getattr(part, "name", part) for part in parts]
    return " ".join([operation, *(name for name in names if isinstance(name, str))])


async def _execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def test_autogenerate_at_head_proposes_no_change(pg_server: str) -> None:
    with fresh_database(pg_server, "autogenerate") as url:
        migrate.upgrade(url)
        diffs = _autogenerate(url)
    assert [_describe(diff) for diff in diffs] == []


def test_autogenerate_notices_indexes_columns_functions_and_triggers_that_differ(pg_server: str) -> None:
    with fresh_database(pg_server, "autogenerate_drift") as url:
        migrate.upgrade(url)
        asyncio.run(
            _execute(
                url,
                "DROP INDEX ix_event_participants_person_type_occurred_on_desc_key",
                "ALTER TABLE list_item_queue ALTER COLUMN kind TYPE varchar(16)",
                "DROP TRIGGER people_renamed ON people",
                "CREATE OR REPLACE FUNCTION rivalry_entity_json(kind text, organisation text, person text)"
                " RETURNS json LANGUAGE plpgsql STABLE PARALLEL SAFE"
                " AS $$ BEGIN RETURN json_build_object('id', organisation); END $$",
                "CREATE FUNCTION rivalry_stray() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
            )
        )
        diffs = _autogenerate(url)
    assert sorted(_describe(diff) for diff in diffs) == [
        "add_index ix_event_participants_person_type_occurred_on_desc_key",
        "create_entity PGTrigger: public.people_renamed False public.people",
        "drop_entity PGFunction: public.rivalry_stray()",
        "modify_type list_item_queue kind",
        "replace_or_revert_entity PGFunction: public.rivalry_entity_json(kind text, organisation text, person text)",
    ]


# The schema as PostgreSQL's catalogs describe it, all but the order of columns: this sees what
# autogenerate does not compare (an index's predicate, method and INCLUDE columns, a constraint's
# name). Function bodies are compared with their whitespace collapsed, as autogenerate does.
CATALOG = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attgenerated
        FROM pg_attribute AS a
        JOIN pg_class AS c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'alembic_version'
          AND a.attnum > 0 AND NOT a.attisdropped
    """,
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'
    """,
    "indexes": """
        SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
        WHERE c.relnamespace = 'public'::regnamespace AND i.indrelid::regclass::text <> 'alembic_version'
    """,
    "triggers": "SELECT tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "functions": """
        SELECT oid::regprocedure::text, regexp_replace(pg_get_functiondef(oid), '\\s+', ' ', 'g') FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
    """,
}


async def _catalog(url: str) -> dict[str, set[tuple[Any, ...]]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return {name: {tuple(row) for row in await conn.fetch(query)} for name, query in CATALOG.items()}
    finally:
        await conn.close()


async def _build_from_declarations(url: str) -> None:
    """The schema as service/models.py and the read_model.sql files declare it, without migrations."""
    statements = [
        statement
        for path in read_models.files()
        for statement in read_models.statements(path.read_text(encoding="utf-8"))
    ]

    # The functions that generated columns call come before the tables; the others need the tables.
    def build(connection: Connection) -> None:
        postponed = []
        for statement in statements:
            try:
                with connection.begin_nested():
                    connection.exec_driver_sql(statement)
            except DBAPIError:
                postponed.append(statement)
        models.Base.metadata.create_all(connection)
        for statement in postponed:
            connection.exec_driver_sql(statement)

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(build)
    finally:
        await engine.dispose()


def test_migrations_build_exactly_the_declared_schema(pg_server: str) -> None:
    with fresh_database(pg_server, "migrated") as migrated, fresh_database(pg_server, "declared") as declared:
        migrate.upgrade(migrated)
        asyncio.run(_build_from_declarations(declared))
        by_migrations, as_declared = asyncio.run(_catalog(migrated)), asyncio.run(_catalog(declared))
    assert as_declared["triggers"] and as_declared["functions"]
    for kind in CATALOG:
        only_migrated = sorted(by_migrations[kind] - as_declared[kind])
        only_declared = sorted(as_declared[kind] - by_migrations[kind])
        assert (only_migrated, only_declared) == ([], []), kind
