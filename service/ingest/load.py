"""Load one document's extraction into PostgreSQL in one transaction — the only stage that writes.

Ids are stable: documents are UUIDv5 of their sha256, entities are slugs, events UUIDv5 of a
cluster key, funding UUIDv5 of its natural key, rivalries the two sorted slugs joined by ``--``.
An event reported by several documents is matched to the existing one
(:func:`~service.ingest.cluster.best_match`) and gains citations instead of being created twice;
values the sources disagree on are kept side by side in ``conflicts``. Retraction
(:func:`~service.ingest.retract.retract_document`) is the exact inverse.

Loading is the hot path of ``rivalry seed``: a document costs a constant handful of statements,
whatever it holds. They are hand-written SQL run on the asyncpg connection under SQLAlchemy's, in
the same transaction (:mod:`service.ingest.load_sql`), each set of rows travelling as one JSON
parameter. A new document takes:

1. the advisory lock (through SQLAlchemy: it begins the transaction the raw statements join);
2. the document, inserted unless its text is already stored;
3. which entities it names were merged into others (it writes under their canonical ids), and which
   stored entities only text made the gazetteer now names as one of its entities
   (:data:`~service.ingest.load_sql._IDENTITIES`, :func:`_identities`);
4. the stored events its events may match, all at once; clustering is decided in Python
   (:meth:`~service.ingest.document_loader._DocumentLoader._events`), which also sees the events
   the document creates or merges as it goes;
5. every fact with its aliases, roles, participants and payers, and with what the document adds
   to its counters, in one statement of data-modifying CTEs that also says which facts existed
   before it (:data:`~service.ingest.load_sql._WRITE_FACTS`);
6. citations, change log, fact counts and the events and rivalries whose rivalry counts must be
   recounted (:class:`~service.models.RivalryRecount`, :func:`recount_rivalries`), in one statement
   (:data:`~service.ingest.load_sql._CONTRIBUTE`);
7. the conflicts of cited events whose claims now disagree differently, when there are any;
8. rarely, the merge of each provisional entity step 3 found into the gazetteer's
   (:func:`~service.entities.merge.merge_entities`).

The rows are built in :mod:`service.ingest.document_loader`. Retraction and re-loading with a new
pipeline version are rare and stay on SQLAlchemy (:mod:`service.ingest.retract`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog
from sqlalchemy import func, insert, select, text, update
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.entities.merge import merge_entities
from service.ingest.document_loader import (
    CONTEXT_CHARS,
    NAMESPACE,
    _DocumentLoader,
    _json,
    _Touched,
    document_id,
    named_entities,
    rivalry_id,
    stable_id,
    under_canonical_ids,
)
from service.ingest.document_loader import _Cluster as _Cluster  # tests reach it as ``load._Cluster``
from service.ingest.facts import EntityKind, Extraction
from service.ingest.gazetteer import load_gazetteer, slugify
from service.ingest.load_sql import _CANDIDATES as _CANDIDATES  # tests reach it as ``load._CANDIDATES``
from service.ingest.load_sql import _IDENTITIES, _INSERT_DOCUMENT, LOAD_LOCK_ID, _Raw
from service.ingest.retract import _FACT_TABLES, _refresh, _retract, recount_rivalries, retract_document
from service.ingest.source import SourceFile, text_sha256
from service.models import Change, Document

log = structlog.get_logger("service.ingest")


@dataclass
class LoadOutcome:
    document_id: str
    status: str  # created | updated | unchanged
    facts: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    corroborated: dict[str, list[str]] = field(default_factory=dict)


async def unchanged_sha256s(engine: AsyncEngine, shas: Sequence[str], pipeline_version: str) -> set[str]:
    """Which of these texts are already loaded by this pipeline version (nothing to do for them)."""
    if not shas:
        return set()
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Document.sha256).where(Document.sha256.in_(shas), Document.pipeline_version == pipeline_version)
        )
        return {r[0] for r in rows}


# A seed is idempotent and re-runnable: not waiting for each commit's WAL flush is safe (a crash
# loses at most the last few documents, which the next run loads again). The loader's statements
# take arrays whose sizes vary, so PostgreSQL would plan the two largest afresh for every document
# (a tenth of the server's work); the plan it keeps instead reads the same indexes. Every row a
# load reads or updates is found by key, but ``json_to_recordset`` tells the planner each row set
# holds 100 rows, against the handful a document has: it would then hash-join a whole table of
# up to several thousand events or funding rows (the cost grew with the corpus) where a few index
# lookups do, so sequential scans are left as the last resort. The settings last until this
# document's commit, and are set with the lock, in one statement.
#
# Every load also defers the stored list items (migration d81f5b3c9e47): the triggers queue the
# events and funding rows whose items its statements change, and the load recomputes each once
# at its end (``_FLUSH_ITEMS``) instead of once per statement that touched it.
_SEED_LOCK = sql_text(
    "SELECT set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),"
    " set_config('enable_seqscan', 'off', true), set_config('rivalry.defer_list_items', 'on', true),"
    " pg_advisory_xact_lock(:id)"
)
_LOAD_LOCK = sql_text("SELECT set_config('rivalry.defer_list_items', 'on', true), pg_advisory_xact_lock(:id)")
_FLUSH_ITEMS = "SELECT rivalry_flush_list_items()"


async def load_document(
    engine: AsyncEngine,
    source: SourceFile,
    extraction: Extraction,
    pipeline_version: str,
    *,
    refresh_rivalries: bool = True,
) -> LoadOutcome:
    async with engine.begin() as conn:
        await conn.execute(_SEED_LOCK, {"id": LOAD_LOCK_ID})
        return await _load_locked(
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
    then calls :func:`recount_rivalries` once for many documents (``rivalry seed`` does, per batch).
    """
    await conn.execute(_LOAD_LOCK, {"id": LOAD_LOCK_ID})
    return await _load_locked(conn, text_, file, extraction, pipeline_version, refresh_rivalries=refresh_rivalries)


