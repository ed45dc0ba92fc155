"""Withdrawing what a document stated, and recounting what depended on it.

Retraction is the exact inverse of a load: the document's citations go, facts no other document
supports are deleted, and the counters, date ranges and conflicts of the rest are recomputed from
the citations left. It is rare (a deleted document, or one re-loaded with a new pipeline version)
and stays on SQLAlchemy. Rivalry event counts are recounted here for loads too, from the queue
both fill (:func:`recount_rivalries`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from service.ingest.document_loader import _changes, _conflicts, _Touched
from service.ingest.load_sql import LOAD_LOCK_ID, PARTY_SOURCES
from service.models import (
    Change,
    Citation,
    Document,
    Event,
    EventParticipant,
    Funding,
    FundingPayer,
    Organisation,
    Person,
    Relationship,
    Rivalry,
    RivalryRecount,
)

_LOCK = sql_text("SELECT pg_advisory_xact_lock(:id)")


async def _refresh(conn: AsyncConnection, touched: _Touched, *, rivalries: bool = True) -> None:
    """Recompute counts, date ranges and conflicts of every touched fact from its citations (retraction)."""
    entity_tables: tuple[tuple[str, Any], ...] = (("organisation", Organisation), ("person", Person))
    for kind, table in entity_tables:
        ids = touched.live(kind)
        if not ids:
            continue
        stats = (
            select(
                Citation.fact_id,
                func.count().label("mentions"),
                func.count(func.distinct(Citation.document_id)).label("sources"),
                func.min(Document.published_on).label("first"),
                func.max(Document.published_on).label("last"),
            )
            .join(Document, Document.id == Citation.document_id)
            .where(Citation.fact_kind == kind, Citation.fact_id.in_(ids))
            .group_by(Citation.fact_id)
            .subquery()
        )
        await conn.execute(
            update(table)
            .where(table.id == stats.c.fact_id)
            .values(
                mention_count=stats.c.mentions,
                source_count=stats.c.sources,
                first_seen_on=stats.c.first,
                last_seen_on=stats.c.last,
                updated_at=func.now(),
            )
        )
    fact_tables: tuple[tuple[str, Any], ...] = (("event", Event), ("funding", Funding), ("rivalry", Rivalry))
    for kind, table in fact_tables:
        ids = touched.live(kind)
        if not ids:
            continue
        sources = (
            select(Citation.fact_id, func.count(func.distinct(Citation.document_id)).label("sources"))
            .where(Citation.fact_kind == kind, Citation.fact_id.in_(ids))
            .group_by(Citation.fact_id)
            .subquery()
        )
        await conn.execute(
            update(table)
            .where(table.id == sources.c.fact_id)
            .values(source_count=sources.c.sources, updated_at=func.now())
        )
    event_ids = touched.live("event")
    if event_ids:
        await _refresh_events(conn, event_ids)
    if rivalries:
        await recount_rivalries(conn)


async def _refresh_events(conn: AsyncConnection, event_ids: set[str]) -> None:
    reported = (
        select(
            Citation.fact_id,
            func.min(Document.published_on).label("first"),
            func.max(Document.published_on).label("last"),
        )
        .join(Document, Document.id == Citation.document_id)
        .where(Citation.fact_kind == "event", Citation.fact_id.in_(event_ids))
        .group_by(Citation.fact_id)
        .subquery()
    )
    await conn.execute(
        update(Event)
        .where(Event.id == reported.c.fact_id)
        .values(first_reported_on=reported.c.first, last_reported_on=reported.c.last)
    )
    await _refresh_conflicts(conn, event_ids)


async def _refresh_conflicts(conn: AsyncConnection, event_ids: set[str]) -> None:
    """Rebuild ``conflicts`` of these events from their claim citations (field/value)."""
    claims = await conn.execute(
        select(*Citation.__table__.columns)
        .where(Citation.fact_kind == "event", Citation.fact_id.in_(event_ids), Citation.field.is_not(None))
        .order_by(Citation.fact_id, Citation.field, Citation.document_id, Citation.start)
    )
    updates = _conflicts((row._mapping for row in claims), event_ids)
    if not updates:
        return
    await conn.execute(
        update(Event).where(Event.id == bindparam("event_id")).values(conflicts=bindparam("conflicts")),
        [{"event_id": event_id, "conflicts": conflicts} for event_id, conflicts in updates.items()],
    )


# Event counts and date ranges of the rivalries queued loads and retractions may have changed
# (:class:`RivalryRecount`), consuming the queue: those a document asserted, those whose two
# parties take part together in a queued event, those of a person who runs an organisation taking
# part in one (a side includes the organisations its person runs), and those of a queued party (a
# retraction: the events it deleted are gone). Each counts the events ``rivalry_event_ids`` gives
# it (migration a7d3e9f1b2c4), so a batch recounts the few rivalries its events concern, not every
# rivalry of every company it mentions. Rivalries whose counts did not change are not rewritten.
_REFRESH_RIVALRIES = sql_text(
    """
    WITH queued AS (
        DELETE FROM rivalry_recounts RETURNING kind, id
    ), touched AS (
        SELECT p.event_id, p.kind || ':' || coalesce(p.organisation_id, p.person_id) AS party
        FROM event_participants AS p
        WHERE p.event_id IN (SELECT id FROM queued WHERE kind = 'event')
    ), together AS (
        SELECT DISTINCT x.party AS a, y.party AS b
        FROM touched AS x JOIN touched AS y ON y.event_id = x.event_id AND y.party <> x.party
    ), keyed AS (
        SELECT id, party_a_organisation_id, party_a_person_id, party_b_organisation_id, party_b_person_id,
               party_a_kind || ':' || coalesce(party_a_organisation_id, party_a_person_id) AS a,
               party_b_kind || ':' || coalesce(party_b_organisation_id, party_b_person_id) AS b
        FROM rivalries
    ), scope AS (
        SELECT r.* FROM keyed AS r WHERE r.id IN (SELECT id FROM queued WHERE kind = 'rivalry')
        UNION
        SELECT r.* FROM keyed AS r JOIN together AS t ON t.a = r.a AND t.b = r.b
        UNION
        -- a person's side includes the organisations they run (rivalry_side)
        SELECT r.* FROM keyed AS r
        JOIN person_roles AS pr ON pr.person_id IN (r.party_a_person_id, r.party_b_person_id)
        WHERE 'organisation:' || pr.organisation_id IN (SELECT party FROM touched)
        UNION
        SELECT r.* FROM keyed AS r
        JOIN queued AS q ON q.kind IN ('organisation', 'person') AND q.kind || ':' || q.id IN (r.a, r.b)
    ), counted AS (
        SELECT s.id, c.n, c.first, c.last
        FROM scope AS s
        CROSS JOIN LATERAL (
            SELECT count(*) AS n, min(e.occurred_on) AS first, max(e.occurred_on) AS last
            FROM rivalry_event_ids(s.id) AS x (event_id) JOIN events AS e ON e.id = x.event_id
        ) AS c
    )
    UPDATE rivalries AS r
    SET event_count = c.n, first_event_on = c.first, last_event_on = c.last
    FROM counted AS c
    WHERE r.id = c.id
      AND (r.event_count, r.first_event_on, r.last_event_on) IS DISTINCT FROM (c.n, c.first, c.last)
    """
)


async def recount_rivalries(conn: AsyncConnection) -> None:
    """Recount the rivalries every queued load or retraction may have changed (all of them, the
    ones of loads a killed seed committed included), in the caller's transaction."""
    await conn.execute(_LOCK, {"id": LOAD_LOCK_ID})
    await conn.execute(_REFRESH_RIVALRIES)


