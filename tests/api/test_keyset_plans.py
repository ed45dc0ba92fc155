"""The ORM list routes' cursor conditions start an index range at the cursor
(``service.http.pagination.keyset_after``): a page deep in the change feed, the documents or the
organisations is not found by reading every row before it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from service.changes.routes import KEYS as CHANGE_KEYS
from service.documents.queries import SORT_KEYS as DOCUMENT_KEYS
from service.http.pagination import SortKey, keyset_after, order_by
from service.models import Change, Document, Organisation, Person
from service.organisations.queries import SORT_KEYS as ORGANISATION_KEYS
from service.people.queries import SORT_KEYS as PEOPLE_KEYS


async def _plan(engine: AsyncEngine, stmt: Any) -> str:
    compiled = stmt.compile(dialect=postgresql.asyncpg.dialect())
    values = [compiled.params[name] for name in compiled.positiontup]
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        # The seeded tables hold a few pages: leave only the plans a large table would get.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            await raw.execute(f"SET {setting} = off")
        return "\n".join(r[0] for r in await raw.fetch(f"EXPLAIN {compiled.string}", *values))


def _page(model: Any, keys: tuple[SortKey, ...], after: list[Any]) -> Any:
    return select(model.id).where(keyset_after(keys, after)).order_by(*order_by(keys)).limit(51)


@pytest.mark.parametrize(
    ("model", "keys", "after", "index", "condition"),
    [
        # Every key one way, none NULL: one row comparison.
        (Change, CHANGE_KEYS, ["2026-01-01T00:00:00+00:00", 10], "ix_changes_changed_at_id", "ROW(changed_at, id) >"),
        (Document, DOCUMENT_KEYS["-ingested_at"], ["2026-01-01T00:00:00+00:00", "m"], "ix_documents_ingested_at_id",
         "ROW(ingested_at, id) <"),
        # Key down, id up: the key's bound starts the range.
        (Organisation, ORGANISATION_KEYS["-mention_count"], [3, "m"], "ix_organisations_mention_count_id",
         "(mention_count <= 3)"),
        (Organisation, ORGANISATION_KEYS["name"], ["M", "m"], "ix_organisations_name_id",
         "ROW(name, id) >"),
        (Person, PEOPLE_KEYS["-mention_count"], [3, "m"], "ix_people_mention_count_id", "(mention_count <= 3)"),
    ],
    ids=["changes", "documents -ingested_at", "organisations -mention_count", "organisations name", "people"],
)  # fmt: skip
async def test_a_cursor_starts_an_index_range(
    seeded_engine: AsyncEngine, model: Any, keys: Any, after: list[Any], index: str, condition: str
) -> None:
    plan = await _plan(seeded_engine, _page(model, keys, after))
    assert f"using {index}" in plan
    assert "Sort" not in plan  # the index gives the page's order
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any(condition in line for line in conditions), plan
