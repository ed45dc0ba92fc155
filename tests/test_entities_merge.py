"""Merging two organisations or two people: ``rivalry entities merge FROM INTO`` and the loader,
when the gazetteer comes to name an entity text alone had made. Every fact of FROM is INTO's, as the
API serves it; FROM's URLs answer 308 with INTO's, query string kept; chains of merges are one
hop; the change feed and the stored list items follow; bad input is one line and changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from service import db, migrate
from service.entities.merge import merge_by_ids, merge_entities
from service.ingest import load
from service.ingest.facts import (
    EntityFact,
    EntityRef,
    EventFact,
    Extraction,
    FundingFact,
    Participant,
    RelationshipFact,
    RivalryFact,
    RoleFact,
    Span,
)
from service.ingest.gazetteer import Organisation, load_gazetteer, slugify
from service.ingest.load_sql import LOAD_LOCK_ID
from service.settings import Settings
from tests.api.test_list_items import STALE
from tests.conftest import _free_port, app_on
from tests.database import fresh_database
from tests.test_cli import one_line_error, rivalry

ACME_AI = EntityRef("organisation", "acme-ai")
ACME = EntityRef("organisation", "acme")
RIVAL = EntityRef("organisation", "rival-co")
JANE = EntityRef("person", "jane-doe")

# FROM's article: a lawsuit against a rival, a partnership with INTO, money both ways, a chief,
# a rivalry with the rival and one with INTO, an investment relationship.
FIRST = (
    "Publié le 3 mars 2025. Acme AI attaque Rival Co en justice. Jane Doe, PDG d'Acme AI, l'annonce. "
    "Acme AI a investi 10 millions de dollars dans Rival Co, qui a versé 5 millions de dollars à Acme AI. "
    "Acme AI et Acme s'associent. La rivalité entre Acme AI et Rival Co s'envenime. "
    "Acme AI et Acme se disputent le marché."
)
# INTO's article: its own rivalry with the same rival, and the same partnership.
SECOND = "Publié le 9 avril 2025. Acme et Rival Co sont rivaux. Acme et Acme AI s'associent encore."


def _span(text_: str, phrase: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text_.index(phrase, start + 1)
    return Span(start, start + len(phrase), "test@1", 0.9)


def _entity(
    text_: str,
    ref: EntityRef,
    name: str,
    spans: Sequence[Span] = (),
    *,
    aliases: Sequence[str] = (),
    roles: Sequence[RoleFact] = (),
    in_gazetteer: bool = False,
) -> EntityFact:
    return EntityFact(
        kind=ref.kind,
        slug=ref.slug,
        name=name,
        aliases=list(aliases),
        org_kind="other" if ref.kind == "organisation" else None,
        country=None,
        description=None,
        in_gazetteer=in_gazetteer,
        roles=list(roles),
        spans=list(spans) or [_span(text_, name)],
    )


def _event(span: Span, type_: str, title: str, *parties: tuple[EntityRef, str]) -> EventFact:
    return EventFact(
        type=type_,
        title=title,
        summary=None,
        status="announced",
        occurred_on=None,
        date_precision=None,
        date_text=None,
        reported_on=None,
        participants=[Participant(ref, role) for ref, role in parties],
        spans=[span],
    )


def _funding(span: Span, amount: float, payer: EntityRef, recipient: EntityRef) -> FundingFact:
    return FundingFact(
        kind="investment",
        amount=amount,
        currency="USD",
        qualifier="exact",
        amount_usd=amount,
        fx_rate_on=None,
        equivalents=[],
        amount_text=f"{amount:.0f} USD",
        payers=[payer],
        recipient=recipient,
        event_index=None,
        occurred_on=None,
        date_precision=None,
        status="completed",
        spans=[span],
    )


def _extraction(
    on: dt.date,
    entities: list[EntityFact],
    events: Sequence[EventFact] = (),
    funding: Sequence[FundingFact] = (),
    rivalries: Sequence[RivalryFact] = (),
    relationships: Sequence[RelationshipFact] = (),
) -> Extraction:
    return Extraction(
        title=None,
        publisher=None,
        author=None,
        url=None,
        language="fr",
        published_on=on,
        segments=[],
        entities=entities,
        events=list(events),
        funding=list(funding),
        rivalries=list(rivalries),
        relationships=list(relationships),
    )


def _first() -> Extraction:
    t = FIRST
    return _extraction(
        dt.date(2025, 3, 3),
        [
            _entity(t, ACME_AI, "Acme AI", [_span(t, "Acme AI"), _span(t, "Acme AI", 1)], aliases=["Acme Labs"]),
            _entity(t, ACME, "Acme"),
            _entity(t, RIVAL, "Rival Co"),
            _entity(t, JANE, "Jane Doe", roles=[RoleFact("acme-ai", "PDG")]),
        ],
        events=[
            _event(_span(t, "attaque"), "lawsuit", "Action en justice", (ACME_AI, "plaintiff"), (RIVAL, "defendant")),
            _event(_span(t, "s'associent"), "partnership", "Partenariat", (ACME_AI, "partner"), (ACME, "partner")),
        ],
        funding=[
            _funding(_span(t, "10 millions de dollars"), 10_000_000, ACME_AI, RIVAL),
            _funding(_span(t, "5 millions de dollars"), 5_000_000, RIVAL, ACME_AI),
        ],
        rivalries=[
            RivalryFact((ACME_AI, RIVAL), [_span(t, "La rivalité entre Acme AI et Rival Co")]),
            RivalryFact((ACME_AI, ACME), [_span(t, "se disputent")]),
        ],
        relationships=[RelationshipFact("invested_in", "acme-ai", "rival-co", [_span(t, "a investi")])],
    )


def _second() -> Extraction:
    t = SECOND
    return _extraction(
        dt.date(2025, 4, 9),
        [_entity(t, ACME, "Acme"), _entity(t, ACME_AI, "Acme AI"), _entity(t, RIVAL, "Rival Co")],
        events=[_event(_span(t, "s'associent"), "partnership", "Partenariat", (ACME, "partner"), (ACME_AI, "partner"))],
        rivalries=[RivalryFact((ACME, RIVAL), [_span(t, "sont rivaux")])],
    )


async def _load_both(conn: AsyncConnection) -> None:
    for number, (text_, extraction) in enumerate(((FIRST, _first()), (SECOND, _second()))):
        await load.load_document_in(conn, text_, f"article-{number}.txt", extraction, "test")


@contextlib.asynccontextmanager
async def _database(pg_server: str, label: str) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A committed database holding both articles, for the command line and concurrent loads."""
    with fresh_database(pg_server, label) as url:
        await migrate.upgrade_async(url)
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.begin() as conn:
                await _load_both(conn)
            yield url, engine
        finally:
            await engine.dispose()


