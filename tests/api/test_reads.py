"""The SQL-first read path (service/reads.py, */sql.py) serves exactly what the ORM hydration serves.

The ORM queries (``service/events/queries.py`` …) still back the exports and the docs examples;
the list, detail and search routes build their JSON in PostgreSQL. Both are run over the seeded
corpus, every sort, several filters and every page (small pages, so cursors are exercised), and
must agree value for value — including the next-page cursor key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db import session_factory
from service.events import queries as event_queries
from service.events import sql as event_sql
from service.funding import queries as funding_queries
from service.funding import sql as funding_sql
from service.reads import SessionReader, statement
from service.search import queries as search_queries
from service.search import sql as search_sql
from service.search.routes import ALL_TYPES, _hits

PAGE = 4

EVENT_FILTERS = [
    event_queries.EventFilters(),
    event_queries.EventFilters(types=("lawsuit",)),
    event_queries.EventFilters(types=("investment", "bid", "acquisition")),
    event_queries.EventFilters(organisations=("OpenAI", "xai", "stoke")),
    event_queries.EventFilters(people=("Elon Musk",)),
    event_queries.EventFilters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2025, 12, 31)),
    event_queries.EventFilters(q="fusées"),
    event_queries.EventFilters(participant=("organisation", "openai")),
    # One entity: date-sorted pages are read through its participant rows (migration e5b7c1d94a28).
    event_queries.EventFilters(organisations=("OpenAI",), types=("investment",)),
    event_queries.EventFilters(organisations=("openai",), date_from=dt.date(2010, 1, 1)),
    event_queries.EventFilters(organisations=("openai",), types=("lawsuit", "bid"), date_to=dt.date(2030, 1, 1)),
    event_queries.EventFilters(participant=("person", "elon-musk"), organisations=("xAI", "Tesla")),
    event_queries.EventFilters(
        participant=("organisation", "openai"), people=("Sam Altman",), statuses=("announced", "completed")
    ),
]
FUNDING_FILTERS = [
    funding_queries.FundingFilters(),
    funding_queries.FundingFilters(kinds=("investment", "commitment")),
    funding_queries.FundingFilters(organisations=("OpenAI", "SoftBank")),
    funding_queries.FundingFilters(payers=("softbank",), recipients=("Stargate",)),
    funding_queries.FundingFilters(min_usd=Decimal("1000000000"), currencies=("USD",)),
    funding_queries.FundingFilters(participant="openai"),
]


def _plain(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


def _key(values: Any) -> list[str | None] | None:
    return None if values is None else [None if v is None else str(v) for v in values]


def _sql_page(rows: list[Any]) -> tuple[list[Any], list[str | None] | None]:
    """A page of the SQL path as the route turns it into a response: the first ``PAGE`` stored
    items, and the next cursor's key when one more row came back."""
    last = _key([rows[PAGE - 1]["sort_value"], rows[PAGE - 1]["id"]]) if len(rows) > PAGE else None
    return [json.loads(row["item"]) for row in rows[:PAGE]], last


@pytest.mark.parametrize("sort", list(event_queries.SORT_KEYS))
@pytest.mark.parametrize("filters", EVENT_FILTERS, ids=repr)
async def test_event_pages_equal_the_orm_hydration(seeded_engine: AsyncEngine, sort: Any, filters: Any) -> None:
    sessions = session_factory(seeded_engine)
    reader = SessionReader(sessions)
    resolved = await event_sql.resolve(reader, filters)  # names → ids, as the route does
    after: list[Any] | None = None
    seen = 0
    while True:
        async with sessions() as session:
            expected, last = await event_queries.list_events(session, filters, sort, PAGE, after)
        rows = await reader.fetch(*statement(event_sql.page_sql(resolved, sort, PAGE, after)))
        assert _sql_page(rows) == (_plain(expected), _key(last))
        if event_sql.reads_through(filters, sort):  # as the route sends it: names resolved in the statement
            inline = await reader.fetch(*statement(event_sql.page_sql(filters, sort, PAGE, after, names=True)))
            assert _sql_page(inline) == (_plain(expected), _key(last))
        seen += len(expected)
        if last is None:
            break
        after = [key.value_of(v) for key, v in zip(event_queries.SORT_KEYS[sort], last, strict=True)]
    if filters == event_queries.EventFilters():
        assert seen > 3 * PAGE  # the walk crossed several pages