async def _log_changes(conn: AsyncConnection, touched: _Touched) -> None:
    rows = [{"kind": kind, "entity_id": fact_id, "op": op} for kind, fact_id, op in _changes(touched)]
    if rows:
        await conn.execute(insert(Change), rows)


# The participants and payers the document named that no other stored document names.
_UNNAMED_PARTIES = [
    sql_text(
        f"""
        DELETE FROM {parties} AS p
        USING {sources} AS s
        WHERE s.{column} = p.id AND s.document_id = :document_id
          AND NOT EXISTS (
              SELECT FROM {sources} AS o WHERE o.{column} = p.id AND o.document_id <> :document_id
          )
        RETURNING p.kind, coalesce(p.organisation_id, p.person_id)
        """  # noqa: S608 - constant names only
    )
    for parties, sources, column, _ in PARTY_SOURCES
]

_FACT_TABLES: dict[str, Any] = {
    "organisation": Organisation,
    "person": Person,
    "event": Event,
    "funding": Funding,
    "rivalry": Rivalry,
    "relationship": Relationship,
}


async def _retract(conn: AsyncConnection, doc_id: str, touched: _Touched) -> None:
    """Remove this document's citations; delete facts no other document supports."""
    cited = await conn.execute(
        delete(Citation).where(Citation.document_id == doc_id).returning(Citation.fact_kind, Citation.fact_id)
    )
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, fact_id in cited:
        by_kind[kind].add(fact_id)
    if by_kind.get("event"):
        participants = await conn.execute(
            select(
                EventParticipant.kind, func.coalesce(EventParticipant.organisation_id, EventParticipant.person_id)
            ).where(EventParticipant.event_id.in_(by_kind["event"]))
        )
        queued = [{"kind": kind, "id": entity_id} for kind, entity_id in participants]
        if queued:
            await conn.execute(pg_insert(RivalryRecount).values(queued).on_conflict_do_nothing())
    # Parties only this document named leave the events and funding other documents still
    # support; their entities are then weighed like the ones it cited.
    for statement in _UNNAMED_PARTIES:
        for kind, entity_id in await conn.execute(statement, {"document_id": doc_id}):
            by_kind[kind].add(entity_id)
    # Events and funding before entities: their participants reference entities.
    for kind in ("rivalry", "relationship", "funding", "event", "person", "organisation"):
        ids = by_kind.get(kind, set())
        if not ids:
            continue
        still = {
            r[0]
            for r in await conn.execute(
                select(Citation.fact_id).where(Citation.fact_kind == kind, Citation.fact_id.in_(ids)).distinct()
            )
        }
        gone = ids - still
        if kind in ("organisation", "person"):
            gone -= await _still_referenced(conn, kind, gone)
        table = _FACT_TABLES[kind]
        if gone:
            await conn.execute(delete(table).where(table.id.in_(gone)))
            touched.deleted[kind] |= gone
        for fact_id in ids - gone:
            touched.touch(kind, fact_id, created=False)