async def _json(client: Any, path: str, **params: Any) -> Any:
    """A list's items, or a detail."""
    response = await client.get(path, params=params or None)  # an empty mapping would drop the path's query
    assert response.status_code == 200, (path, response.status_code, response.text)
    body = response.json()
    return body.get("data", body)


async def _moved(client: Any, path: str) -> str:
    """The ``Location`` a 308 answer gives."""
    response = await client.get(path, follow_redirects=False)
    assert response.status_code == 308, (path, response.status_code, response.text)
    return str(response.headers["location"])


async def _scalars(conn: AsyncConnection, sql: str, **params: Any) -> list[Any]:
    return list(await conn.scalars(text(sql), params))


# -- the command line -------------------------------------------------------------------------


async def test_merge_moves_every_fact_to_into_and_from_answers_308(
    pg_server: str, settings: Settings, tmp_path: Path
) -> None:
    async with _database(pg_server, "merge") as (url, engine):
        async with engine.connect() as conn:
            mentions = await _scalars(conn, "SELECT mention_count FROM organisations WHERE id IN ('acme', 'acme-ai')")
        env = {"DATABASE_URL": url, "RIVALRY_DATA_DIR": str(tmp_path)}
        merged = rivalry("entities", "merge", "acme-ai", "acme", env=env)
        assert merged.returncode == 0, merged.stderr
        assert merged.stdout.splitlines() == [
            "rivalry: merged organisation 'acme-ai' into 'acme': 2 aliases, 3 citations, 2 events, 1 funding paid,"
            " 1 funding received, 1 roles, 1 relationships (0 between the two deleted), 2 rivalries (1 merged into"
            " one 'acme' had, 1 between the two deleted); 'acme-ai' now redirects to 'acme'"
        ]

        async with AsyncTestClient(app_on(settings, engine)) as client:
            acme = await _json(client, "/api/v1/organisations/acme")
            assert acme["name"] == "Acme"
            assert {"Acme AI", "Acme Labs"} <= set(acme["aliases"])
            assert acme["mention_count"] == sum(mentions)
            assert acme["source_count"] == 2
            assert acme["first_seen_on"] == "2025-03-03" and acme["last_seen_on"] == "2025-04-09"
            assert {c["quote"] for c in acme["citations"]} == {"Acme", "Acme AI"}
            assert [(p["person_id"], p["role"]) for p in acme["people"]] == [("jane-doe", "PDG")]
            assert [(r["type"], r["organisation_id"]) for r in acme["relationships"]] == [("invested_in", "rival-co")]
            assert (await _json(client, "/api/v1/people/jane-doe"))["roles"] == [
                {"organisation_id": "acme", "title": "PDG"}
            ]

            events = {e["type"]: e for e in await _json(client, "/api/v1/organisations/acme/events")}
            assert set(events) == {"lawsuit", "partnership"}
            assert sorted((p["id"], p["role"]) for p in events["lawsuit"]["participants"]) == [
                ("acme", "plaintiff"),
                ("rival-co", "defendant"),
            ]
            # Both took part in the partnership: INTO takes part once, named by both articles.
            assert [p["id"] for p in events["partnership"]["participants"]] == ["acme"]
            assert events["partnership"]["source_count"] == 2

            funding = await _json(client, "/api/v1/organisations/acme/funding")
            assert sorted((f["amount"], [p["id"] for p in f["payers"]], f["recipient"]["id"]) for f in funding) == [
                (5_000_000, ["rival-co"], "acme"),
                (10_000_000, ["acme"], "rival-co"),
            ]

            # The rivalry with the rival joins INTO's; the one between the two is gone.
            rivals = await _json(client, "/api/v1/organisations/acme/rivals")
            assert [(r["id"], r["source_count"], r["event_count"]) for r in rivals] == [("acme--rival-co", 2, 1)]
            assert (await client.get("/api/v1/rivalries/acme--acme-ai")).status_code == 404

            # FROM's URLs send the same request to INTO's.
            assert await _moved(client, "/api/v1/organisations/acme-ai") == "/api/v1/organisations/acme"
            location = await _moved(client, "/api/v1/organisations/acme-ai/events?type=lawsuit&limit=5")
            assert location == "/api/v1/organisations/acme/events?type=lawsuit&limit=5"
            assert [e["type"] for e in await _json(client, location)] == ["lawsuit"]
            assert (
                await _moved(client, "/api/v1/organisations/acme-ai/funding?sort=-amount_usd")
                == "/api/v1/organisations/acme/funding?sort=-amount_usd"
            )
            assert (
                await _moved(client, "/api/v1/rivalries/acme-ai--rival-co/timeline?limit=3")
                == "/api/v1/rivalries/acme--rival-co/timeline?limit=3"
            )
            # Filters naming FROM name INTO.
            assert {e["type"] for e in await _json(client, "/api/v1/events", organisation="acme-ai")} == {
                "lawsuit",
                "partnership",
            }

        again = one_line_error(rivalry("entities", "merge", "acme-ai", "acme", env=env))
        assert again == "rivalry: 'acme-ai' was already merged into 'acme': nothing is left to merge"