@pytest.mark.parametrize("sort", list(funding_queries.SORT_KEYS))
@pytest.mark.parametrize("filters", FUNDING_FILTERS, ids=repr)
async def test_funding_pages_equal_the_orm_hydration(seeded_engine: AsyncEngine, sort: Any, filters: Any) -> None:
    sessions = session_factory(seeded_engine)
    reader = SessionReader(sessions)
    resolved = await funding_sql.resolve(reader, filters)
    after: list[Any] | None = None
    while True:
        async with sessions() as session:
            expected, last = await funding_queries.list_funding(session, filters, sort, PAGE, after)
        rows = await reader.fetch(*statement(funding_sql.page_sql(resolved, sort, PAGE, after)))
        assert _sql_page(rows) == (_plain(expected), _key(last))
        if last is None:
            break
        after = [key.value_of(v) for key, v in zip(funding_queries.SORT_KEYS[sort], last, strict=True)]


async def test_details_equal_the_orm_hydration(seeded_engine: AsyncEngine) -> None:
    sessions = session_factory(seeded_engine)
    reader = SessionReader(sessions)
    async with sessions() as session:
        event_ids = list(await session.scalars(text("SELECT id FROM events ORDER BY id")))
        funding_ids = list(await session.scalars(text("SELECT id FROM funding ORDER BY id")))
    assert event_ids and funding_ids
    for event_id in event_ids:
        async with sessions() as session:
            expected = await event_queries.get_event(session, event_id)
        row = await reader.fetchrow(*statement(event_sql.detail_sql(event_id)))
        assert row is not None and json.loads(row["data"]) == _plain(expected)
    for funding_id in funding_ids:
        async with sessions() as session:
            expected_funding = await funding_queries.get_funding(session, funding_id)
        row = await reader.fetchrow(*statement(funding_sql.detail_sql(funding_id)))
        assert row is not None and json.loads(row["data"]) == _plain(expected_funding)


@pytest.mark.parametrize("q", ["openai", "altmann", "fusées", "milliards de dollars", "stoke"])
@pytest.mark.parametrize("types", [list(ALL_TYPES), ["events"], ["organisations", "people"]], ids=",".join)
async def test_search_pages_equal_the_orm_ranking(seeded_engine: AsyncEngine, q: str, types: list[str]) -> None:
    sessions = session_factory(seeded_engine)
    reader = SessionReader(sessions)
    after: list[Any] | None = None
    while True:
        async with sessions() as session:
            expected, last = await search_queries.search(session, q, types, 3, after)
        hits, fast_last = await _hits(reader, q, types, 3, after)
        assert _plain(hits) == _plain(expected)
        assert fast_last == last
        if last is None:
            break
        after = [key.value_of(v) for key, v in zip(search_queries.CURSOR_KEYS, last, strict=True)]


