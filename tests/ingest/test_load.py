"""The loader on hand-built extractions: all or nothing per document, and events clustered the
same way within one document as across documents (merges, kept-apart outcomes, taken keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from service import migrate
from service.ingest import cluster as cluster_rules
from service.ingest import load
from service.ingest.facts import EntityFact, EntityRef, EventFact, Extraction, Participant, Span
from service.ingest.source import SourceFile, text_sha256
from tests.database import fresh_database

TABLES = (
    "documents", "organisations", "organisation_aliases", "people", "person_aliases", "person_roles", "events",
    "event_participants", "funding", "funding_payers", "rivalries", "relationships", "citations", "changes",
)  # fmt: skip
ALPHA = EntityRef("organisation", "alpha-test")
BETA = EntityRef("organisation", "beta-test")

FIRST = (
    "Alpha Test rachète Beta Test. "
    "Alpha Test et Beta Test finalisent leur partenariat le 1er mars 2024. "
    "Le rachat de Beta Test par Alpha Test est annulé. "
    "Un lancement est annoncé. "
    "Un lancement est encore annoncé."
)
SECOND = "Alpha Test a investi dans Beta Test le 10 mars 2024."


def _span(text_: str, phrase: str, extractor: str = "test", nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text_.index(phrase, start + 1)
    return Span(start, start + len(phrase), extractor, 0.9)


def _organisation(text_: str, ref: EntityRef, name: str, extractor: str = "test") -> EntityFact:
    return EntityFact(
        kind="organisation",
        slug=ref.slug,
        name=name,
        aliases=[],
        org_kind="other",
        country=None,
        description=None,
        in_gazetteer=False,
        roles=[],
        spans=[_span(text_, name, extractor)],
    )


def _event(
    span: Span,
    type_: str,
    status: str,
    on: dt.date | None = None,
    parties: tuple[EntityRef, ...] = (ALPHA, BETA),
    title: str = "Alpha Test et Beta Test",
) -> EventFact:
    return EventFact(
        type=type_,
        title=title,
        summary=None,
        status=status,
        occurred_on=on,
        date_precision="day" if on else None,
        date_text=on.isoformat() if on else None,
        reported_on=None,
        participants=[Participant(p, "actor") for p in parties],
        spans=[span],
    )


def _extraction(text_: str, events: list[EventFact], extractor: str = "test") -> Extraction:
    return Extraction(
        title=None,
        publisher=None,
        author=None,
        url=None,
        language="fr",
        published_on=dt.date(2024, 3, 12),
        segments=[],
        entities=[
            _organisation(text_, ALPHA, "Alpha Test", extractor),
            _organisation(text_, BETA, "Beta Test", extractor),
        ],
        events=events,
        funding=[],
        rivalries=[],
        relationships=[],
    )


def _first() -> Extraction:
    """The first document as the extraction hands it over: its repeated reports merged by the
    cluster stage."""
    reports = [
        _event(_span(FIRST, "rachète"), "acquisition", "announced"),
        # Another type between the same companies: a fact of its own within one text.
        _event(_span(FIRST, "finalisent"), "partnership", "completed", dt.date(2024, 3, 1)),
        # The same acquisition, further along: merged into the first.
        _event(_span(FIRST, "annulé"), "acquisition", "cancelled"),
        # No participant: the same title is the same event.
        _event(_span(FIRST, "lancement"), "product_launch", "announced", parties=(), title="Un lancement"),
        _event(_span(FIRST, "lancement", nth=1), "product_launch", "announced", parties=(), title="Un lancement"),
    ]
    events, _ = cluster_rules.merge_document(reports, [[] for _ in reports])
    return _extraction(FIRST, events)


async def _events(conn: AsyncConnection, *ids: str) -> dict[str, tuple[Any, ...]]:
    rows = await conn.execute(
        text(
            "SELECT id, type, status, occurred_on, date_precision, source_count FROM events"
            " WHERE id = ANY(:ids) OR id IN (SELECT fact_id FROM citations WHERE fact_kind = 'event')"
        ),
        {"ids": list(ids)},
    )
    return {r.id: tuple(r)[1:] for r in rows}


async def _cited(conn: AsyncConnection, event_id: str) -> int:
    return int(await conn.scalar(text("SELECT count(*) FROM citations WHERE fact_id = :id"), {"id": event_id}) or 0)


async def test_a_document_loads_its_merged_events_and_later_reports_corroborate_them(conn: AsyncConnection) -> None:
    acquisition = load.stable_id("event", "deal|alpha-test,beta-test||")
    partnership = load.stable_id("event", "deal|alpha-test,beta-test||2024")
    launch = load.stable_id("event", "product_launch||||un lancement")
    first = await load.load_document_in(conn, FIRST, "first.txt", _first(), "test")
    assert first.status == "created"
    assert first.created["event"] == sorted([acquisition, partnership, launch])
    assert "event" not in first.corroborated
    assert first.facts["events"] == 3
    assert await _events(conn, acquisition, partnership, launch) == {
        acquisition: ("acquisition", "cancelled", None, None, 1),
        partnership: ("partnership", "completed", dt.date(2024, 3, 1), "day", 1),
        launch: ("product_launch", "announced", None, None, 1),
    }
    assert await _cited(conn, acquisition) == 2
    assert await _cited(conn, launch) == 2
    participants = await conn.scalar(
        text("SELECT count(*) FROM event_participants WHERE event_id = :id"), {"id": acquisition}
    )
    assert participants == 2

    # Another source on the deal, completed nine days after the partnership: it corroborates the
    # partnership (a completed deal is not the cancelled acquisition), adds its more specific type
    # and never overwrites what the first source said.
    report = _event(_span(SECOND, "investi"), "investment", "completed", dt.date(2024, 3, 10), title="Investissement")
    again = await load.load_document_in(conn, SECOND, "second.txt", _extraction(SECOND, [report]), "test")
    assert again.corroborated["event"] == [partnership]
    assert "event" not in again.created
    assert (await _events(conn, partnership))[partnership] == ("investment", "completed", dt.date(2024, 3, 1), "day", 2)
    # the title names the type, so it follows the more specific one
    assert await conn.scalar(text("SELECT title FROM events WHERE id = :id"), {"id": partnership}) == "Investissement"
    changes = await conn.execute(
        text("SELECT kind, op FROM changes WHERE entity_id = :id ORDER BY id"), {"id": partnership}
    )
    assert [tuple(r) for r in changes] == [("event", "created"), ("event", "updated")]


async def test_one_speakers_statements_in_two_articles_are_two_events(conn: AsyncConnection) -> None:
    # Same type, one participant, no date: the rules keep them apart, and the second article's
    # statement must not be filed under the first one's key as another source of it.
    ids = []
    for name, said in (
        ("said-one.txt", "Alpha Test a déclaré ceci à Beta Test."),
        ("said-two.txt", "Alpha Test a déclaré cela à Beta Test."),
    ):
        statement = _event(_span(said, "déclaré"), "statement", "completed", None, (ALPHA,))
        outcome = await load.load_document_in(conn, said, name, _extraction(said, [statement]), "test")
        (event_id,) = outcome.created["event"]
        ids.append(event_id)
    assert ids[0] != ids[1]
    assert {i: row[-1] for i, row in (await _events(conn, *ids)).items()} == {ids[0]: 1, ids[1]: 1}


async def test_what_one_side_says_of_the_other_is_not_corroborated_by_the_other_speaking(
    conn: AsyncConnection,
) -> None:
    # Two participants in both articles, but the speaker and the one spoken of swap: two statements.
    ids, corroborated = [], []
    for name, said, speaker, spoken_of in (
        ("alpha-speaks.txt", "Alpha Test a critiqué Beta Test.", ALPHA, BETA),
        ("beta-speaks.txt", "Beta Test a critiqué Alpha Test.", BETA, ALPHA),
        ("alpha-again.txt", "Alpha Test a encore critiqué Beta Test.", ALPHA, BETA),
    ):
        statement = _event(_span(said, "critiqué"), "statement", "completed", None, ())
        statement.participants = [Participant(speaker, "speaker"), Participant(spoken_of, "subject")]
        outcome = await load.load_document_in(conn, said, name, _extraction(said, [statement]), "test")
        ids += outcome.created.get("event", [])
        corroborated += outcome.corroborated.get("event", [])
    assert len(ids) == 2 and ids[0] != ids[1]
    # the third article reports the first one's statement again: the same speaker
    assert corroborated == [ids[0]]
    roles = await conn.execute(
        text(
            "SELECT event_id, organisation_id FROM event_participants WHERE role = 'speaker' AND event_id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    assert sorted((r.event_id, r.organisation_id) for r in roles) == sorted([(ids[0], ALPHA.slug), (ids[1], BETA.slug)])


async def _counts(conn: AsyncConnection) -> dict[str, int]:
    return {t: int(await conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}


@pytest.fixture(scope="module")
async def fresh_engine(pg_server: str) -> AsyncIterator[AsyncEngine]:
    with fresh_database(pg_server, "load") as url:
        await migrate.upgrade_async(url)
        engine = create_async_engine(url, poolclass=NullPool)
        yield engine
        await engine.dispose()


async def test_a_failure_in_the_last_statement_leaves_nothing_written(fresh_engine: AsyncEngine) -> None:
    """The document, entities and events are written before the citations; a citation PostgreSQL
    refuses (an extractor name over 40 characters) must take all of them back with it."""
    bad = _extraction(FIRST, _first().events, extractor="x" * 41)
    source = SourceFile(path=Path("bad.txt"), text=FIRST, sha256=text_sha256(FIRST), meta={})
    with pytest.raises(DBAPIError, match="value too long"):
        await load.load_document(fresh_engine, source, bad, "test")
    async with fresh_engine.connect() as conn:
        assert set((await _counts(conn)).values()) == {0}

    # The same in the caller's transaction (``POST /documents``): rolled back to its savepoint.
    async with fresh_engine.connect() as conn:
        outer = await conn.begin()
        nested = await conn.begin_nested()
        with pytest.raises(DBAPIError, match="value too long"):
            await load.load_document_in(conn, FIRST, "bad.txt", bad, "test")
        await nested.rollback()
        assert set((await _counts(conn)).values()) == {0}
        outcome = await load.load_document_in(conn, FIRST, "good.txt", _first(), "test")
        await outer.rollback()
    assert outcome.status == "created"

    outcome = await load.load_document(fresh_engine, source, _first(), "test")
    async with fresh_engine.connect() as conn:
        counts = await _counts(conn)
    assert counts["documents"] == 1
    assert counts["events"] == outcome.facts["events"] == 3


async def test_raw_statements_never_run_outside_a_transaction(fresh_engine: AsyncEngine) -> None:
    async with fresh_engine.connect() as conn:
        with pytest.raises(RuntimeError, match="inside the caller's transaction"):
            await load._Raw.of(conn)


GAMMA = EntityRef("organisation", "gamma-test")
DELTA = EntityRef("organisation", "delta-test")
PARTNERS = "Alpha Test, Beta Test, Gamma Test et Delta Test s'associent."


def _partners(events: list[EventFact]) -> Extraction:
    extraction = _extraction(PARTNERS, events)
    extraction.entities += [
        _organisation(PARTNERS, GAMMA, "Gamma Test"),
        _organisation(PARTNERS, DELTA, "Delta Test"),
    ]
    return extraction


async def test_only_events_a_report_could_merge_into_are_read_back(conn: AsyncConnection) -> None:
    """The candidate query applies the matching rules' necessary conditions (family, a subset of
    participants sharing two, a year apart at most), instead of returning every event sharing a
    participant with the document: for a company in thousands of events that was every one of
    them, for every document naming it."""
    span = _span(PARTNERS, "s'associent")
    # Kept apart from each other when loaded (a completed deal and a cancelled one are two deals).
    stored = {
        "superset": _event(span, "partnership", "completed", dt.date(2024, 5, 1), (ALPHA, BETA, GAMMA)),
        "overlap": _event(span, "partnership", "completed", dt.date(2024, 6, 1), (ALPHA, BETA, DELTA)),
        "years_apart": _event(span, "partnership", "completed", dt.date(2019, 5, 1), (ALPHA, BETA)),
        "other_family": _event(span, "lawsuit", "announced", dt.date(2024, 5, 1), (ALPHA, BETA)),
        "undated": _event(span, "partnership", "cancelled", None, (ALPHA, BETA, GAMMA, DELTA)),
    }
    ids = {}
    for name, event in stored.items():
        outcome = await load.load_document_in(conn, f"{PARTNERS} {name}", f"{name}.txt", _partners([event]), "test")
        (ids[name],) = outcome.created.get("event", [name])
    assert len(set(ids.values())) == len(stored)

    # A report of Alpha, Beta and Gamma in 2024: "overlap" shares only two of three participants
    # with it, "years_apart" is five years off, "other_family" is a lawsuit.
    query = load._CANDIDATES
    refs = [
        {
            "i": 0,
            "n": 3,
            "year": 2024,
            "kind": r.kind,
            "slug": r.slug,
            "family": cluster_rules.TYPE_FAMILIES["partnership"],
        }
        for r in (ALPHA, BETA, GAMMA)
    ]
    db = await load._Raw.of(conn)
    found = await db.fetch(query.text, *query.args({"refs": refs, "singles": [], "keys": []}))
    assert {r["id"] for r in found} == {ids["superset"], ids["undated"]}

    # The Python rules, run on every stored event, accept exactly those the query returned.
    report = _event(span, "partnership", "announced", dt.date(2024, 5, 20), (ALPHA, BETA, GAMMA))
    mine = {f"{r.kind}:{r.slug}" for r in (ALPHA, BETA, GAMMA)}
    everything = await conn.execute(text("SELECT id FROM events"))
    for (event_id,) in everything:
        row = (await conn.execute(text("SELECT * FROM events WHERE id = :id"), {"id": event_id})).mappings().one()
        theirs = {
            f"{k}:{s}"
            for k, s in await conn.execute(
                text("SELECT kind, coalesce(organisation_id, person_id) FROM event_participants WHERE event_id = :id"),
                {"id": event_id},
            )
        }
        cluster = load._Cluster(
            **{k: row[k] for k in ("id", "cluster_key", "type", "title", "summary", "status", "occurred_on")},
            date_precision=row["date_precision"],
            date_text=row["date_text"],
            reported_on=row["reported_on"],
            refs=theirs,
            stored=True,
        )
        accepted = cluster_rules.best_match(report, mine, [(cluster, cluster.refs, cluster.id)]) is not None
        assert accepted == (event_id in {ids["superset"], ids["undated"]}), event_id