async def test_bad_input_is_one_line_and_changes_nothing(pg_server: str, tmp_path: Path) -> None:
    async with _database(pg_server, "refused") as (url, engine):
        env = {"DATABASE_URL": url, "RIVALRY_DATA_DIR": str(tmp_path)}

        async def state() -> list[Any]:
            async with engine.connect() as conn:
                return await _scalars(
                    conn,
                    "SELECT row(kind, entity_id, op)::text FROM changes"
                    " UNION ALL SELECT id FROM organisations UNION ALL SELECT id FROM people"
                    " UNION ALL SELECT old_id FROM entity_redirects ORDER BY 1",
                )

        before = await state()
        refused = {
            ("nobody", "acme"): "rivalry: no organisation or person has the id 'nobody'",
            ("acme-ai", "nobody"): "rivalry: no organisation or person has the id 'nobody'",
            ("acme", "acme"): "rivalry: 'acme' and 'acme' are the same organisation: nothing to merge",
            ("acme-ai", "jane-doe"): (
                "rivalry: 'acme-ai' is an organisation and 'jane-doe' a person:"
                " only two organisations or two people can be merged"
            ),
        }
        for (source, target), message in refused.items():
            assert one_line_error(rivalry("entities", "merge", source, target, env=env)) == message
        kind = rivalry("entities", "merge", "acme-ai", "acme", "--kind", "person", env=env)
        assert one_line_error(kind) == "rivalry: no person has the id 'acme-ai'"
        assert await state() == before


