"""The rows one document's extraction adds to every table, and their ids.

Ids are stable, so a document loaded twice, or a fact reported by several documents, gets the same
row: entities are slugs, documents UUIDv5 of their sha256, events UUIDv5 of a cluster key, funding
UUIDv5 of its natural key, rivalries the two sorted slugs joined by ``--``. Events are clustered
in Python against the stored ones a single query reads (:meth:`_DocumentLoader._events`); the rows
are then written by the statements of :mod:`service.ingest.load_sql`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

from service.ingest.cluster import TYPE_FAMILIES, best_match, cluster_key, further_along, more_specific
from service.ingest.facts import EntityRef, EventFact, Extraction, Participant, RoleFact, Span
from service.ingest.load_sql import _CANDIDATES, _CONTRIBUTE, _SET_CONFLICTS, _WRITE_FACTS, _Raw

NAMESPACE = uuid.UUID("6f1d5a8e-3c1b-5e0a-9f8e-2b7c4d6a9e10")
CONTEXT_CHARS = 32


def _speakers(event: EventFact) -> set[str]:
    return {f"{p.ref.kind}:{p.ref.slug}" for p in event.participants if p.role == "speaker"}


def stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def document_id(sha256: str) -> str:
    return stable_id("document", sha256)


def rivalry_id(a: EntityRef, b: EntityRef) -> str:
    first, second = sorted((a.slug, b.slug))
    return f"{first}--{second}"


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


# (kind, id) of a merged entity → the id it was merged into and, when that entity is stored, its name.
Moved = Mapping[tuple[str, str], tuple[str, str | None]]


def named_entities(extraction: Extraction) -> list[dict[str, str]]:
    """(kind, id) of every entity the extraction names, the organisations of roles included."""
    named = {(e.kind, e.slug) for e in extraction.entities}
    named |= {("organisation", r.organisation) for e in extraction.entities for r in e.roles if r.organisation}
    return [{"kind": kind, "id": slug} for kind, slug in sorted(named)]


def under_canonical_ids(extraction: Extraction, moved: Moved) -> Extraction:
    """The extraction with each merged entity under the id it was merged into, so that a load never
    makes a merged id again (its ``308`` would be lost) nor splits the facts the merge joined.

    A merged entity's fact keeps its name as an alias and leaves the stored entity's name and
    curated data alone (it is not the gazetteer's record of that entity). Parties that become one
    are one: a participant or payer named twice counts once, a rivalry or relationship of an
    entity with itself is no fact.
    """
    if not moved:
        return extraction

    def ref(r: EntityRef) -> EntityRef:
        target = moved.get((r.kind, r.slug))
        return r if target is None else EntityRef(r.kind, target[0])

    def organisation(slug: str | None) -> str | None:
        return None if slug is None else ref(EntityRef("organisation", slug)).slug

    entities = []
    for e in extraction.entities:
        roles = [RoleFact(organisation=organisation(r.organisation), title=r.title) for r in e.roles]
        target = moved.get((e.kind, e.slug))
        if target is None:
            entities.append(msgspec.structs.replace(e, roles=roles))
            continue
        slug, name = target
        name = name or e.name
        aliases = sorted({e.name, *e.aliases} - {name})
        entities.append(
            msgspec.structs.replace(e, slug=slug, name=name, aliases=aliases, in_gazetteer=False, roles=roles)
        )

    def participants(event: EventFact) -> list[Participant]:
        first: dict[EntityRef, Participant] = {}
        for p in event.participants:
            first.setdefault(ref(p.ref), Participant(ref(p.ref), p.role))
        return list(first.values())

    events = [msgspec.structs.replace(event, participants=participants(event)) for event in extraction.events]
    funding = [
        msgspec.structs.replace(
            f,
            payers=list(dict.fromkeys(ref(p) for p in f.payers)),
            recipient=ref(f.recipient) if f.recipient else None,
        )
        for f in extraction.funding
    ]
    rivalries = [
        msgspec.structs.replace(r, parties=parties)
        for r in extraction.rivalries
        if (parties := (ref(r.parties[0]), ref(r.parties[1])))[0] != parties[1]
    ]
    relationships = [
        msgspec.structs.replace(r, organisation=a, other_organisation=b)
        for r in extraction.relationships
        if (a := organisation(r.organisation)) != (b := organisation(r.other_organisation))
    ]
    return msgspec.structs.replace(
        extraction,
        entities=entities,
        events=events,
        funding=funding,
        rivalries=rivalries,
        relationships=relationships,
    )


def _json(value: Any) -> str:
    """JSON text for a ``jsonb`` parameter, serialised as SQLAlchemy's JSONB type does."""
    return json.dumps(value)


@dataclass
class _Cluster:
    """An event as clustering sees it while one document loads: the stored row, or the one the
    document creates, with the document's merges so far applied in memory (written at the end)."""

    id: str
    cluster_key: str
    type: str
    title: str
    summary: str | None
    status: str
    occurred_on: dt.date | None
    date_precision: str | None
    date_text: str | None
    reported_on: dt.date | None
    refs: set[str]  # "kind:slug" of its participants
    stored: bool  # in the database before this document
    speakers: set[str] = field(default_factory=set)  # "kind:slug" of those who said it (a statement)
    conflicts: Any = field(default_factory=list)
    merged: bool = False

    @classmethod
    def new(cls, key: str, event: EventFact, refs: set[str]) -> _Cluster:
        return cls(
            id=stable_id("event", key),
            cluster_key=key,
            type=event.type,
            title=event.title,
            summary=event.summary,
            status=event.status,
            occurred_on=event.occurred_on,
            date_precision=event.date_precision,
            date_text=event.date_text,
            reported_on=event.reported_on,
            refs=set(refs),
            stored=False,
            speakers=_speakers(event),
        )

    def merge(self, event: EventFact) -> None:
        """Fold in a later report of this event.

        It fills what the first left unknown and never overwrites it, with two exceptions: a more
        specific type of the same family (a "partnership" later reported as an "acquisition") and a
        status further along (talks "paused", a bid "rejected") win.
        """
        if more_specific(event.type, self.type):
            # the title names the type ("Offre de rachat — …"): it follows it
            self.type, self.title = event.type, event.title
        if further_along(event.status, self.status):
            self.status = event.status
        if self.occurred_on is None:
            # The date, its precision and its wording come together from the first report giving one.
            has_date = event.occurred_on is not None
            self.occurred_on = event.occurred_on
            self.date_precision = event.date_precision if has_date else None
            self.date_text = event.date_text if has_date else None
        self.summary = self.summary if self.summary is not None else event.summary
        self.reported_on = self.reported_on if self.reported_on is not None else event.reported_on
        self.merged = True

    def fields(self) -> dict[str, Any]:
        """What a merge may change (and a new event starts with)."""
        names = (
            "id",
            "type",
            "title",
            "status",
            "occurred_on",
            "date_precision",
            "date_text",
            "summary",
            "reported_on",
        )
        return {name: getattr(self, name) for name in names}


class _DocumentLoader:
    """Writes one extraction with a constant number of statements, whatever its size.

    The rows of every table are built in Python first (events clustered against one query's worth
    of candidates), then written by :data:`_WRITE_FACTS` and :data:`_CONTRIBUTE`.
    """

    def _own_key(self, key: str) -> str:
        return f"{key}|{self.doc_id}"

    def __init__(self, db: _Raw, doc_id: str, text_: str, extraction: Extraction, touched: _Touched) -> None:
        self.db = db
        self.doc_id = doc_id
        self.text = text_
        self.x = extraction
        self.touched = touched
        self.event_ids: list[str] = []
        self.funding_ids: list[str] = []
        self.rivalry_ids: list[str] = []
        self.known: set[tuple[str, str]] = set()
        self.citations: list[dict[str, Any]] = []
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # The conflicts of the events the document cites, as stored: rebuilt ones equal to them are not written.
        self.conflicts: dict[str, Any] = {}
        # (kind, id, created): created is None when only the write can tell (the id was not stored before).
        self.touches: list[tuple[str, str, bool | None]] = []

    async def load(self) -> None:
        self._entities()
        await self._events()
        self._fundings()
        self._rivalries()
        self._relationships()
        stored: dict[str, set[str]] = defaultdict(set)
        if any(self.rows.values()):
            for row in await self.db.fetch(_WRITE_FACTS.text, *_WRITE_FACTS.args(self.rows)):
                stored[row["kind"]].add(row["id"])
        for kind, fact_id, created in self.touches:
            self.touched.touch(kind, fact_id, fact_id not in stored[kind] if created is None else created)

    def _exists(self, ref: EntityRef) -> bool:
        return (ref.kind, ref.slug) in self.known

    def _cited(self, kind: str) -> Counter[str]:
        """How many citations of this document each fact of ``kind`` has."""
        return Counter(cite["fact_id"] for cite in self.citations if cite["fact_kind"] == kind)

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

    def _entities(self) -> None:
        groups = (
            ("organisation", "organisations", "organisation_aliases", "organisation_id"),
            ("person", "people", "person_aliases", "person_id"),
        )
        for kind, table, alias_table, owner in groups:
            # One row per slug, as consecutive upserts of duplicates would leave it: the last
            # gazetteer row wins, else the first.
            upserts: dict[str, dict[str, Any]] = {}
            for e in self.x.entities:
                if e.kind != kind:
                    continue
                row = {"id": e.slug, "name": e.name, "in_gazetteer": e.in_gazetteer}
                if kind == "organisation":
                    row |= {"kind": e.org_kind or "other", "country": e.country, "description": e.description}
                if e.in_gazetteer or e.slug not in upserts:
                    upserts[e.slug] = row
                self.rows[alias_table] += [
                    {owner: e.slug, "alias": alias, "is_name": alias == e.name}
                    for alias in dict.fromkeys([e.name, *e.aliases])
                    if alias
                ]
                self.known.add((kind, e.slug))
                self._cite(kind, e.slug, e.spans)
                self.touches.append((kind, e.slug, None))
            mentions, on = self._cited(kind), self.x.published_on
            self.rows[table] = [
                row
                | {
                    "mention_count": mentions[row["id"]],
                    "source_count": 1 if mentions[row["id"]] else 0,
                    "first_seen_on": on if mentions[row["id"]] else None,
                    "last_seen_on": on if mentions[row["id"]] else None,
                }
                for row in upserts.values()
            ]
        self.rows["roles"] = [
            {"person_id": e.slug, "organisation_id": r.organisation, "title": r.title}
            for e in self.x.entities
            if e.kind == "person"
            for r in e.roles
        ]

    async def _events(self) -> None:
        """Match each event to a known one (merging into it) or create it, in document order.

        Decided on the rows one query read: every writer of facts holds :data:`LOAD_LOCK_ID`, so
        they stay as read until this transaction writes them (with the merges applied).
        """
        if not self.x.events:
            return
        reported: list[tuple[EventFact, list[Any], set[tuple[str, str]], str]] = []
        refs_rows: list[dict[str, Any]] = []
        singles: list[dict[str, Any]] = []
        for i, event in enumerate(self.x.events):
            participants = [p for p in event.participants if self._exists(p.ref)]
            refs: set[tuple[str, str]] = {(p.ref.kind, p.ref.slug) for p in participants}
            reported.append((event, participants, refs, cluster_key(event, refs)))
            if len(refs) >= 2:
                family = TYPE_FAMILIES.get(event.type, event.type)
                year = event.occurred_on.year if event.occurred_on else None
                refs_rows += [
                    {"i": i, "n": len(refs), "year": year, "kind": k, "slug": s, "family": family}
                    for k, s in sorted(refs)
                ]
            elif refs and event.occurred_on is not None:
                ((kind, slug),) = refs
                singles.append({"kind": kind, "slug": slug, "type": event.type, "occurred_on": event.occurred_on})
        # A key taken by a stored event the rules keep apart goes to this document's own variant.
        keys = [k for *_, key in reported for k in (key, self._own_key(key))]
        found = await self.db.fetch(
            _CANDIDATES.text, *_CANDIDATES.args({"refs": refs_rows, "singles": singles, "keys": keys})
        )
        clusters = {
            r["cluster_key"]: _Cluster(
                **{k: v for k, v in r.items() if k not in ("refs", "speakers")},
                refs=set(r["refs"]),
                speakers=set(r["speakers"]),
                stored=True,
            )
            for r in found
        }
        # The extraction already merged this document's own repeated reports (cluster stage): its
        # events are matched against those other documents reported, not against each other.
        stored = [(c, c.refs, c.id) for c in clusters.values()]
        for event, participants, event_refs, key in reported:
            mine = {f"{kind}:{slug}" for kind, slug in event_refs}
            # another article's report of a statement is one only when the same people said it
            said_by = _speakers(event)
            match = best_match(
                event, mine, [c for c in stored if event.type != "statement" or c[0].speakers == said_by]
            )
            leads = False
            if match is not None:
                cluster, created = match, False
                # A report as specific as the stored event's type, or more, says the roles: "a bid
                # for X" over "a deal between X and Y" makes them bidder and target.
                leads = event.type == cluster.type or more_specific(event.type, cluster.type)
                cluster.merge(event)
            else:
                # A key taken by a stored event the rules kept apart (the same speaker's statements
                # in two articles) gives way to this document's variant; two events of this
                # document the cluster stage kept apart get numbered keys.
                if key in clusters and clusters[key].stored:
                    key = self._own_key(key)
                key = next(
                    k for n in range(len(reported) + 1) if (k := key if n == 0 else f"{key}|{n}") not in clusters
                )
                cluster = clusters[key] = _Cluster.new(key, event, mine)
                created = True
            cluster.refs |= mine
            self.rows["participants"] += [
                {
                    "event_id": cluster.id,
                    "kind": p.ref.kind,
                    "role": p.role,
                    "organisation_id": p.ref.slug if p.ref.kind == "organisation" else None,
                    "person_id": p.ref.slug if p.ref.kind == "person" else None,
                }
                for p in participants
            ]
            if leads:
                self.rows["roles_said"] += self.rows["participants"][-len(participants) :] if participants else []
            self.event_ids.append(cluster.id)
            self._cite("event", cluster.id, [*event.spans, *(span for _, span in event.claims.values())])
            self.touches.append(("event", cluster.id, created))
        cited = self._cited("event")
        for cluster in clusters.values():
            sources = 1 if cited[cluster.id] else 0
            published_on = self.x.published_on if sources else None
            if not cluster.stored:
                self.rows["new_events"].append(
                    cluster.fields()
                    | {"cluster_key": cluster.cluster_key, "title": cluster.title, "source_count": sources}
                    | {"first_reported_on": published_on, "last_reported_on": published_on}
                )
            elif cluster.merged or sources:
                self.rows["event_updates"].append(
                    cluster.fields() | {"source_count": sources, "published_on": published_on}
                )
            self.conflicts[cluster.id] = cluster.conflicts

    def _fundings(self) -> None:
        rows: list[dict[str, Any]] = []
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
            self.rows["payers"] += [
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
        # The same amount twice in one document (title and body) is one fact, loaded once, keeping
        # any conversion either mention gives.
        merged: dict[str, dict[str, Any]] = {}
        for row in rows:
            kept = merged.setdefault(row["id"], row)
            for equivalent in row["equivalents"]:
                if equivalent not in kept["equivalents"]:
                    kept["equivalents"] = [*kept["equivalents"], equivalent]
        cited = self._cited("funding")
        self.rows["funding"] = [
            row | {"equivalents": _json(row["equivalents"]), "source_count": 1 if cited[row["id"]] else 0}
            for row in merged.values()
        ]
        self.touches += [("funding", funding_id, None) for funding_id in merged]

    def _rivalries(self) -> None:
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
        cited = self._cited("rivalry")
        self.rows["rivalries"] = [row | {"source_count": 1 if cited[rid] else 0} for rid, row in rows.items()]
        self.rivalry_ids += rows
        self.touches += [("rivalry", rid, None) for rid in rows]

    def _relationships(self) -> None:
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
        self.rows["relationships"] = list(rows.values())
        self.touches += [("relationship", rel_id, None) for rel_id in rows]

    async def contribute(self, counts: dict[str, int]) -> None:
        """Write the citations, the change log and the fact counts (:data:`_CONTRIBUTE`), then the
        conflicts of the cited events whose claims now disagree differently."""
        event_ids = sorted(self._cited("event"))
        changes = [{"kind": kind, "entity_id": fact_id, "op": op} for kind, fact_id, op in _changes(self.touched)]
        claims = await self.db.fetch(
            _CONTRIBUTE.text,
            *_CONTRIBUTE.args(
                {
                    "citations": self.citations,
                    "event_ids": event_ids,
                    "changes": changes,
                    "fact_counts": _json(counts),
                    "document_id": self.doc_id,
                    "recounts": [{"kind": "event", "id": e} for e in sorted(set(self.event_ids))]
                    + [{"kind": "rivalry", "id": r} for r in sorted(set(self.rivalry_ids))],
                    "participants": self.rows["participants"],
                    "payers": self.rows["payers"],
                }
            ),
        )
        # An event without any claim has no conflict to change; rewriting the stored value is a no-op.
        updates = {
            event_id: conflicts
            for event_id, conflicts in _conflicts(claims, event_ids, only_with_claims=True).items()
            if conflicts != self.conflicts.get(event_id)
        }
        if updates:
            rows = [{"id": event_id, "conflicts": _json(conflicts)} for event_id, conflicts in updates.items()]
            await self.db.fetch(_SET_CONFLICTS.text, *_SET_CONFLICTS.args({"events": rows}))


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _changes(touched: _Touched) -> list[tuple[str, str, str]]:
    """Change-log rows (kind, id, op): a fact deleted then made again by one load stays deleted."""
    rows: list[tuple[str, str, str]] = []
    for op, groups in (("created", touched.created), ("updated", touched.updated), ("deleted", touched.deleted)):
        for kind, ids in sorted(groups.items()):
            for fact_id in sorted(ids):
                if op != "deleted" and fact_id in touched.deleted[kind]:
                    continue
                rows.append((kind, fact_id, op))
    return rows


def _conflicts(
    claims: Iterable[Mapping[Any, Any]], event_ids: Iterable[str], *, only_with_claims: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """The ``conflicts`` of these events, from their claim citations ordered by event, field,
    document and start.

    ``only_with_claims``: when loading, an event without any claim has no conflict to change.
    """
    by_event: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(lambda: defaultdict(dict))
    for cite in claims:
        values = by_event[cite["fact_id"]][cite["field"] or ""]
        values.setdefault(cite["value"] or "", []).append(_citation_json(cite))
    return {
        event_id: [
            {"field": name, "values": [{"value": v, "citations": c} for v, c in sorted(values.items())]}
            for name, values in sorted(by_event.get(event_id, {}).items())
            if _disagree(values)
        ]
        for event_id in sorted(event_ids)
        if not only_with_claims or event_id in by_event
    }


def _disagree(values: dict[str, list[dict[str, Any]]]) -> bool:
    """Several documents state different values, at least one of them a definite one.

    Two relative expressions with no publication date to anchor them ("mardi", "en début
    d'année") cannot be compared, so they are not a disagreement; "2023" against "l'année
    dernière", or "3 décembre" against "4 juin", is.
    """
    documents = {c["document_id"] for cs in values.values() for c in cs}
    definite = [v for v in values if any(ch.isdigit() for ch in v)]
    return len(values) > 1 and len(documents) > 1 and bool(definite)


def _citation_json(cite: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        name: cite[name]
        for name in ("document_id", "start", "end", "quote", "prefix", "suffix", "extractor", "confidence")
    }