async def test_full_text_ranks_only_the_most_recent_matches(
    seeded_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cap at 2, both paths rank exactly the 2 most recent matching events (undated last)."""
    monkeypatch.setattr(search_queries, "FULL_TEXT_CANDIDATES", 2)
    monkeypatch.setattr(search_sql, "FULL_TEXT_CANDIDATES", 2)
    sessions = session_factory(seeded_engine)
    async with sessions() as session:
        matching = (
            await session.execute(
                text(
                    "SELECT id FROM events"
                    " WHERE search_vector @@ websearch_to_tsquery('french', rivalry_unaccent('openai'))"
                    " ORDER BY coalesce(occurred_on, '-infinity'::date) DESC, id"
                )
            )
        ).scalars()
        newest = list(matching)
        expected, _ = await search_queries.search(session, "openai", ["events"], 50, None)
    assert len(newest) > 2  # the cap binds
    hits, _ = await _hits(SessionReader(sessions), "openai", ["events"], 50, None)
    assert _plain(hits) == _plain(expected)
    assert sorted(hit.id for hit in hits) == sorted(newest[:2])


@pytest.mark.parametrize("window", [0, 1, 3, search_sql.RECENT_DOCUMENTS])
@pytest.mark.parametrize("cap", [2, 4, 1000])
async def test_document_candidates_are_the_newest_matches_whatever_the_window(
    seeded_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, window: int, cap: int
) -> None:
    """Documents' candidates come from the newest ``window`` dated documents first, then from the
    rest when those hold fewer than the cap: together, always the newest matches (undated last)."""
    monkeypatch.setattr(search_sql, "FULL_TEXT_CANDIDATES", cap)
    async with seeded_engine.connect() as conn, conn.begin():
        raw = (await conn.get_raw_connection()).driver_connection
        # Dates for all but one document (rolled back): two share a day, one stays undated.
        await raw.execute(
            "UPDATE documents d SET published_on = DATE '2025-01-01' + (n.i / 2 * 7)::int"
            " FROM (SELECT id, row_number() OVER (ORDER BY id) AS i FROM documents) n"
            " WHERE n.id = d.id AND n.i > 1"
        )
        matching = [
            r["id"]
            for r in await raw.fetch(
                "SELECT id FROM documents WHERE search_vector @@ websearch_to_tsquery('french', rivalry_unaccent($1))"
                " ORDER BY coalesce(published_on, '-infinity'::date) DESC, id",
                "openai",
            )
        ]
        rows = await raw.fetch(*statement(search_sql.search_sql("openai", ["documents"], 50, None, window=window)))
        undated = await raw.fetchval("SELECT count(*) FROM documents WHERE published_on IS NULL")
    assert len(matching) >= 4 and undated == 1  # the window and the cap both bind somewhere
    assert sorted(row["id"] for row in rows) == sorted(matching[:cap])


async def test_name_search_gate_keeps_every_match(seeded_engine: AsyncEngine) -> None:
    """The SQL path looks name candidates up by a few rare trigrams (pigeonhole, service/search/sql.py);
    the ORM path by all of the query's. Over every alias, a typo and a prefix of each, both find
    the same names with the same scores."""
    async with seeded_engine.begin() as conn:
        for table in ("organisation_aliases", "person_aliases"):
            await conn.execute(text(f"ANALYZE {table}"))  # trigram frequencies: the rarest are kept
        aliases = list(
            await conn.scalars(text("SELECT alias FROM organisation_aliases UNION SELECT alias FROM person_aliases"))
        )
        gate = search_sql._gate("organisation_aliases", "rivalry_trigrams(:q)", "0.3::float8")
        kept = await conn.scalar(text(f"SELECT cardinality({gate})"), {"q": "milliards de dollars"})
        grams = await conn.scalar(text("SELECT cardinality(rivalry_trigrams(:q))"), {"q": "milliards de dollars"})
    assert kept is not None and grams is not None and kept < grams  # the gate is narrower
    queries = ["x", "ai", "Sam", "milliards de dollars", "Banque de France", "%_", "zzzz"]
    for alias in sorted(aliases):
        queries += [alias, alias[: len(alias) // 2 + 1], alias[:2] + alias[3:]]  # a prefix, a typo
    assert len(queries) > 100
    sessions = session_factory(seeded_engine)
    reader = SessionReader(sessions)
    types = ["organisations", "people"]
    for q in queries:
        async with sessions() as session:
            expected, _ = await search_queries.search(session, q, types, 100, None)
        hits, _ = await _hits(reader, q, types, 100, None)
        assert _plain(hits) == _plain(expected), q


async def test_names_resolve_to_ids_like_the_orm_filters(seeded_engine: AsyncEngine) -> None:
    reader = SessionReader(session_factory(seeded_engine))
    named = await event_sql.resolve(reader, event_queries.EventFilters(organisations=("OpenAI", "xai", "nope")))
    assert named.organisations == ("openai", "xai")
    nobody = await funding_sql.resolve(reader, funding_queries.FundingFilters(payers=("Nobody Inc",)))
    assert nobody.payers == ()


async def test_a_deep_page_is_an_index_range_scan(seeded_engine: AsyncEngine) -> None:
    """The cursor condition reaches the page through the sort index, not a scan and a filter."""
    reader = SessionReader(session_factory(seeded_engine))
    sql, values = event_sql.page_sql(event_queries.EventFilters(), "occurred_on", 50, ["2024-06-01", "m"])
    async with seeded_engine.connect() as conn:
        await conn.execute(text("SET enable_seqscan = off"))
        raw = await conn.get_raw_connection()
        plan = "\n".join(r[0] for r in await raw.driver_connection.fetch(f"EXPLAIN {sql}", *values))
    assert "ix_events_occurred_on_key" in plan
    assert "Index Cond" in plan and "infinity" in plan
    assert await reader.fetchrow(sql, *values) is not None


def _plan_nodes(plan: str) -> list[str]:
    return [line.strip().removeprefix("->").strip().split("  (")[0] for line in plan.splitlines()]


@pytest.mark.parametrize(
    ("page_sql", "sort", "filters", "after", "index"),
    [
        (
            event_sql.page_sql,
            "-occurred_on",
            event_queries.EventFilters(),
            "2024-06-01",
            "ix_events_occurred_on_desc_key",
        ),
        (event_sql.page_sql, "-source_count", event_queries.EventFilters(), 3, "ix_events_source_count_id"),
        (
            funding_sql.page_sql,
            "-amount_usd",
            funding_queries.FundingFilters(),
            "1e9",
            "ix_funding_amount_usd_desc_key",
        ),
        (
            event_sql.page_sql,
            "-occurred_on",
            event_queries.EventFilters(participant=("organisation", "openai")),
            "2024-06-01",
            "ix_event_participants_organisation_occurred_on_desc_key",
        ),
    ],
    ids=["events -occurred_on", "events -source_count", "funding -amount_usd", "one organisation's events"],
)
async def test_a_deep_descending_page_reads_two_index_ranges_and_nothing_else(
    seeded_engine: AsyncEngine, page_sql: Any, sort: str, filters: Any, after: Any, index: str
) -> None:
    """Descending sorts run the key down and the id up: after a cursor, the rest of the cursor's
    key and then the keys below it, each an index range, merged in order. Not one range from the
    cursor's key with the ids before the cursor filtered out one by one (at 1M events, 100,001
    index entries for a page of ``-source_count``)."""
    sql, values = page_sql(filters, sort, 50, [after, "m"])
    async with seeded_engine.connect() as conn:
        # The seeded tables are tiny: a bitmap scan and a sort would cost less, as for any table of
        # a few pages. Only plans that a large table gets are left: whether one serves the page.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            await conn.execute(text(f"SET {setting} = off"))
        raw = (await conn.get_raw_connection()).driver_connection
        plan = "\n".join(r[0] for r in await raw.fetch(f"EXPLAIN {sql}", *values))
    nodes = _plan_nodes(plan)
    assert "Merge Append" in nodes
    assert plan.count(f"Index Scan using {index}") + plan.count(f"Index Only Scan using {index}") == 2
    assert "Sort" not in nodes[nodes.index("Merge Append") :]  # both ranges come in page order
    assert "Filter:" not in plan  # no row read only to be thrown away


@pytest.mark.parametrize("sort", ["occurred_on", "-occurred_on"])
async def test_one_entity_s_events_are_read_in_order_from_its_participant_rows(
    seeded_engine: AsyncEngine, sort: str
) -> None:
    """A date-sorted page of one organisation's events of one type is a range of one participants
    index, in page order (no walk through every event asking whether the organisation took part,
    no sort of all its rows); its name is resolved in the same statement, and in the count's."""
    filters = event_queries.EventFilters(organisations=("OpenAI",), types=("investment",))
    assert event_sql.reads_through(filters, sort)
    sql, values = event_sql.page_sql(filters, sort, 50, None, names=True)
    count, count_values = event_sql.count_sql(filters, names=True)
    async with seeded_engine.connect() as conn:
        # The seed holds a handful of rows per company: only the plans a large table gets are left.
        for setting in ("enable_seqscan", "enable_bitmapscan"):
            await conn.execute(text(f"SET {setting} = off"))
        raw = (await conn.get_raw_connection()).driver_connection
        plan = "\n".join(r[0] for r in await raw.fetch(f"EXPLAIN {sql}", *values))
        total = await raw.fetchval(count, *count_values)
        expected = await raw.fetchval(
            "SELECT count(*) FROM events e JOIN event_participants p ON p.event_id = e.id"
            " WHERE p.organisation_id = 'openai' AND e.type = 'investment'"
        )
    index = f"ix_event_participants_organisation_type_occurred_on_{'desc_' if sort.startswith('-') else ''}key"
    scan = plan.index(f"Index Scan using {index}")
    assert "Sort" not in plan[plan.index("Limit", plan.index("Function Scan on unnest")) : scan]  # in order
    assert total == expected > 0
    page = await SessionReader(session_factory(seeded_engine)).fetch(sql, *values)
    assert len(page) == total