async def test_database_failures_are_one_line_and_change_nothing(pg_server: str, tmp_path: Path) -> None:
    closed = f"postgresql://postgres@127.0.0.1:{_free_port()}/postgres"
    data = {"RIVALRY_DATA_DIR": str(tmp_path)}
    unreachable = one_line_error(rivalry("entities", "merge", "a", "b", env={"DATABASE_URL": closed, **data}))
    assert unreachable.startswith("rivalry: cannot connect to PostgreSQL at 127.0.0.1:"), unreachable

    async with _database(pg_server, "locked") as (url, engine):
        database = urlsplit(url).path.lstrip("/")  # the embedded server's URL ends with its socket's path
        holder = await asyncpg.connect(db.sync_url(url))
        try:
            await holder.execute(f"ALTER DATABASE \"{database}\" SET lock_timeout = '200ms'")
            # A load in progress: the merge waits for its lock, and gives up when the database says so.
            async with holder.transaction():
                await holder.execute("SELECT pg_advisory_xact_lock($1)", LOAD_LOCK_ID)
                result = rivalry("entities", "merge", "acme-ai", "acme", env={"DATABASE_URL": url, **data})
        finally:
            await holder.close()
        line = one_line_error(result)
        assert line == "rivalry: the merge failed and changed nothing: canceling statement due to lock timeout", line
        async with engine.connect() as conn:
            assert await _scalars(conn, "SELECT id FROM organisations WHERE id = 'acme-ai'") == ["acme-ai"]
            assert await _scalars(conn, "SELECT old_id FROM entity_redirects") == []


# -- what a merge leaves behind -----------------------------------------------------------------


