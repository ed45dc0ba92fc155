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
from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.ingest.facts import EntityFact, EntityRef, EventFact, Extraction, FundingFact, Span
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


# Most specific first, as the trigger lexicons are ordered.
TYPE_SPECIFICITY = {
    t: i
    for i, t in enumerate(
        ("lawsuit", "bid", "acquisition", "funding_round", "joint_venture", "founding", "product_launch",
         "commitment", "investment", "contract", "partnership", "statement", "other")
    )
}  # fmt: skip
# How far along a reported status is: a later, firmer report replaces an earlier, vaguer one.
STATUS_WEIGHT = {
    "rumoured": 1, "reported": 2, "pending": 3, "announced": 4, "completed": 5,
    "paused": 6, "cancelled": 7, "rejected": 7,
}  # fmt: skip


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


@dataclass
class _Touched:
    """Facts a load or retraction changed, to recount and to write to the change log."""

    created: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    updated: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

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
    engine: AsyncEngine, source: SourceFile, extraction: Extraction, pipeline_version: str
) -> LoadOutcome:
    async with engine.begin() as conn:
        return await load_document_in(conn, source.text, source.path.name, extraction, pipeline_version)


async def load_document_in(
    conn: AsyncConnection, text_: str, file: str | None, extraction: Extraction, pipeline_version: str
) -> LoadOutcome:
    """Load within the caller's transaction (the seed command and ``POST /documents`` both use it)."""
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
        await _retract(conn, existing.id, touched)
        await conn.execute(update(Document).where(Document.id == existing.id).values(**values, updated_at=func.now()))
        status = "updated"
    else:
        await conn.execute(insert(Document).values(id=doc_id, sha256=sha, text=text_, **values))
        status = "created"
    touched.touch("document", doc_id, created=status == "created")

    loader = _DocumentLoader(conn, doc_id, text_, extraction, touched)
    await loader.load()
    await _refresh(conn, touched)
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
    return LoadOutcome(document_id=doc_id, status=status, facts=facts, created=created, corroborated=corroborated)


