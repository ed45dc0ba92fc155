"""Load one document's extraction into PostgreSQL in one transaction — the only stage that writes.

Ids are stable: documents are UUIDv5 of their sha256, entities are slugs, events UUIDv5 of a
cluster key, funding UUIDv5 of its natural key, rivalries the two sorted slugs joined by ``--``.
An event reported by several documents is matched to the existing one (:func:`_match_event`) and
gains citations instead of being created twice; values the sources disagree on are kept side by
side in ``conflicts``. Retraction (:func:`retract_document`) is the exact inverse.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.ingest.facts import EntityRef, EventFact, Extraction, Span
from service.ingest.source import SourceFile, text_sha256
from service.models import (
    Change,
    Citation,
    Document,
    Event,
    EventParticipant,
    Funding,
    FundingPayer,
    Organisation,
    OrganisationAlias,
    Person,
    PersonAlias,
    PersonRole,
    Relationship,
    Rivalry,
)

NAMESPACE = uuid.UUID("6f1d5a8e-3c1b-5e0a-9f8e-2b7c4d6a9e10")
CONTEXT_CHARS = 32
# Every load and retraction takes this lock: clustering reads then writes shared facts.
LOAD_LOCK_ID = 0x52495642

# Event types that describe the same kind of deal; reports often disagree on which applies.
TYPE_FAMILIES: dict[str, str] = {
    "investment": "deal",
    "acquisition": "deal",
    "bid": "deal",
    "partnership": "deal",
    "joint_venture": "deal",
    "commitment": "deal",
    "contract": "deal",
    "funding_round": "funding_round",
    "lawsuit": "lawsuit",
    "product_launch": "product_launch",
    "founding": "founding",
    "statement": "statement",
    "other": "other",
}


def stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def document_id(sha256: str) -> str:
    return stable_id("document", sha256)


def rivalry_id(a: EntityRef, b: EntityRef) -> str:
    first, second = sorted((a.slug, b.slug))
    return f"{first}--{second}"


@dataclass
class LoadOutcome:
    document_id: str
    status: str  # created | updated | unchanged
    facts: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    corroborated: dict[str, list[str]] = field(default_factory=dict)
    # What rivalry counts this load may have changed (for a deferred refresh_rivalries).
    entities: set[tuple[str, str]] = field(default_factory=set)
    rivalries: set[str] = field(default_factory=set)


@dataclass
class _Touched:
    """Facts a load or retraction changed, to recount and to write to the change log."""

    created: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    updated: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (kind, id) of entities taking part in touched events: their rivalries' timelines may change.
    entities: set[tuple[str, str]] = field(default_factory=set)

    def touch(self, kind: str, fact_id: str, created: bool) -> None:
        if created:
            self.created[kind].add(fact_id)
        elif fact_id not in self.created[kind]:
            self.updated[kind].add(fact_id)

    def live(self, kind: str) -> set[str]:
        return (self.created[kind] | self.updated[kind]) - self.deleted[kind]


async def unchanged_sha256s(engine: AsyncEngine, shas: Sequence[str], pipeline_version: str) -> set[str]:
    """Which of these texts are already loaded by this pipeline version (nothing to do for them)."""
    if not shas:
        return set()
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Document.sha256).where(Document.sha256.in_(shas), Document.pipeline_version == pipeline_version)
        )
        return {r[0] for r in rows}


async def load_document(
    engine: AsyncEngine,
    source: SourceFile,
    extraction: Extraction,
    pipeline_version: str,
    *,
    refresh_rivalries: bool = True,
) -> LoadOutcome:
    async with engine.begin() as conn:
        # A seed is idempotent and re-runnable: not waiting for each commit's WAL flush is safe (a
        # crash loses at most the last few documents, which the next run loads again).
        await conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        return await load_document_in(
            conn, source.text, source.path.name, extraction, pipeline_version, refresh_rivalries=refresh_rivalries
        )


async def load_document_in(
    conn: AsyncConnection,
    text_: str,
    file: str | None,
    extraction: Extraction,
    pipeline_version: str,
    *,
    refresh_rivalries: bool = True,
) -> LoadOutcome:
    """Load within the caller's transaction (the seed command and ``POST /documents`` both use it).

    Counters move by this document's contribution (constant work per document, whatever the size
    of the database). ``refresh_rivalries=False`` leaves rivalry event counts to the caller, which
    then calls :func:`refresh_rivalries` once for many documents (``rivalry seed`` does, per batch).
    """
    await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOAD_LOCK_ID})
    sha = text_sha256(text_)
    doc_id = document_id(sha)
    existing = (
        await conn.execute(select(Document.id, Document.pipeline_version).where(Document.sha256 == sha))
    ).first()
    touched = _Touched()
    if existing is not None and existing.pipeline_version == pipeline_version:
        return LoadOutcome(document_id=existing.id, status="unchanged")
    values: dict[str, Any] = {
        "file": file,
        "title": extraction.title,
        "publisher": extraction.publisher,
        "author": extraction.author,
        "url": extraction.url,
        "language": extraction.language,
        "published_on": extraction.published_on,
        "char_count": len(text_),
        "segments": [msgspec.to_builtins(s) for s in extraction.segments],
        "pipeline_version": pipeline_version,
    }
    if existing is not None:
        # A new pipeline version: withdraw what the old extraction stated, then load afresh.
        await _retract(conn, existing.id, touched)
        await _refresh(conn, touched, rivalries=False)
        await conn.execute(update(Document).where(Document.id == existing.id).values(**values, updated_at=func.now()))
        status = "updated"
    else:
        await conn.execute(insert(Document).values(id=doc_id, sha256=sha, text=text_, **values))
        status = "created"
    touched.touch("document", doc_id, created=status == "created")

    loader = _DocumentLoader(conn, doc_id, text_, extraction, touched)
    await loader.load()
    await _add_contribution(conn, loader, extraction.published_on)
    if refresh_rivalries:
        await _refresh_rivalries(conn, touched)
    await _log_changes(conn, touched)
    counts = {
        "organisations": len({e.slug for e in extraction.entities if e.kind == "organisation"}),
        "people": len({e.slug for e in extraction.entities if e.kind == "person"}),
        "events": len(set(loader.event_ids)),
        "funding": len(set(loader.funding_ids)),
    }
    await conn.execute(update(Document).where(Document.id == doc_id).values(fact_counts=counts))
    facts = dict(counts, rivalries=len(loader.rivalry_ids), relationships=len(extraction.relationships))
    created = {k: sorted(v) for k, v in touched.created.items() if k != "document" and v}
    corroborated = {k: sorted(v) for k, v in touched.updated.items() if k != "document" and v}
    return LoadOutcome(
        document_id=doc_id,
        status=status,
        facts=facts,
        created=created,
        corroborated=corroborated,
        entities=set(touched.entities),
        rivalries=touched.live("rivalry"),
    )


class _DocumentLoader:
    """Writes one extraction with a bounded number of statements: batched upserts (``executemany``),
    one matching query per event, and every citation in a single insert at the end."""

    def __init__(
        self, conn: AsyncConnection, doc_id: str, text_: str, extraction: Extraction, touched: _Touched
    ) -> None:
        self.conn = conn
        self.doc_id = doc_id
        self.text = text_
        self.x = extraction
        self.touched = touched
        self.event_ids: list[str] = []
        self.funding_ids: list[str] = []
        self.rivalry_ids: list[str] = []
        self.known: set[tuple[str, str]] = set()
        self.citations: list[dict[str, Any]] = []

    async def load(self) -> None:
        await self._entities()
        for event in self.x.events:
            self.event_ids.append(await self._event(event))
        await self._fundings()
        await self._rivalries()
        await self._relationships()
        if self.citations:
            await self.conn.execute(pg_insert(Citation).on_conflict_do_nothing(), self.citations)

    def _exists(self, ref: EntityRef) -> bool:
        return (ref.kind, ref.slug) in self.known

    def _cite(self, fact_kind: str, fact_id: str, spans: Iterable[Span]) -> None:
        for span in spans:
            quote = self.text[span.start : span.end]
            if not quote or span.start < 0 or span.end > len(self.text):
                continue
            self.citations.append(
                {
                    "fact_kind": fact_kind,
                    "fact_id": fact_id,
                    "document_id": self.doc_id,
                    "start": span.start,
                    "end": span.end,
                    "quote": quote,
                    "prefix": self.text[max(0, span.start - CONTEXT_CHARS) : span.start],
                    "suffix": self.text[span.end : span.end + CONTEXT_CHARS],
                    "extractor": span.extractor,
                    "confidence": round(min(max(span.confidence, 0.0), 1.0), 3),
                    "field": span.field,
                    "value": span.value,
                }
            )

    async def _existing(self, table: Any, ids: Sequence[str], column: Any = None) -> set[str]:
        column = column if column is not None else table.id
        if not ids:
            return set()
        return set(await self.conn.scalars(select(column).where(column.in_(ids))))

    async def _entities(self) -> None:
        groups: tuple[tuple[str, Any, Any, str], ...] = (
            ("organisation", Organisation, OrganisationAlias, "organisation_id"),
            ("person", Person, PersonAlias, "person_id"),
        )
        for kind, table, alias_table, owner in groups:
            facts = [e for e in self.x.entities if e.kind == kind]
            if not facts:
                continue
            before = await self._existing(table, [e.slug for e in facts])
            rows = [
                {
                    "id": e.slug,
                    "name": e.name,
                    "in_gazetteer": e.in_gazetteer,
                    **(
                        {"kind": e.org_kind or "other", "country": e.country, "description": e.description}
                        if kind == "organisation"
                        else {}
                    ),
                }
                for e in facts
            ]
            base = pg_insert(table)
            # Curated gazetteer data wins over what an earlier NER guess stored; NER never overwrites.
            stmt = base.on_conflict_do_update(
                index_elements=["id"],
                set_={**{k: base.excluded[k] for k in rows[0] if k != "id"}, "updated_at": func.now()},
                where=base.excluded.in_gazetteer,
            )
            await self.conn.execute(stmt, rows)
            aliases = [
                {owner: e.slug, "alias": alias, "is_name": alias == e.name}
                for e in facts
                for alias in dict.fromkeys([e.name, *e.aliases])
                if alias
            ]
            await self.conn.execute(pg_insert(alias_table).on_conflict_do_nothing(), aliases)
            for e in facts:
                self.known.add((kind, e.slug))
                self._cite(kind, e.slug, e.spans)
                self.touched.touch(kind, e.slug, e.slug not in before)
        roles = [(e.slug, r) for e in self.x.entities if e.kind == "person" for r in e.roles]
        if roles:
            orgs = await self._existing(Organisation, sorted({r.organisation for _, r in roles if r.organisation}))
            rows = [
                {"person_id": slug, "organisation_id": r.organisation, "title": r.title}
                for slug, r in roles
                if r.organisation is None or r.organisation in orgs
            ]
            if rows:
                await self.conn.execute(pg_insert(PersonRole).on_conflict_do_nothing(), rows)

    async def _event(self, event: EventFact) -> str:
        participants = [p for p in event.participants if self._exists(p.ref)]
        refs: set[tuple[str, str]] = {(p.ref.kind, p.ref.slug) for p in participants}
        match = await _match_event(self.conn, event, refs)
        if match is None:
            key = _cluster_key(event, refs)
            event_id = stable_id("event", key)
            stmt = (
                pg_insert(Event)
                .values(
                    id=event_id,
                    cluster_key=key,
                    type=event.type,
                    title=event.title,
                    summary=event.summary,
                    status=event.status,
                    occurred_on=event.occurred_on,
                    date_precision=event.date_precision,
                    date_text=event.date_text,
                    reported_on=event.reported_on,
                )
                .on_conflict_do_nothing()
                .returning(Event.id)
            )
            created = (await self.conn.execute(stmt)).first() is not None
        else:
            event_id, created = match, False
            await self.conn.execute(_MERGE_EVENT, _merge_params(event_id, event))
        if participants:
            await self.conn.execute(
                pg_insert(EventParticipant).on_conflict_do_nothing(),
                [
                    {
                        "event_id": event_id,
                        "kind": p.ref.kind,
                        "role": p.role,
                        "organisation_id": p.ref.slug if p.ref.kind == "organisation" else None,
                        "person_id": p.ref.slug if p.ref.kind == "person" else None,
                    }
                    for p in participants
                ],
            )
        self._cite("event", event_id, [*event.spans, *(span for _, span in event.claims.values())])
        self.touched.touch("event", event_id, created)
        self.touched.entities |= refs
        return event_id

    async def _fundings(self) -> None:
        rows: list[dict[str, Any]] = []
        payers: list[dict[str, Any]] = []
        for funding in self.x.funding:
            recipient = funding.recipient if funding.recipient and self._exists(funding.recipient) else None
            key = "|".join(
                [
                    funding.kind,
                    f"{funding.amount:.0f}" if funding.amount is not None else f"?{funding.amount_text.casefold()}",
                    funding.currency or "",
                    funding.qualifier,
                    f"{recipient.kind}:{recipient.slug}" if recipient else "",
                ]
            )
            funding_id = stable_id("funding", key)
            self.funding_ids.append(funding_id)
            rows.append(
                {
                    "id": funding_id,
                    "natural_key": key,
                    "kind": funding.kind,
                    "amount": _decimal(funding.amount),
                    "currency": funding.currency,
                    "qualifier": funding.qualifier,
                    "amount_usd": _decimal(funding.amount_usd),
                    "fx_rate_on": funding.fx_rate_on,
                    "equivalents": [msgspec.to_builtins(e) for e in funding.equivalents],
                    "amount_text": funding.amount_text,
                    "recipient_kind": recipient.kind if recipient else None,
                    "recipient_organisation_id": recipient.slug
                    if recipient and recipient.kind == "organisation"
                    else None,
                    "recipient_person_id": recipient.slug if recipient and recipient.kind == "person" else None,
                    "event_id": self.event_ids[funding.event_index] if funding.event_index is not None else None,
                    "occurred_on": funding.occurred_on,
                    "date_precision": funding.date_precision,
                    "status": funding.status,
                }
            )
            payers += [
                {
                    "funding_id": funding_id,
                    "kind": p.kind,
                    "organisation_id": p.slug if p.kind == "organisation" else None,
                    "person_id": p.slug if p.kind == "person" else None,
                }
                for p in funding.payers
                if self._exists(p)
            ]
            self._cite("funding", funding_id, funding.spans)
        if not rows:
            return
        # The same amount twice in one document (title and body) is one fact, loaded once, keeping
        # any conversion either mention gives.
        merged: dict[str, dict[str, Any]] = {}
        for row in rows:
            kept = merged.setdefault(row["id"], row)
            for equivalent in row["equivalents"]:
                if equivalent not in kept["equivalents"]:
                    kept["equivalents"] = [*kept["equivalents"], equivalent]
        unique = list(merged.values())
        before = await self._existing(Funding, [r["id"] for r in unique])
        base = pg_insert(Funding)
        stmt = base.on_conflict_do_update(
            index_elements=["natural_key"],
            set_={
                "event_id": func.coalesce(Funding.event_id, base.excluded.event_id),
                "equivalents": func.coalesce(
                    func.nullif(Funding.equivalents, sql_text("'[]'::jsonb")), base.excluded.equivalents
                ),
                "occurred_on": func.coalesce(Funding.occurred_on, base.excluded.occurred_on),
                "date_precision": func.coalesce(Funding.date_precision, base.excluded.date_precision),
                "updated_at": func.now(),
            },
        )
        await self.conn.execute(stmt, unique)
        if payers:
            await self.conn.execute(pg_insert(FundingPayer).on_conflict_do_nothing(), payers)
        for row in unique:
            self.touched.touch("funding", row["id"], row["id"] not in before)

    async def _rivalries(self) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for rivalry in self.x.rivalries:
            if not all(self._exists(p) for p in rivalry.parties):
                continue
            a, b = sorted(rivalry.parties, key=lambda r: r.slug)
            rid = rivalry_id(a, b)
            rows.setdefault(
                rid,
                {
                    "id": rid,
                    "party_a_kind": a.kind,
                    "party_a_organisation_id": a.slug if a.kind == "organisation" else None,
                    "party_a_person_id": a.slug if a.kind == "person" else None,
                    "party_b_kind": b.kind,
                    "party_b_organisation_id": b.slug if b.kind == "organisation" else None,
                    "party_b_person_id": b.slug if b.kind == "person" else None,
                    "summary": self.text[rivalry.spans[0].start : rivalry.spans[0].end].strip()[:500]
                    if rivalry.spans
                    else None,
                },
            )
            self._cite("rivalry", rid, rivalry.spans)
        if not rows:
            return
        before = await self._existing(Rivalry, list(rows))
        await self.conn.execute(pg_insert(Rivalry).on_conflict_do_nothing(), list(rows.values()))
        for rid in rows:
            self.rivalry_ids.append(rid)
            self.touched.touch("rivalry", rid, rid not in before)

    async def _relationships(self) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for rel in self.x.relationships:
            if not (
                self._exists(EntityRef("organisation", rel.organisation))
                and self._exists(EntityRef("organisation", rel.other_organisation))
            ):
                continue
            rel_id = stable_id("relationship", f"{rel.type}|{rel.organisation}|{rel.other_organisation}")
            rows.setdefault(
                rel_id,
                {
                    "id": rel_id,
                    "type": rel.type,
                    "organisation_id": rel.organisation,
                    "other_organisation_id": rel.other_organisation,
                },
            )
            self._cite("relationship", rel_id, rel.spans)
        if not rows:
            return
        before = await self._existing(Relationship, list(rows))
        await self.conn.execute(pg_insert(Relationship).on_conflict_do_nothing(), list(rows.values()))
        for rel_id in rows:
            self.touched.touch("relationship", rel_id, rel_id not in before)


# A later report of a known event fills what the first left unknown and never overwrites it, with
# two exceptions: a more specific type of the same family (a "partnership" later reported as an
# "acquisition") and a status further along (talks "paused", a bid "rejected") win.
_MERGE_EVENT = sql_text(
    """
    UPDATE events SET
        type = CASE WHEN array_position(CAST(:type_order AS text[]), CAST(:type AS text))
                         < array_position(CAST(:type_order AS text[]), type) THEN :type ELSE type END,
        status = CASE WHEN array_position(CAST(:status_order AS text[]), CAST(:status AS text))
                           > array_position(CAST(:status_order AS text[]), status) THEN :status ELSE status END,
        date_precision = CASE WHEN occurred_on IS NULL THEN CAST(:date_precision AS varchar) ELSE date_precision END,
        date_text = CASE WHEN occurred_on IS NULL THEN CAST(:date_text AS text) ELSE date_text END,
        occurred_on = coalesce(occurred_on, CAST(:occurred_on AS date)),
        summary = coalesce(summary, CAST(:summary AS text)),
        reported_on = coalesce(reported_on, CAST(:reported_on AS date)),
        updated_at = now()
    WHERE id = :id
    """
)
TYPE_ORDER = [
    "lawsuit", "bid", "acquisition", "funding_round", "joint_venture", "founding", "product_launch",
    "commitment", "investment", "contract", "partnership", "statement", "other",
]  # fmt: skip
STATUS_ORDER = ["rumoured", "reported", "pending", "announced", "completed", "paused", "cancelled", "rejected"]


def _merge_params(event_id: str, event: EventFact) -> dict[str, Any]:
    has_date = event.occurred_on is not None
    return {
        "id": event_id,
        "type": event.type,
        "type_order": TYPE_ORDER,
        "status": event.status,
        "status_order": STATUS_ORDER,
        "occurred_on": event.occurred_on,
        "date_precision": event.date_precision if has_date else None,
        "date_text": event.date_text if has_date else None,
        "summary": event.summary,
        "reported_on": event.reported_on,
    }


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _cluster_key(event: EventFact, refs: set[tuple[str, str]]) -> str:
    people = sorted(slug for kind, slug in refs if kind == "person")
    orgs = sorted(slug for kind, slug in refs if kind == "organisation")
    year = str(event.occurred_on.year) if event.occurred_on else ""
    parts = [TYPE_FAMILIES.get(event.type, event.type), ",".join(orgs), ",".join(people), year]
    if not refs:
        parts.append(event.title.casefold()[:80])
    return "|".join(parts)


_CANDIDATES = sql_text(
    """
    SELECT e.id, e.type, e.status, e.occurred_on, e.date_precision,
           array_agg(p.kind || ':' || coalesce(p.organisation_id, p.person_id)) AS refs
    FROM events e
    JOIN event_participants p ON p.event_id = e.id
    WHERE e.type = ANY(CAST(:types AS text[]))
      AND e.id IN (
          SELECT event_id FROM event_participants
          WHERE organisation_id = ANY(CAST(:orgs AS text[])) OR person_id = ANY(CAST(:people AS text[]))
          GROUP BY event_id HAVING count(*) >= :need
      )
    GROUP BY e.id
    ORDER BY e.id
    """
)


async def _match_event(conn: AsyncConnection, event: EventFact, refs: set[tuple[str, str]]) -> str | None:
    """The existing event this report describes, if any (one query).

    Same family of type, and the same participants (or one report naming a subset of at least
    two of the other's), and no contradiction on the year when both give one. An event with a
    single participant only matches one of the same type and date.
    """
    if not refs:
        return None
    family = [t for t, f in TYPE_FAMILIES.items() if f == TYPE_FAMILIES.get(event.type, event.type)]
    mine = {f"{kind}:{slug}" for kind, slug in refs}
    params = {
        "types": family,
        "orgs": sorted(slug for kind, slug in refs if kind == "organisation"),
        "people": sorted(slug for kind, slug in refs if kind == "person"),
        "need": 2 if len(mine) >= 2 else 1,
    }
    rows = await conn.execute(_CANDIDATES, params)
    best: tuple[int, str] | None = None
    for row in rows:
        theirs = set(row.refs)
        shared = theirs & mine
        smaller = min(len(theirs), len(mine))
        same = theirs == mine
        if not same and not (len(shared) == smaller and smaller >= 2):
            continue
        single = len(mine) == 1
        if single and (row.type != event.type or row.occurred_on is None or row.occurred_on != event.occurred_on):
            # One company alone "investing" in two articles is too little to call it the same event.
            continue
        if event.occurred_on and row.occurred_on and abs(event.occurred_on.year - row.occurred_on.year) > 1:
            continue
        if _distinct_outcomes(event.status, row.status) or _dated_apart(event, row):
            continue
        score = len(shared) * 10 + (5 if same else 0)
        if best is None or score > best[0]:
            best = (score, row.id)
    return best[1] if best else None


_ADD_ENTITY_STATS_SQL = """
    UPDATE {table} AS t
    SET mention_count = t.mention_count + v.n,
        source_count = t.source_count + 1,
        first_seen_on = least(t.first_seen_on, CAST(:published_on AS date)),
        last_seen_on = greatest(t.last_seen_on, CAST(:published_on AS date)),
        updated_at = now()
    FROM (SELECT unnest(CAST(:ids AS text[])) AS id, unnest(CAST(:counts AS integer[])) AS n) AS v
    WHERE t.id = v.id
"""
_ADD_SOURCE_SQL = (
    "UPDATE {table} SET source_count = source_count + 1, updated_at = now() WHERE id = ANY(CAST(:ids AS text[]))"
)
# Built once: one statement object per table keeps SQLAlchemy's compiled-statement cache warm.
_ADD_ENTITY_STATS = {t: sql_text(_ADD_ENTITY_STATS_SQL.format(table=t)) for t in ("organisations", "people")}
_ADD_SOURCE = {t: sql_text(_ADD_SOURCE_SQL.format(table=t)) for t in ("events", "funding", "rivalries")}
_ADD_REPORT = sql_text(
    """
    UPDATE events SET first_reported_on = least(first_reported_on, CAST(:published_on AS date)),
                      last_reported_on = greatest(last_reported_on, CAST(:published_on AS date))
    WHERE id = ANY(CAST(:ids AS text[]))
    """
)


async def _add_contribution(conn: AsyncConnection, loader: _DocumentLoader, published_on: Any) -> None:
    """Add one new document's mentions and sources to the counters of the facts it cites."""
    mentions: dict[tuple[str, str], int] = defaultdict(int)
    for cite in loader.citations:
        mentions[(cite["fact_kind"], cite["fact_id"])] += 1
    for kind, table in (("organisation", "organisations"), ("person", "people")):
        ids = sorted(fact_id for k, fact_id in mentions if k == kind)
        if ids:
            await conn.execute(
                _ADD_ENTITY_STATS[table],
                {"ids": ids, "counts": [mentions[(kind, i)] for i in ids], "published_on": published_on},
            )
    for kind, table in (("event", "events"), ("funding", "funding"), ("rivalry", "rivalries")):
        ids = sorted({fact_id for k, fact_id in mentions if k == kind})
        if ids:
            await conn.execute(_ADD_SOURCE[table], {"ids": ids})
    event_ids = sorted({fact_id for k, fact_id in mentions if k == "event"})
    if event_ids:
        await conn.execute(_ADD_REPORT, {"ids": event_ids, "published_on": published_on})
        await _refresh_conflicts(conn, set(event_ids), only_with_claims=True)


_FINAL = {"rejected", "cancelled"}
# Two reports of one deal dated this far apart (both to the month or day) are two deals.
_SAME_DEAL_WINDOW_DAYS = 92


def _distinct_outcomes(status: str, other: str) -> bool:
    """A completed deal and a rejected or cancelled one are different deals (a bid, then a sale)."""
    return (status == "completed" and other in _FINAL) or (other == "completed" and status in _FINAL)


def _dated_apart(event: EventFact, row: Any) -> bool:
    precise = ("day", "month")
    if event.occurred_on is None or row.occurred_on is None:
        return False
    if event.date_precision not in precise or row.date_precision not in precise:
        return False
    return bool(abs((event.occurred_on - row.occurred_on).days) > _SAME_DEAL_WINDOW_DAYS)


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
        await _refresh_rivalries(conn, touched)


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


async def _refresh_conflicts(conn: AsyncConnection, event_ids: set[str], *, only_with_claims: bool = False) -> None:
    """Rebuild ``conflicts`` of these events from their claim citations (field/value).

    ``only_with_claims``: when loading, an event without any claim has no conflict to change.
    """
    claims = await conn.execute(
        select(*Citation.__table__.columns)
        .where(Citation.fact_kind == "event", Citation.fact_id.in_(event_ids), Citation.field.is_not(None))
        .order_by(Citation.fact_id, Citation.field, Citation.document_id, Citation.start)
    )
    by_event: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(lambda: defaultdict(dict))
    for cite in claims:
        values = by_event[cite.fact_id][cite.field or ""]
        values.setdefault(cite.value or "", []).append(_citation_json(cite))
    updates = [
        {
            "event_id": event_id,
            "conflicts": [
                {"field": name, "values": [{"value": v, "citations": c} for v, c in sorted(values.items())]}
                for name, values in sorted(by_event.get(event_id, {}).items())
                if _disagree(values)
            ],
        }
        for event_id in sorted(event_ids)
        if not only_with_claims or event_id in by_event
    ]
    if not updates:
        return
    await conn.execute(
        update(Event).where(Event.id == bindparam("event_id")).values(conflicts=bindparam("conflicts")), updates
    )


def _disagree(values: dict[str, list[dict[str, Any]]]) -> bool:
    """Several documents state different values, at least one of them a definite one.

    Two relative expressions with no publication date to anchor them ("mardi", "en début
    d'année") cannot be compared, so they are not a disagreement; "2023" against "l'année
    dernière", or "3 décembre" against "4 juin", is.
    """
    documents = {c["document_id"] for cs in values.values() for c in cs}
    definite = [v for v in values if any(ch.isdigit() for ch in v)]
    return len(values) > 1 and len(documents) > 1 and bool(definite)


def _citation_json(cite: Any) -> dict[str, Any]:
    return {
        "document_id": cite.document_id,
        "start": cite.start,
        "end": cite.end,
        "quote": cite.quote,
        "prefix": cite.prefix,
        "suffix": cite.suffix,
        "extractor": cite.extractor,
        "confidence": cite.confidence,
    }


_REFRESH_RIVALRIES = sql_text(
    """
    UPDATE rivalries AS r
    SET event_count = s.n, first_event_on = s.first, last_event_on = s.last
    FROM (
        SELECT rv.id, count(e.id) AS n, min(e.occurred_on) AS first, max(e.occurred_on) AS last
        FROM rivalries rv
        LEFT JOIN LATERAL (
            SELECT a.event_id FROM event_participants a
            WHERE a.organisation_id = rv.party_a_organisation_id OR a.person_id = rv.party_a_person_id
            INTERSECT
            SELECT b.event_id FROM event_participants b
            WHERE b.organisation_id = rv.party_b_organisation_id OR b.person_id = rv.party_b_person_id
        ) AS shared ON true
        LEFT JOIN events e ON e.id = shared.event_id
        WHERE rv.id = ANY(CAST(:ids AS text[]))
           OR rv.party_a_organisation_id = ANY(CAST(:orgs AS text[]))
           OR rv.party_b_organisation_id = ANY(CAST(:orgs AS text[]))
           OR rv.party_a_person_id = ANY(CAST(:people AS text[]))
           OR rv.party_b_person_id = ANY(CAST(:people AS text[]))
        GROUP BY rv.id
    ) AS s
    WHERE r.id = s.id
    """
)


async def refresh_rivalries(conn: AsyncConnection, entities: set[tuple[str, str]], rivalry_ids: set[str]) -> None:
    """Event counts and date ranges of these rivalries and of those any of these entities is party to."""
    touched = _Touched()
    touched.entities |= entities
    touched.created["rivalry"] |= rivalry_ids
    await _refresh_rivalries(conn, touched)


async def _refresh_rivalries(conn: AsyncConnection, touched: _Touched) -> None:
    """Event counts and date ranges of the rivalries a load or retraction may have changed."""
    ids = sorted(touched.live("rivalry"))
    orgs = sorted(slug for kind, slug in touched.entities if kind == "organisation")
    people = sorted(slug for kind, slug in touched.entities if kind == "person")
    if ids or orgs or people:
        await conn.execute(_REFRESH_RIVALRIES, {"ids": ids, "orgs": orgs, "people": people})


async def _log_changes(conn: AsyncConnection, touched: _Touched) -> None:
    rows: list[dict[str, Any]] = []
    for op, groups in (("created", touched.created), ("updated", touched.updated), ("deleted", touched.deleted)):
        for kind, ids in sorted(groups.items()):
            for fact_id in sorted(ids):
                if op != "deleted" and fact_id in touched.deleted[kind]:
                    continue
                rows.append({"kind": kind, "entity_id": fact_id, "op": op})
    if rows:
        await conn.execute(insert(Change), rows)


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
        touched.entities |= {(kind, entity_id) for kind, entity_id in participants}
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


async def reset_all(engine: AsyncEngine) -> None:
    """Delete every document and fact (``rivalry seed --reset``), leaving tombstones in the change log."""
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOAD_LOCK_ID})
        for kind, table in (("document", Document), *_FACT_TABLES.items()):
            await conn.execute(
                insert(Change).from_select(
                    ["kind", "entity_id", "op"],
                    select(text(f"'{kind}'"), table.id, text("'deleted'")),
                )
            )
        await conn.execute(
            text(
                "TRUNCATE documents, citations, events, event_participants, funding, funding_payers, rivalries,"
                " relationships, person_roles, person_aliases, people, organisation_aliases, organisations,"
                " entity_redirects"
            )
        )


__all__ = ["LoadOutcome", "document_id", "load_document", "load_document_in", "reset_all", "retract_document"]