async def _load_locked(
    conn: AsyncConnection,
    text_: str,
    file: str | None,
    extraction: Extraction,
    pipeline_version: str,
    *,
    refresh_rivalries: bool,
) -> LoadOutcome:
    """:func:`load_document_in` once the load lock is held (and so the transaction begun)."""
    db = await _Raw.of(conn)
    sha = text_sha256(text_)
    doc_id = document_id(sha)
    touched = _Touched()
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
    # Inserted in the same statement that looks for it: a new text (the usual case) costs one.
    existing = await db.fetchrow(
        _INSERT_DOCUMENT.text,
        *_INSERT_DOCUMENT.args(
            {**values, "id": doc_id, "sha256": sha, "text": text_, "segments": _json(values["segments"])}
        ),
    )
    if existing is not None and existing["pipeline_version"] == pipeline_version:
        await db.fetchrow(_FLUSH_ITEMS)  # nothing queued: ends the deferral for the rest of the transaction
        return LoadOutcome(document_id=existing["id"], status="unchanged")
    if existing is not None:
        # A new pipeline version: withdraw what the old extraction stated, then load afresh.
        await _retract(conn, existing["id"], touched)
        await _refresh(conn, touched, rivalries=False)
        await conn.execute(
            update(Document).where(Document.id == existing["id"]).values(**values, updated_at=func.now())
        )
        status = "updated"
    else:
        status = "created"
    touched.touch("document", doc_id, created=status == "created")

    moved, provisional = await _identities(db, extraction)
    extraction = under_canonical_ids(extraction, moved)
    loader = _DocumentLoader(db, doc_id, text_, extraction, touched)
    await loader.load()
    counts = {
        "organisations": len({e.slug for e in extraction.entities if e.kind == "organisation"}),
        "people": len({e.slug for e in extraction.entities if e.kind == "person"}),
        "events": len(set(loader.event_ids)),
        "funding": len(set(loader.funding_ids)),
    }
    await loader.contribute(counts)
    for kind, entity_id, named in provisional:
        await merge_entities(conn, kind, entity_id, named)
        log.info("ingest.entity.merged", kind=kind, provisional=entity_id, into=named, document_id=doc_id)
    await db.fetchrow(_FLUSH_ITEMS)
    if refresh_rivalries:
        await recount_rivalries(conn)
    facts = dict(counts, rivalries=len(loader.rivalry_ids), relationships=len(extraction.relationships))
    created = {k: sorted(v) for k, v in touched.created.items() if k != "document" and v}
    corroborated = {k: sorted(v) for k, v in touched.updated.items() if k != "document" and v}
    return LoadOutcome(
        document_id=doc_id,
        status=status,
        facts=facts,
        created=created,
        corroborated=corroborated,
    )