class _RecordingReader(SessionReader):
    """The session reader, noting which plan mode each statement asked for."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(session_factory(engine))
        self.modes: list[bool] = []

    async def fetch(self, sql: str, *args: Any, custom_plan: bool = False) -> list[Any]:
        self.modes.append(custom_plan)
        return await super().fetch(sql, *args, custom_plan=custom_plan)


async def test_only_statements_with_filter_values_are_planned_for_them(seeded_engine: AsyncEngine) -> None:
    """A page without filters and a detail reuse PostgreSQL's plan (planning them costs more than
    running them), as does a page read through participant rows; other filtered pages and a
    search are planned for their values."""
    from service.events.routes import EventQuery, event_page
    from service.search.routes import _hits as hits

    reader = _RecordingReader(seeded_engine)

    async def page(filters: event_queries.EventFilters) -> list[bool]:
        reader.modes.clear()
        query = EventQuery(filters=filters, params={})
        await event_page(reader, query, route="events", sort="occurred_on", limit=5, cursor=None, count=True)
        return reader.modes

    assert await page(event_queries.EventFilters()) == [False, False]
    assert (await page(event_queries.EventFilters(types=("lawsuit",))))[-2:] == [True, True]
    # Names resolved first, then a page (and count) planned for the ids they name...
    named = await page(event_queries.EventFilters(organisations=("OpenAI",), statuses=("announced",)))
    assert named == [False, True, True]
    # ...unless the page is read through the entity's participant rows: one statement, same plan.
    assert await page(event_queries.EventFilters(organisations=("OpenAI",), types=("bid",))) == [False, False]
    reader.modes.clear()
    await hits(reader, "openai", list(ALL_TYPES), 5, None)
    assert reader.modes == [True]


async def test_the_pool_reader_keeps_one_set_of_connections_per_plan_mode(seeded_url: str) -> None:
    from service.reads import PoolReader

    reader = PoolReader(seeded_url)
    try:
        custom = await reader.fetchrow("SELECT current_setting('plan_cache_mode') AS m", custom_plan=True)
        default = await reader.fetchrow("SELECT current_setting('plan_cache_mode') AS m")
        assert (custom["m"], default["m"]) == ("force_custom_plan", "force_generic_plan")  # type: ignore[index]
    finally:
        await reader.close()


async def test_reads_get_a_connection_in_the_order_they_asked_for_one(seeded_url: str) -> None:
    """Under contention every read waits its turn: none overtakes one that asked before it.
    (asyncpg's own pool lets a newcomer take a connection just released to a waiter, which then
    queues again at the back: 44 of these 400 reads were overtaken without the turnstile.)"""
    from service.reads import PoolReader

    reader = PoolReader(seeded_url, max_size=1)  # one connection: the order served is the DB's
    served: list[tuple[int, int]] = []  # (position asked, position served)

    async def read(position: int) -> None:
        row = await reader.fetchrow("SELECT nextval('served') AS n")
        assert row is not None
        served.append((position, row["n"]))

    try:
        await reader.fetch("CREATE TEMPORARY SEQUENCE served")
        reads = []
        for position in range(400):  # reads keep arriving while earlier ones are served
            reads.append(asyncio.create_task(read(position)))
            await asyncio.sleep(0)
        await asyncio.gather(*reads)
    finally:
        await reader.close()
    by_service = [position for position, _ in sorted(served, key=lambda pair: pair[1])]
    assert by_service == list(range(400))


async def test_the_pool_reader_keeps_connections_an_error_left_usable_and_drops_the_others(seeded_url: str) -> None:
    """A statement that fails in PostgreSQL leaves its connection ready: it is kept. A read that was
    cancelled mid-statement may leave it busy: it is closed, and the next read gets a fresh one."""
    import asyncpg

    from service.reads import PoolReader

    reader = PoolReader(seeded_url, max_size=1)

    async def backend() -> int:
        row = await reader.fetchrow("SELECT pg_backend_pid() AS pid")
        assert row is not None
        return int(row["pid"])

    try:
        first = await backend()
        with pytest.raises(asyncpg.DivisionByZeroError):
            await reader.fetch("SELECT 1 / 0")
        assert await backend() == first
        slow = asyncio.create_task(reader.fetch("SELECT pg_sleep(5)"))
        await asyncio.sleep(0.3)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await backend() != first
    finally:
        await reader.close()