class _DocumentLoader:
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

    async def load(self) -> None:
        for entity in self.x.entities:
            await self._entity(entity)
        for event in self.x.events:
            self.event_ids.append(await self._event(event))
        for funding in self.x.funding:
            self.funding_ids.append(await self._funding(funding))
        for rivalry in self.x.rivalries:
            if all(self._exists(p) for p in rivalry.parties):
                self.rivalry_ids.append(await self._rivalry(rivalry.parties, rivalry.spans))
        for rel in self.x.relationships:
            await self._relationship(rel.type, rel.organisation, rel.other_organisation, rel.spans)

    def _exists(self, ref: EntityRef) -> bool:
        return (ref.kind, ref.slug) in self.known

    async def _cite(self, fact_kind: str, fact_id: str, spans: Iterable[Span]) -> None:
        rows = []
        for span in spans:
            quote = self.text[span.start : span.end]
            if not quote or span.start < 0 or span.end > len(self.text):
                continue
            rows.append(
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
        if rows:
            await self.conn.execute(pg_insert(Citation).values(rows).on_conflict_do_nothing())

    async def _entity(self, entity: EntityFact) -> None:
        if entity.kind == "organisation":
            table: Any = Organisation
            values: dict[str, Any] = {
                "id": entity.slug,
                "name": entity.name,
                "kind": entity.org_kind or "other",
                "country": entity.country,
                "description": entity.description,
                "in_gazetteer": entity.in_gazetteer,
            }
        else:
            table = Person
            values = {"id": entity.slug, "name": entity.name, "in_gazetteer": entity.in_gazetteer}
        base = pg_insert(table).values(**values)
        # Curated gazetteer data wins over what an earlier NER guess stored; NER never overwrites.
        refresh = {k: base.excluded[k] for k in values if k != "id"}
        stmt = base.on_conflict_do_update(
            index_elements=["id"],
            set_={**refresh, "updated_at": func.now()},
            where=base.excluded.in_gazetteer,
        ).returning(table.id, text("(xmax = 0) AS inserted"))
        row = (await self.conn.execute(stmt)).first()
        created = bool(row.inserted) if row is not None else False
        self.known.add((entity.kind, entity.slug))
        alias_table: Any = OrganisationAlias if entity.kind == "organisation" else PersonAlias
        owner = "organisation_id" if entity.kind == "organisation" else "person_id"
        names = {entity.name: True} | {a: False for a in entity.aliases if a and a != entity.name}
        await self.conn.execute(
            pg_insert(alias_table)
            .values([{owner: entity.slug, "alias": a, "is_name": is_name} for a, is_name in names.items()])
            .on_conflict_do_nothing()
        )
        if entity.kind == "person":
            for role in entity.roles:
                if role.organisation is not None:
                    present = await self.conn.scalar(
                        select(Organisation.id).where(Organisation.id == role.organisation)
                    )
                    if present is None:
                        continue
                await self.conn.execute(
                    pg_insert(PersonRole)
                    .values(person_id=entity.slug, organisation_id=role.organisation, title=role.title)
                    .on_conflict_do_nothing()
                )
        await self._cite(entity.kind, entity.slug, entity.spans)
        self.touched.touch(entity.kind, entity.slug, created)

    async def _event(self, event: EventFact) -> str:
        participants = [p for p in event.participants if self._exists(p.ref)]
        refs: set[tuple[str, str]] = {(p.ref.kind, p.ref.slug) for p in participants}
        match = await _match_event(self.conn, event, refs)
        if match is None:
            event_id = stable_id("event", _cluster_key(event, refs))
            stmt = (
                pg_insert(Event)
                .values(
                    id=event_id,
                    cluster_key=_cluster_key(event, refs),
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
            await self._merge_event(event_id, event)
        for p in participants:
            column = "organisation_id" if p.ref.kind == "organisation" else "person_id"
            await self.conn.execute(
                pg_insert(EventParticipant)
                .values(event_id=event_id, kind=p.ref.kind, role=p.role, **{column: p.ref.slug})
                .on_conflict_do_nothing()
            )
        spans = list(event.spans) + [span for _, span in event.claims.values()]
        await self._cite("event", event_id, spans)
        self.touched.touch("event", event_id, created)
        return event_id

    async def _merge_event(self, event_id: str, event: EventFact) -> None:
        """A later report of a known event fills what the first one left unknown; it never overwrites.

        Two exceptions: a more specific type of the same family (a "partnership" later reported as
        an "acquisition") and a status further along (talks "paused", a bid "rejected") win.
        """
        current = (
            await self.conn.execute(
                select(Event.type, Event.status, Event.occurred_on, Event.summary, Event.reported_on).where(
                    Event.id == event_id
                )
            )
        ).one()
        values: dict[str, Any] = {}
        if TYPE_SPECIFICITY.get(event.type, 99) < TYPE_SPECIFICITY.get(current.type, 99):
            values["type"] = event.type
        if STATUS_WEIGHT.get(event.status, 0) > STATUS_WEIGHT.get(current.status, 0):
            values["status"] = event.status
        if current.occurred_on is None and event.occurred_on is not None:
            values.update(occurred_on=event.occurred_on, date_precision=event.date_precision, date_text=event.date_text)
        if current.summary is None and event.summary:
            values["summary"] = event.summary
        if current.reported_on is None and event.reported_on is not None:
            values["reported_on"] = event.reported_on
        if values:
            await self.conn.execute(update(Event).where(Event.id == event_id).values(**values))

    async def _funding(self, funding: FundingFact) -> str:
        recipient = funding.recipient if funding.recipient and self._exists(funding.recipient) else None
        payers = [p for p in funding.payers if self._exists(p)]
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
        event_id = self.event_ids[funding.event_index] if funding.event_index is not None else None
        values: dict[str, Any] = {
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
            "recipient_organisation_id": recipient.slug if recipient and recipient.kind == "organisation" else None,
            "recipient_person_id": recipient.slug if recipient and recipient.kind == "person" else None,
            "event_id": event_id,
            "occurred_on": funding.occurred_on,
            "date_precision": funding.date_precision,
            "status": funding.status,
        }
        insert_funding = pg_insert(Funding).values(**values)
        upsert = insert_funding.on_conflict_do_update(
            index_elements=["natural_key"],
            set_={
                "event_id": func.coalesce(Funding.event_id, insert_funding.excluded.event_id),
                "equivalents": func.coalesce(
                    func.nullif(Funding.equivalents, text("'[]'::jsonb")), insert_funding.excluded.equivalents
                ),
                "occurred_on": func.coalesce(Funding.occurred_on, insert_funding.excluded.occurred_on),
                "date_precision": func.coalesce(Funding.date_precision, insert_funding.excluded.date_precision),
                "updated_at": func.now(),
            },
        ).returning(text("(xmax = 0) AS inserted"))
        created = bool((await self.conn.execute(upsert)).scalar_one())
        for payer in payers:
            column = "organisation_id" if payer.kind == "organisation" else "person_id"
            await self.conn.execute(
                pg_insert(FundingPayer)
                .values(funding_id=funding_id, kind=payer.kind, **{column: payer.slug})
                .on_conflict_do_nothing()
            )
        await self._cite("funding", funding_id, funding.spans)
        self.touched.touch("funding", funding_id, created)
        return funding_id

    async def _rivalry(self, parties: tuple[EntityRef, EntityRef], spans: Sequence[Span]) -> str:
        a, b = sorted(parties, key=lambda r: r.slug)
        rid = rivalry_id(a, b)
        values: dict[str, Any] = {
            "id": rid,
            "party_a_kind": a.kind,
            "party_a_organisation_id": a.slug if a.kind == "organisation" else None,
            "party_a_person_id": a.slug if a.kind == "person" else None,
            "party_b_kind": b.kind,
            "party_b_organisation_id": b.slug if b.kind == "organisation" else None,
            "party_b_person_id": b.slug if b.kind == "person" else None,
        }
        stmt = pg_insert(Rivalry).values(**values).on_conflict_do_nothing().returning(Rivalry.id)
        created = (await self.conn.execute(stmt)).first() is not None
        await self._cite("rivalry", rid, spans)
        self.touched.touch("rivalry", rid, created)
        return rid

    async def _relationship(self, type_: str, org: str, other: str, spans: Sequence[Span]) -> None:
        if not (self._exists(EntityRef("organisation", org)) and self._exists(EntityRef("organisation", other))):
            return
        rel_id = stable_id("relationship", f"{type_}|{org}|{other}")
        stmt = (
            pg_insert(Relationship)
            .values(id=rel_id, type=type_, organisation_id=org, other_organisation_id=other)
            .on_conflict_do_nothing()
            .returning(Relationship.id)
        )
        created = (await self.conn.execute(stmt)).first() is not None
        await self._cite("relationship", rel_id, spans)
        self.touched.touch("relationship", rel_id, created)


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


async def _match_event(conn: AsyncConnection, event: EventFact, refs: set[tuple[str, str]]) -> str | None:
    """The existing event this report describes, if any.

    Same family of type, and the same participants (or one report naming a subset of at least
    two of the other's), and no contradiction on the year when both give one.
    """
    if not refs:
        return None
    family = [t for t, f in TYPE_FAMILIES.items() if f == TYPE_FAMILIES.get(event.type, event.type)]
    org_ids = [slug for kind, slug in refs if kind == "organisation"]
    person_ids = [slug for kind, slug in refs if kind == "person"]
    candidates = (
        select(EventParticipant.event_id)
        .join(Event, Event.id == EventParticipant.event_id)
        .where(
            Event.type.in_(family),
            or_(EventParticipant.organisation_id.in_(org_ids), EventParticipant.person_id.in_(person_ids)),
        )
        .distinct()
    )
    ids = [r[0] for r in await conn.execute(candidates)]
    if not ids:
        return None
    rows = await conn.execute(
        select(
            EventParticipant.event_id,
            EventParticipant.kind,
            EventParticipant.organisation_id,
            EventParticipant.person_id,
        ).where(EventParticipant.event_id.in_(ids))
    )
    existing: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        existing[row.event_id].add((row.kind, row.organisation_id or row.person_id))
    known = (await conn.execute(select(Event.id, Event.occurred_on, Event.type).where(Event.id.in_(ids)))).all()
    dates = {row.id: row.occurred_on for row in known}
    types = {row.id: row.type for row in known}
    best: tuple[int, str] | None = None
    for event_id in sorted(existing):
        theirs = existing[event_id]
        shared = theirs & refs
        smaller = min(len(theirs), len(refs))
        same = theirs == refs
        if not same and not (len(shared) == smaller and smaller >= 2):
            continue
        other_date = dates.get(event_id)
        if len(refs) == 1 and (
            types.get(event_id) != event.type or other_date is None or other_date != event.occurred_on
        ):
            # One company alone "investing" in two articles is too little to call it the same event.
            continue
        if event.occurred_on and other_date and abs(event.occurred_on.year - other_date.year) > 1:
            continue
        score = len(shared) * 10 + (5 if same else 0)
        if best is None or score > best[0]:
            best = (score, event_id)
    return best[1] if best else None


async def _refresh(conn: AsyncConnection, touched: _Touched) -> None:
    """Recompute counts, date ranges and conflicts of every touched fact from its citations."""
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
    claims = await conn.execute(
        select(*Citation.__table__.columns)
        .where(Citation.fact_kind == "event", Citation.fact_id.in_(event_ids), Citation.field.is_not(None))
        .order_by(Citation.fact_id, Citation.field, Citation.document_id, Citation.start)
    )
    by_event: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(lambda: defaultdict(dict))
    for cite in claims:
        values = by_event[cite.fact_id][cite.field or ""]
        values.setdefault(cite.value or "", []).append(_citation_json(cite))
    for event_id in event_ids:
        conflicts = [
            {"field": name, "values": [{"value": v, "citations": c} for v, c in sorted(values.items())]}
            for name, values in sorted(by_event.get(event_id, {}).items())
            if _disagree(values)
        ]
        await conn.execute(update(Event).where(Event.id == event_id).values(conflicts=conflicts))


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


def _party_filter(kind: str, org_col: Any, person_col: Any, slug: str) -> Any:
    return org_col == slug if kind == "organisation" else person_col == slug


async def _refresh_rivalries(conn: AsyncConnection, touched: _Touched) -> None:
    """Event counts and date ranges of rivalries whose parties' events may have changed."""
    if not (touched.live("rivalry") or touched.live("event") or touched.deleted["event"]):
        return
    rivalries = (await conn.execute(select(*Rivalry.__table__.columns))).all()
    for rivalry in rivalries:
        stats = (await conn.execute(rivalry_events_stats(rivalry))).one()
        await conn.execute(
            update(Rivalry)
            .where(Rivalry.id == rivalry.id)
            .values(event_count=stats.count, first_event_on=stats.first, last_event_on=stats.last)
        )


def rivalry_event_ids(rivalry: Any) -> Any:
    """Events in which both parties take part (a person's side includes their organisations' roles)."""
    sides = []
    for kind, org_id, person_id in (
        (rivalry.party_a_kind, rivalry.party_a_organisation_id, rivalry.party_a_person_id),
        (rivalry.party_b_kind, rivalry.party_b_organisation_id, rivalry.party_b_person_id),
    ):
        if kind == "organisation":
            sides.append(select(EventParticipant.event_id).where(EventParticipant.organisation_id == org_id))
        else:
            sides.append(select(EventParticipant.event_id).where(EventParticipant.person_id == person_id))
    return sides[0].intersect(sides[1])


def rivalry_events_stats(rivalry: Any) -> Any:
    ids = rivalry_event_ids(rivalry).subquery()
    return select(
        func.count().label("count"),
        func.min(Event.occurred_on).label("first"),
        func.max(Event.occurred_on).label("last"),
    ).where(Event.id.in_(select(ids.c.event_id)))


async def _log_changes(conn: AsyncConnection, touched: _Touched) -> None:
    rows: list[dict[str, Any]] = []
    for op, groups in (("created", touched.created), ("updated", touched.updated), ("deleted", touched.deleted)):
        for kind, ids in sorted(groups.items()):
            for fact_id in sorted(ids):
                if op != "deleted" and fact_id in touched.deleted[kind]:
                    continue
                rows.append({"kind": kind, "entity_id": fact_id, "op": op})
    if rows:
        await conn.execute(insert(Change).values(rows))


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