async def _identities(
    db: _Raw, extraction: Extraction
) -> tuple[dict[tuple[str, str], tuple[str, str | None]], list[tuple[EntityKind, str, str]]]:
    """The merged entities the document names, with the id and name of the entity each was merged
    into; and the stored entities to merge into one the document names, as (kind, id, into).

    An entity is provisional while only text made it: an organisation or person the gazetteer does
    not know gets the slug of the name the text wrote from the entity stage, and is stored with
    ``in_gazetteer`` false. Once the gazetteer gives that name to one of its entities (as its name
    or an alias: ``"Mistral"`` of Mistral AI), the entity stage resolves the name to that entity,
    and the first document naming it merges the provisional one into it, which then answers
    ``308``. Only the gazetteer's own names count, not every form a text used for the entity (a
    short form it resolved from context, "X" for xAI, may name something else elsewhere), nor a
    name whose slug is another gazetteer entity's.
    """
    gazetteer = load_gazetteer()
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entity in extraction.entities:
        record = gazetteer.get(entity.slug) if entity.in_gazetteer else None
        if record is None or gazetteer.kind_of(entity.slug) != entity.kind:
            continue
        for name in (record.name, *record.aliases):
            slug = slugify(name)
            if slug != entity.slug and gazetteer.get(slug) is None:
                targets[(entity.kind, slug)].add(entity.slug)
    # A slug two of them would claim is left alone: which one it named cannot be told.
    candidates = [
        {"kind": kind, "id": slug, "named": named}
        for (kind, slug), (named, *others) in sorted((key, sorted(ids)) for key, ids in targets.items())
        if not others
    ]
    named = named_entities(extraction)
    if not named and not candidates:
        return {}, []
    moved: dict[tuple[str, str], tuple[str, str | None]] = {}
    provisional: list[tuple[EntityKind, str, str]] = []
    for row in await db.fetch(_IDENTITIES.text, *_IDENTITIES.args({"named": named, "candidates": candidates})):
        if row["why"] == "redirect":
            moved[(row["kind"], row["id"])] = (row["target"], row["target_name"])
        else:
            provisional.append((row["kind"], row["id"], row["target"]))
    # The entity a provisional one is merged into may itself have been merged into another since.
    provisional = [
        (kind, entity_id, into)
        for kind, entity_id, named_id in provisional
        if (into := moved.get((kind, named_id), (named_id, None))[0]) != entity_id
    ]
    return moved, provisional


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
                "TRUNCATE documents, citations, events, event_participants, event_participant_sources, funding,"
                " funding_payers, funding_payer_sources, rivalries, relationships, person_roles, person_aliases,"
                " people, organisation_aliases, organisations, entity_redirects, rivalry_recounts"
            )
        )


# The tables a load reads and writes, for the planner's statistics to follow a growing corpus.
# Of documents, only the columns a load looks rows up by: statistics of the text and its
# full-text vector cost more than all the rest together, and only search needs them (the last
# ``ANALYZE`` of a seed takes every column). The change log is written, never read, by a load.
_LOADED_TABLES = (
    "documents (id, sha256, pipeline_version), citations, events, event_participants, funding, funding_payers,"
    " rivalries, relationships, organisations, organisation_aliases, people, person_aliases, person_roles"
)
_ALL_LOADED_TABLES = (
    "documents, citations, events, event_participants, funding, funding_payers, rivalries, relationships,"
    " organisations, organisation_aliases, people, person_aliases, person_roles, changes, event_participant_sources,"
    " funding_payer_sources"
)


async def analyze(engine: AsyncEngine, *, complete: bool = False) -> None:
    """Refresh the planner's statistics of the tables a load uses (``complete``: every column of
    every table it writes, for the API's queries once a seed is done).

    A long seed keeps its connection and its prepared statements; their plans were made when the
    tables were small (a sequential scan of a table of ten rows is the right plan). Without fresh
    statistics (autovacuum may be off, or lag behind a bulk load) they stay so, and every document
    reads a table that grows with the corpus. ``ANALYZE`` updates the statistics and invalidates
    those plans, so the next document gets plans made for the tables as they now are.
    """
    async with engine.begin() as conn:
        await conn.execute(text(f"ANALYZE {_ALL_LOADED_TABLES if complete else _LOADED_TABLES}"))


async def document_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(Document)) or 0)


__all__ = [
    "CONTEXT_CHARS",
    "LOAD_LOCK_ID",
    "NAMESPACE",
    "LoadOutcome",
    "analyze",
    "document_count",
    "document_id",
    "load_document",
    "load_document_in",
    "recount_rivalries",
    "reset_all",
    "retract_document",
    "rivalry_id",
    "stable_id",
    "unchanged_sha256s",
]