async def test_the_change_feed_reports_from_deleted_and_into_updated(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    await _load_both(conn)
    events = await _scalars(conn, "SELECT DISTINCT event_id FROM event_participants WHERE organisation_id = 'acme-ai'")
    funding = await _scalars(
        conn,
        "SELECT funding_id FROM funding_payers WHERE organisation_id = 'acme-ai'"
        " UNION SELECT id FROM funding WHERE recipient_organisation_id = 'acme-ai'",
    )
    relationship = await conn.scalar(text("SELECT id FROM relationships"))
    logged = await conn.scalar(text("SELECT max(id) FROM changes"))

    await merge_entities(conn, "organisation", "acme-ai", "acme")

    merge = {
        tuple(row)
        for row in await conn.execute(text("SELECT kind, entity_id, op FROM changes WHERE id > :n"), {"n": logged})
    }
    new_relationship = load.stable_id("relationship", "invested_in|acme|rival-co")
    assert merge == {
        ("organisation", "acme-ai", "deleted"),
        ("organisation", "acme", "updated"),
        ("organisation", "rival-co", "updated"),  # its relationship's other party is INTO
        ("person", "jane-doe", "updated"),  # runs INTO now
        *(("event", e, "updated") for e in events),
        *(("funding", f, "updated") for f in funding),
        ("rivalry", "acme-ai--rival-co", "deleted"),
        ("rivalry", "acme--acme-ai", "deleted"),
        ("rivalry", "acme--rival-co", "updated"),
        ("relationship", relationship, "deleted"),
        ("relationship", new_relationship, "created"),
    }
    # As the API serves them: FROM's tombstone, INTO updated.
    feed = await _json(client, "/api/v1/changes", kind="organisation", limit=200)
    tombstones = [c for c in feed if c["id"] == "acme-ai" and c["op"] == "deleted"]
    assert len(tombstones) == 1 and tombstones[0]["deleted_at"] == tombstones[0]["changed_at"]
    assert [c["op"] for c in feed if c["id"] == "acme"][-1] == "updated"


async def test_lists_serve_no_stale_item_after_a_merge(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    await _load_both(conn)
    listed = await _json(client, "/api/v1/events", limit=200)
    assert "acme-ai" in {p["id"] for e in listed for p in e["participants"]}

    await merge_entities(conn, "organisation", "acme-ai", "acme")

    for table, query in STALE.items():
        assert await _scalars(conn, query) == [], table
    events = await _json(client, "/api/v1/events", limit=200)
    assert {p["id"] for e in events for p in e["participants"]} == {"acme", "rival-co"}
    funding = await _json(client, "/api/v1/funding", limit=200)
    assert {p["id"] for f in funding for p in [*f["payers"], f["recipient"]]} == {"acme", "rival-co"}
    organisations = await _json(client, "/api/v1/organisations", limit=200)
    assert "acme-ai" not in {o["id"] for o in organisations}


async def test_chains_of_merges_collapse_to_one_hop(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    await _load_both(conn)
    await merge_entities(conn, "organisation", "rival-co", "acme-ai")
    await merge_entities(conn, "organisation", "acme-ai", "acme")

    assert await _moved(client, "/api/v1/organisations/rival-co/rivals?limit=2") == (
        "/api/v1/organisations/acme/rivals?limit=2"
    )
    assert await _moved(client, "/api/v1/organisations/acme-ai") == "/api/v1/organisations/acme"
    redirects = await conn.execute(text("SELECT kind, old_id, new_id FROM entity_redirects ORDER BY kind, old_id"))
    # Every rivalry was between two of the three: none is left, and no redirect leads to one.
    assert [tuple(r) for r in redirects] == [("organisation", "acme-ai", "acme"), ("organisation", "rival-co", "acme")]
    assert await _scalars(conn, "SELECT id FROM rivalries") == []


async def test_a_rivalrys_former_ids_follow_it_through_a_chain(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    await _load_both(conn)
    other = EntityRef("organisation", "other-co")
    third = "Acme AI et Other Co s'affrontent."
    await load.load_document_in(
        conn,
        third,
        "third.txt",
        _extraction(
            dt.date(2025, 5, 1),
            [_entity(third, ACME_AI, "Acme AI"), _entity(third, other, "Other Co")],
            rivalries=[RivalryFact((ACME_AI, other), [_span(third, "s'affrontent")])],
        ),
        "test",
    )
    await merge_entities(conn, "organisation", "acme-ai", "acme")
    assert await _moved(client, "/api/v1/rivalries/acme-ai--other-co") == "/api/v1/rivalries/acme--other-co"
    await merge_entities(conn, "organisation", "acme", "rival-co")

    for former in ("acme-ai--other-co", "acme--other-co"):
        assert await _moved(client, f"/api/v1/rivalries/{former}") == "/api/v1/rivalries/other-co--rival-co"
    rivalry = await _json(client, "/api/v1/rivalries/other-co--rival-co")
    assert [p["id"] for p in rivalry["parties"]] == ["other-co", "rival-co"]
    assert [c["quote"] for c in rivalry["citations"]] == ["s'affrontent"]


async def test_people_merge_with_their_roles_events_and_rivalries(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    text_ = "Jane Doe et J. Doe : Jane Doe poursuit Acme, J. Doe dirige Acme AI. La rivalité entre J. Doe et Acme."
    j_doe = EntityRef("person", "j-doe")
    await load.load_document_in(
        conn,
        text_,
        "people.txt",
        _extraction(
            dt.date(2025, 6, 1),
            [
                _entity(text_, ACME, "Acme"),
                _entity(text_, ACME_AI, "Acme AI"),
                _entity(text_, JANE, "Jane Doe", roles=[RoleFact("acme-ai", "PDG")]),
                _entity(text_, j_doe, "J. Doe", roles=[RoleFact("acme-ai", "PDG")]),
            ],
            events=[
                _event(
                    _span(text_, "poursuit"), "lawsuit", "Action en justice", (JANE, "plaintiff"), (ACME, "defendant")
                )
            ],
            rivalries=[RivalryFact((j_doe, ACME), [_span(text_, "La rivalité entre J. Doe et Acme")])],
        ),
        "test",
    )
    outcome = await merge_entities(conn, "person", "jane-doe", "j-doe")
    assert (outcome.moved["roles"], outcome.moved["events"]) == (1, 1)
    await load.recount_rivalries(conn)

    person = await _json(client, "/api/v1/people/j-doe")
    assert set(person["aliases"]) >= {"Jane Doe"}
    assert person["roles"] == [{"organisation_id": "acme-ai", "title": "PDG"}]
    events = await _json(client, "/api/v1/people/j-doe/events")
    assert [sorted(p["id"] for p in e["participants"]) for e in events] == [["acme", "j-doe"]]
    assert [(r["id"], r["event_count"]) for r in await _json(client, "/api/v1/rivalries", party="j-doe")] == [
        ("acme--j-doe", 1)
    ]
    assert await _moved(client, "/api/v1/people/jane-doe/events?limit=1") == "/api/v1/people/j-doe/events?limit=1"


# -- the loader ---------------------------------------------------------------------------------


async def test_a_load_after_a_merge_writes_under_into(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    await _load_both(conn)
    await merge_entities(conn, "organisation", "acme-ai", "acme")
    later = "Acme AI rachète Rival Co. Acme AI et Rival Co, une rivalité ancienne."
    outcome = await load.load_document_in(
        conn,
        later,
        "later.txt",
        _extraction(
            dt.date(2025, 7, 1),
            [_entity(later, ACME_AI, "Acme AI"), _entity(later, RIVAL, "Rival Co")],
            events=[_event(_span(later, "rachète"), "acquisition", "Rachat", (ACME_AI, "acquirer"), (RIVAL, "target"))],
            rivalries=[RivalryFact((ACME_AI, RIVAL), [_span(later, "une rivalité ancienne")])],
        ),
        "test",
    )
    assert "acme-ai" not in outcome.created.get("organisation", [])
    assert await _scalars(conn, "SELECT id FROM organisations WHERE id = 'acme-ai'") == []
    assert await _moved(client, "/api/v1/organisations/acme-ai") == "/api/v1/organisations/acme"
    acme = await _json(client, "/api/v1/organisations/acme")
    assert acme["name"] == "Acme"  # the text's name is an alias of INTO, not its name
    assert "acquisition" in {e["type"] for e in await _json(client, "/api/v1/organisations/acme/events")}
    assert [(r["id"], r["source_count"]) for r in await _json(client, "/api/v1/organisations/acme/rivals")] == [
        ("acme--rival-co", 3)
    ]


async def test_a_load_waits_for_a_merge_in_progress_then_writes_under_into(pg_server: str) -> None:
    later = "Acme AI rachète Rival Co."
    extraction = _extraction(
        dt.date(2025, 7, 1),
        [_entity(later, ACME_AI, "Acme AI"), _entity(later, RIVAL, "Rival Co")],
        events=[_event(_span(later, "rachète"), "acquisition", "Rachat", (ACME_AI, "acquirer"), (RIVAL, "target"))],
    )

    async def load_later(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await load.load_document_in(conn, later, "later.txt", extraction, "test")

    async with _database(pg_server, "concurrent") as (_, engine):
        async with engine.connect() as merging:
            transaction = await merging.begin()
            await merge_entities(merging, "organisation", "acme-ai", "acme")
            loading = asyncio.create_task(load_later(engine))
            async with engine.connect() as watcher:
                # Until the load waits for a lock (or, wrongly, gets through); a minute at most.
                for _ in range(1200):
                    if loading.done():
                        break
                    waiting = await watcher.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity"
                            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                    )
                    if waiting:
                        break
                    await asyncio.sleep(0.05)
            assert not loading.done(), "the load ran while the merge held its rows"
            await transaction.commit()
        await loading
        async with engine.connect() as conn:
            assert await _scalars(conn, "SELECT id FROM organisations WHERE id = 'acme-ai'") == []
            acquisition = await _scalars(
                conn,
                "SELECT p.organisation_id FROM event_participants p JOIN events e ON e.id = p.event_id"
                " WHERE e.type = 'acquisition' ORDER BY 1",
            )
            assert acquisition == ["acme", "rival-co"]


def _gazetteer_alias() -> tuple[Organisation, str]:
    """A gazetteer organisation and an alias of it that text alone would have made an entity of,
    under a slug of its own (``"Open AI"`` → ``open-ai`` for OpenAI)."""
    gazetteer = load_gazetteer()
    for organisation in gazetteer.organisations:
        for alias in organisation.aliases:
            if slugify(alias) != organisation.slug and gazetteer.get(slugify(alias)) is None:
                return organisation, alias
    raise AssertionError("no gazetteer alias to test with")


async def test_the_loader_merges_a_provisional_entity_once_the_gazetteer_names_it(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    record, alias = _gazetteer_alias()
    provisional = EntityRef("organisation", slugify(alias))
    unrelated = EntityRef("organisation", "zorglub-industries")
    # Before the gazetteer knew the alias: text alone made an entity of it, with its own facts.
    before = f"{alias} poursuit Zorglub Industries. {alias} et Zorglub Industries, rivaux de toujours."
    await load.load_document_in(
        conn,
        before,
        "before.txt",
        _extraction(
            dt.date(2025, 1, 2),
            [_entity(before, provisional, alias), _entity(before, unrelated, "Zorglub Industries")],
            events=[
                _event(
                    _span(before, "poursuit"), "lawsuit", "Procès", (provisional, "plaintiff"), (unrelated, "defendant")
                )
            ],
            rivalries=[RivalryFact((provisional, unrelated), [_span(before, "rivaux de toujours")])],
        ),
        "test",
    )
    assert await _json(client, f"/api/v1/organisations/{provisional.slug}")

    # Now an article the gazetteer reads as naming the organisation, by its name.
    named = EntityRef("organisation", record.slug)
    after = f"{record.name} annonce un partenariat avec Zorglub Industries."
    outcome = await load.load_document_in(
        conn,
        after,
        "after.txt",
        _extraction(
            dt.date(2025, 2, 3),
            [
                _entity(after, named, record.name, aliases=record.aliases, in_gazetteer=True),
                _entity(after, unrelated, "Zorglub Industries"),
            ],
            events=[
                _event(
                    _span(after, "partenariat"),
                    "partnership",
                    "Partenariat",
                    (named, "partner"),
                    (unrelated, "partner"),
                )
            ],
        ),
        "test",
    )
    assert outcome.status == "created"

    location = await _moved(client, f"/api/v1/organisations/{provisional.slug}/events?type=lawsuit")
    assert location == f"/api/v1/organisations/{record.slug}/events?type=lawsuit"
    lawsuits = await _json(client, location)
    assert [sorted((p["id"], p["role"]) for p in e["participants"]) for e in lawsuits] == [
        sorted([(record.slug, "plaintiff"), (unrelated.slug, "defendant")])
    ]
    organisation = await _json(client, f"/api/v1/organisations/{record.slug}")
    assert organisation["name"] == record.name
    assert alias in organisation["aliases"]
    assert {c["document_id"] for c in organisation["citations"]} == {
        outcome.document_id,
        await _document(conn, "before.txt"),
    }
    rivals = await _json(client, f"/api/v1/organisations/{record.slug}/rivals")
    assert [r["id"] for r in rivals] == ["--".join(sorted((record.slug, unrelated.slug)))]
    changes = await _scalars(
        conn, "SELECT op FROM changes WHERE kind = 'organisation' AND entity_id = :id ORDER BY id", id=provisional.slug
    )
    assert changes[-1] == "deleted"
    # An entity of text the gazetteer does not name stays as it is.
    assert (await _json(client, f"/api/v1/organisations/{unrelated.slug}"))["id"] == unrelated.slug
    for table, query in STALE.items():
        assert await _scalars(conn, query) == [], table


async def _document(conn: AsyncConnection, file: str) -> str:
    return str(await conn.scalar(text("SELECT id FROM documents WHERE file = :f"), {"f": file}))


async def test_into_may_be_a_former_id(pg_server: str) -> None:
    async with _database(pg_server, "former") as (url, engine):
        await merge_by_ids(url, "acme", "rival-co")
        outcome = await merge_by_ids(url, "acme-ai", "acme")
        assert (outcome.from_id, outcome.into_id) == ("acme-ai", "rival-co")
        async with engine.connect() as conn:
            assert await _scalars(conn, "SELECT id FROM organisations ORDER BY id") == ["rival-co"]