async def _still_referenced(conn: AsyncConnection, kind: str, ids: set[str]) -> set[str]:
    """Entities another fact still points at (kept, with no citation of their own left)."""
    if not ids:
        return set()
    if kind == "organisation":
        queries = [
            select(EventParticipant.organisation_id).where(EventParticipant.organisation_id.in_(ids)),
            select(FundingPayer.organisation_id).where(FundingPayer.organisation_id.in_(ids)),
            select(Funding.recipient_organisation_id).where(Funding.recipient_organisation_id.in_(ids)),
        ]
    else:
        queries = [
            select(EventParticipant.person_id).where(EventParticipant.person_id.in_(ids)),
            select(FundingPayer.person_id).where(FundingPayer.person_id.in_(ids)),
            select(Funding.recipient_person_id).where(Funding.recipient_person_id.in_(ids)),
        ]
    found: set[str] = set()
    for query in queries:
        found |= {r[0] for r in await conn.execute(query) if r[0] is not None}
    return found


async def retract_document(conn: AsyncConnection, doc_id: str) -> bool:
    """Delete a document and everything only it supported, in the caller's transaction."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOAD_LOCK_ID})
    exists = await conn.scalar(select(Document.id).where(Document.id == doc_id))
    if exists is None:
        return False
    touched = _Touched()
    await _retract(conn, doc_id, touched)
    await conn.execute(delete(Document).where(Document.id == doc_id))
    touched.deleted["document"].add(doc_id)
    await _refresh(conn, touched)
    await _log_changes(conn, touched)
    return True
