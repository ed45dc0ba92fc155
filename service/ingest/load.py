"""Load one document's extraction into PostgreSQL in one transaction — the only stage that writes.

Ids are stable: documents are UUIDv5 of their sha256, entities are slugs, events UUIDv5 of a
cluster key, funding UUIDv5 of its natural key, rivalries the two sorted slugs joined by ``--``.
An event reported by several documents is matched to the existing one
(:func:`~service.ingest.cluster.best_match`) and gains citations instead of being created twice;
values the sources disagree on are kept side by side in ``conflicts``. Retraction
(:func:`retract_document`) is the exact inverse.

Loading is the hot path of ``rivalry seed``: a document costs a constant handful of statements,
whatever it holds. They are hand-written SQL run on the asyncpg connection under SQLAlchemy's, in
the same transaction (:class:`_Raw`): asyncpg prepares each text once per connection, where
SQLAlchemy's compilation and execution of ~40 statements per document used to cost the seed more
CPU than extracting the document. Each set of rows travels as one JSON parameter and is written
with ``INSERT … SELECT … FROM json_to_recordset(…)`` (:class:`_Sql`). A new document takes:

1. the advisory lock (through SQLAlchemy: it begins the transaction the raw statements join);
2. the document, inserted unless its text is already stored;
3. the stored events its events may match, all at once; clustering is decided in Python
   (:meth:`_DocumentLoader._events`), which also sees the events the document creates or merges
   as it goes;
4. every fact with its aliases, roles, participants and payers, and with what the document adds
   to its counters, in one statement of data-modifying CTEs that also says which facts existed
   before it (:data:`_WRITE_FACTS`);
5. citations, change log, fact counts and the events and rivalries whose rivalry counts must be
   recounted (:class:`~service.models.RivalryRecount`, :func:`recount_rivalries`), in one statement
   (:data:`_CONTRIBUTE`);
6. the conflicts of cited events whose claims now disagree differently, when there are any.

Retraction and re-loading with a new pipeline version are rare and stay on SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy import exc as sa_exc
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.ingest.cluster import STATUS_ORDER, TYPE_FAMILIES, TYPE_ORDER, best_match, cluster_key, position
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
    Person,
    Relationship,
    Rivalry,
    RivalryRecount,
)

NAMESPACE = uuid.UUID("6f1d5a8e-3c1b-5e0a-9f8e-2b7c4d6a9e10")
CONTEXT_CHARS = 32
# Every load and retraction takes this lock: clustering reads then writes shared facts.
LOAD_LOCK_ID = 0x52495642


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


class _Sql:
    """A hand-written statement whose row sets are parameters.

    :meth:`rows` stands for a set of rows, sent as one JSON array of objects and read back with
    ``json_to_recordset`` (each value converted by its column type's own input function, so dates,
    numerics and floats arrive exact); :meth:`value` stands for a single value; :meth:`args` lines
    the data up with the ``$n`` placeholders. The text is fixed however many rows a document has,
    so asyncpg prepares it once per connection; one JSON text per row set costs the client far
    less than asyncpg's per-element checks of array parameters. Only constant fragments are ever
    formatted into the text.
    """

    def __init__(self) -> None:
        self.text = ""
        self._slots: list[tuple[str, bool]] = []

    def rows(self, name: str, columns: str, alias: str = "v") -> str:
        """``json_to_recordset($n) AS alias(columns)`` for ``columns`` given as ``"id text, n int"``:
        the rows ``name``, given to :meth:`args` as dicts keyed by column."""
        self._slots.append((name, True))
        return f"json_to_recordset(${len(self._slots)}::text::json) AS {alias}({columns})"

    def value(self, name: str, type_: str) -> str:
        self._slots.append((name, False))
        return f"${len(self._slots)}::{type_}"

    def args(self, data: Mapping[str, Any]) -> list[Any]:
        return [_ROWS.encode(data[name]).decode() if rows else data[name] for name, rows in self._slots]


_ROWS = msgspec.json.Encoder()


class _Raw:
    """The loader's hand-written statements, run on the asyncpg connection under a SQLAlchemy one.

    They join the transaction SQLAlchemy's asyncpg adapter has open. It begins that transaction
    lazily, on the first statement it runs: a raw statement before that would be autocommitted, so
    callers run the advisory lock through SQLAlchemy first and :meth:`of` refuses to go on without
    an open transaction. A failing statement raises what it would have raised through SQLAlchemy
    (a :class:`sqlalchemy.exc.DBAPIError`, translated by the adapter), so callers see no difference.
    """

    def __init__(self, conn: AsyncConnection, pooled: Any) -> None:
        self.conn = conn
        self.pooled = pooled
        self.driver = pooled.driver_connection

    @classmethod
    async def of(cls, conn: AsyncConnection) -> _Raw:
        pooled = await conn.get_raw_connection()
        driver = pooled.driver_connection
        if not isinstance(driver, asyncpg.Connection) or not driver.is_in_transaction():
            raise RuntimeError("the loader's raw statements must run inside the caller's transaction")
        return cls(conn, pooled)

    async def fetch(self, statement: str, *args: Any) -> list[Any]:
        try:
            return list(await self.driver.fetch(statement, *args))
        except Exception as error:
            translated = self._translated(error, statement, args)
            if translated is error:
                raise
            raise translated from error

    async def fetchrow(self, statement: str, *args: Any) -> Any:
        rows = await self.fetch(statement, *args)
        return rows[0] if rows else None

    def _translated(self, error: Exception, statement: str, args: Sequence[Any]) -> Exception:
        try:
            self.pooled.dbapi_connection._handle_exception(error)  # raises the DB-API error
        except Exception as dbapi_error:  # what the adapter raised is the answer
            error = dbapi_error
        dialect = self.conn.dialect
        if not isinstance(error, dialect.loaded_dbapi.Error):
            return error
        return sa_exc.DBAPIError.instance(
            statement,
            list(args),
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=self.conn.sync_engine.hide_parameters,
            connection_invalidated=self.driver.is_closed(),
            dialect=dialect,
            ismulti=False,
        )


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
_LOCK = sql_text("SELECT pg_advisory_xact_lock(:id)")
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


_DOCUMENT_COLUMNS = {
    "id": "text", "sha256": "text", "text": "text", "file": "text", "title": "text", "publisher": "text",
    "author": "text", "url": "text", "language": "text", "published_on": "date", "char_count": "int",
    "segments": "text::jsonb", "pipeline_version": "text",
}  # fmt: skip


def _insert_document_sql() -> _Sql:
    """The document, inserted unless its text is stored already; returns the stored one, if any."""
    sql = _Sql()
    sha256 = sql.value("sha256", "text")
    values = ", ".join(
        sha256 if name == "sha256" else sql.value(name, type_) for name, type_ in _DOCUMENT_COLUMNS.items()
    )
    sql.text = f"""
    WITH existing AS (
        SELECT id, pipeline_version FROM documents WHERE sha256 = {sha256}
    ), inserted AS (
        INSERT INTO documents ({", ".join(_DOCUMENT_COLUMNS)})
        SELECT {values} WHERE NOT EXISTS (SELECT FROM existing)
    )
    SELECT id, pipeline_version FROM existing
    """  # noqa: S608 - constant fragments and $n placeholders only
    return sql


_INSERT_DOCUMENT = _insert_document_sql()


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

    loader = _DocumentLoader(db, doc_id, text_, extraction, touched)
    await loader.load()
    counts = {
        "organisations": len({e.slug for e in extraction.entities if e.kind == "organisation"}),
        "people": len({e.slug for e in extraction.entities if e.kind == "person"}),
        "events": len(set(loader.event_ids)),
        "funding": len(set(loader.funding_ids)),
    }
    await loader.contribute(counts)
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


def _json(value: Any) -> str:
    """JSON text for a ``jsonb`` parameter, serialised as SQLAlchemy's JSONB type does."""
    return json.dumps(value)


def _names(columns: str) -> str:
    """``"id, name"`` from a column spec ``"id text, name text"``."""
    return ", ".join(column.split()[0] for column in columns.split(","))


# What one document adds to the counters of a fact it cites travels with the fact's row (each fact
# then gets one new row version per document): an entity's mentions, first and last seen dates and
# one source; an event's source and report dates; one source for funding and rivalries. A fact the
# document does not cite (no span) adds zeros and NULLs, which leave the counters as they are.
_ENTITY_COUNTERS = "mention_count int, source_count int, first_seen_on date, last_seen_on date"
_ORGANISATION = f"id text, name text, in_gazetteer bool, kind text, country text, description text, {_ENTITY_COUNTERS}"
_PERSON = f"id text, name text, in_gazetteer bool, {_ENTITY_COUNTERS}"
_EVENT = (
    "id text, cluster_key text, type text, title text, summary text, status text, occurred_on date,"
    " date_precision text, date_text text, reported_on date, source_count int, first_reported_on date,"
    " last_reported_on date"
)
# A stored event this document merged into (:meth:`_Cluster.merge`) or cites; ``published_on`` is the
# document's date, for the event's report dates.
_EVENT_UPDATE = (
    "id text, type text, status text, occurred_on date, date_precision text, date_text text, summary text,"
    " reported_on date, source_count int, published_on date"
)
_PARTICIPANT = "event_id text, kind text, role text, organisation_id text, person_id text"
# ``equivalents`` is JSON text, as SQLAlchemy's JSONB type serialises it, stored as jsonb.
_FUNDING = (
    "id text, natural_key text, kind text, amount numeric, currency text, qualifier text, amount_usd numeric,"
    " fx_rate_on date, equivalents text, amount_text text, recipient_kind text, recipient_organisation_id text,"
    " recipient_person_id text, event_id text, occurred_on date, date_precision text, status text, source_count int"
)
_PAYER = "funding_id text, kind text, organisation_id text, person_id text"
_RIVALRY = (
    "id text, party_a_kind text, party_a_organisation_id text, party_a_person_id text, party_b_kind text,"
    " party_b_organisation_id text, party_b_person_id text, summary text, source_count int"
)
_RELATIONSHIP = "id text, type text, organisation_id text, other_organisation_id text"
_CITATION = (
    'fact_kind text, fact_id text, document_id text, start int, "end" int, quote text, prefix text, suffix text,'
    " extractor text, confidence float8, field text, value text"
)


def _entity_sql(sql: _Sql, kind: str, table: str, columns: str, alias_table: str, owner: str) -> str:
    """CTEs upserting one kind of entity and its aliases, and naming those stored before.

    Curated gazetteer data wins over what an earlier NER guess stored; NER never overwrites. The
    counters add up either way.
    """
    counters = _names(_ENTITY_COUNTERS).split(", ")
    curated = [c for c in _names(columns).split(", ") if c != "id" and c not in counters]
    updates = ", ".join(f"{c} = CASE WHEN excluded.in_gazetteer THEN excluded.{c} ELSE t.{c} END" for c in curated)
    rows = sql.rows(table, columns)
    aliases = sql.rows(alias_table, f"{owner} text, alias text, is_name bool")
    return f"""
    {kind}_rows AS (
        SELECT * FROM {rows}
    ), {kind}_before AS (
        SELECT id FROM {table} WHERE id IN (SELECT id FROM {kind}_rows)
    ), {kind}_upsert AS (
        INSERT INTO {table} AS t ({_names(columns)}) SELECT * FROM {kind}_rows
        ON CONFLICT (id) DO UPDATE SET {updates},
            mention_count = t.mention_count + excluded.mention_count,
            source_count = t.source_count + excluded.source_count,
            first_seen_on = least(t.first_seen_on, excluded.first_seen_on),
            last_seen_on = greatest(t.last_seen_on, excluded.last_seen_on),
            updated_at = now()
        WHERE excluded.in_gazetteer OR excluded.source_count > 0
    ), {kind}_alias_insert AS (
        INSERT INTO {alias_table} ({owner}, alias, is_name)
        SELECT * FROM {aliases}
        -- Stored aliases are skipped before their generated columns are computed (the conflict
        -- would leave them as they are anyway).
        WHERE NOT EXISTS (SELECT FROM {alias_table} AS a WHERE a.{owner} = v.{owner} AND a.alias = v.alias)
        ON CONFLICT DO NOTHING
    )"""  # noqa: S608 - constant fragments and $n placeholders only


def _write_facts_sql() -> _Sql:
    """Every fact of a document, with its aliases, roles, participants and payers, in one statement.

    Its CTEs all run on one snapshot, so each ``*_before`` is the table as it was before this
    document (what a query per table used to find), and foreign keys are checked at the end of the
    statement, when the parents sibling CTEs write exist. Returns (kind, id) of the facts stored before.
    """
    sql = _Sql()
    organisations = _entity_sql(
        sql, "organisation", "organisations", _ORGANISATION, "organisation_aliases", "organisation_id"
    )
    people = _entity_sql(sql, "person", "people", _PERSON, "person_aliases", "person_id")
    roles = sql.rows("roles", "person_id text, organisation_id text, title text", "r")
    new_events = sql.rows("new_events", _EVENT)
    updates = sql.rows("event_updates", _EVENT_UPDATE, "u")
    participants = sql.rows("participants", _PARTICIPANT)
    funding = sql.rows("funding", _FUNDING)
    payers = sql.rows("payers", _PAYER)
    rivalries = sql.rows("rivalries", _RIVALRY)
    relationships = sql.rows("relationships", _RELATIONSHIP)
    funding_values = _names(_FUNDING).replace("equivalents", "equivalents::jsonb")
    sql.text = f"""
    WITH {organisations}, {people}, role_insert AS (
        -- A role at an organisation nobody has stored is left out.
        INSERT INTO person_roles (person_id, organisation_id, title)
        SELECT r.person_id, r.organisation_id, r.title FROM {roles}
        WHERE r.organisation_id IS NULL
           OR r.organisation_id IN (SELECT id FROM organisation_rows)
           OR EXISTS (SELECT FROM organisations AS o WHERE o.id = r.organisation_id)
        ON CONFLICT DO NOTHING
    ), new_event_rows AS (
        SELECT * FROM {new_events}
    ), event_update_rows AS (
        SELECT * FROM {updates}
    ), event_insert AS (
        -- Decided in Python (:meth:`_DocumentLoader._events`): every key here is new; the events
        -- start with this document's merges and counters.
        INSERT INTO events ({_names(_EVENT)}) SELECT * FROM new_event_rows
        ON CONFLICT DO NOTHING
    ), event_update AS (
        -- Stored events this document merged into (as :meth:`_Cluster.merge` left them) or cites.
        UPDATE events AS e
        SET type = u.type, status = u.status, occurred_on = u.occurred_on, date_precision = u.date_precision,
            date_text = u.date_text, summary = u.summary, reported_on = u.reported_on,
            source_count = e.source_count + u.source_count,
            first_reported_on = least(e.first_reported_on, u.published_on),
            last_reported_on = greatest(e.last_reported_on, u.published_on),
            updated_at = now()
        FROM event_update_rows AS u
        WHERE e.id = u.id
    ), participant_insert AS (
        -- With their event's type and date as this statement leaves it: the participant trigger
        -- (migration e5b7c1d94a28) cannot see the events sibling CTEs write.
        INSERT INTO event_participants ({_names(_PARTICIPANT)}, event_type, event_occurred_on)
        SELECT v.*, coalesce(n.type, u.type), CASE WHEN n.id IS NULL THEN u.occurred_on ELSE n.occurred_on END
        FROM {participants}
        LEFT JOIN new_event_rows AS n ON n.id = v.event_id
        LEFT JOIN event_update_rows AS u ON u.id = v.event_id
        ON CONFLICT DO NOTHING
    ), funding_rows AS (
        SELECT * FROM {funding}
    ), funding_before AS (
        SELECT id FROM funding WHERE id IN (SELECT id FROM funding_rows)
    ), funding_upsert AS (
        -- A later report fills what the first left unknown, never overwrites it.
        INSERT INTO funding AS f ({_names(_FUNDING)}) SELECT {funding_values} FROM funding_rows
        ON CONFLICT (natural_key) DO UPDATE SET
            event_id = coalesce(f.event_id, excluded.event_id),
            equivalents = coalesce(nullif(f.equivalents, '[]'::jsonb), excluded.equivalents),
            occurred_on = coalesce(f.occurred_on, excluded.occurred_on),
            date_precision = coalesce(f.date_precision, excluded.date_precision),
            source_count = f.source_count + excluded.source_count,
            updated_at = now()
    ), payer_insert AS (
        INSERT INTO funding_payers ({_names(_PAYER)}) SELECT * FROM {payers}
        ON CONFLICT DO NOTHING
    ), rivalry_rows AS (
        SELECT * FROM {rivalries}
    ), rivalry_before AS (
        SELECT id FROM rivalries WHERE id IN (SELECT id FROM rivalry_rows)
    ), rivalry_insert AS (
        INSERT INTO rivalries AS r ({_names(_RIVALRY)}) SELECT * FROM rivalry_rows
        ON CONFLICT (id) DO UPDATE SET source_count = r.source_count + excluded.source_count, updated_at = now()
        WHERE excluded.source_count > 0
    ), relationship_rows AS (
        SELECT * FROM {relationships}
    ), relationship_before AS (
        SELECT id FROM relationships WHERE id IN (SELECT id FROM relationship_rows)
    ), relationship_insert AS (
        INSERT INTO relationships ({_names(_RELATIONSHIP)}) SELECT * FROM relationship_rows
        ON CONFLICT DO NOTHING
    )
    SELECT 'organisation' AS kind, id FROM organisation_before
    UNION ALL SELECT 'person', id FROM person_before
    UNION ALL SELECT 'funding', id FROM funding_before
    UNION ALL SELECT 'rivalry', id FROM rivalry_before
    UNION ALL SELECT 'relationship', id FROM relationship_before
    """  # noqa: S608 - constant fragments and $n placeholders only
    return sql


_WRITE_FACTS = _write_facts_sql()


def _candidates_sql() -> _Sql:
    """The stored events a document's events may match: at least what
    :func:`~service.ingest.cluster.best_match` could accept.

    An event ``i`` with ``n`` participants, ``n >= 2`` (each a ``refs`` row carrying the event's type
    family and year), may match one of that family whose participants and its own are one a subset
    of the other, sharing at least two, and dated at most a year apart when both are dated; one
    with a single participant only one of the same type and date taking part in it (a ``singles``
    row). Every event holding one of the cluster keys the document would create is read too. A
    stored event left out is one none of the document's events can match, so the document leaves
    it as it is. The rules are applied here rather than to every event sharing a participant: a
    company in thousands of events would otherwise send them all back for every document naming it.
    """
    sql = _Sql()
    refs = sql.rows("refs", "i int, n int, year int, kind text, slug text, family text")
    singles = sql.rows("singles", "kind text, slug text, type text, occurred_on date", "s")
    keys = sql.value("keys", "text[]")
    family = "CASE e.type {} END".format(" ".join(f"WHEN '{t}' THEN '{f}'" for t, f in TYPE_FAMILIES.items()))
    sql.text = f"""
    WITH refs AS (
        SELECT * FROM {refs}
    ), shared AS (
        SELECT r.i, r.n, r.year, r.family, p.event_id
        FROM refs AS r JOIN event_participants AS p ON p.organisation_id = r.slug
        WHERE r.kind = 'organisation'
        UNION ALL
        SELECT r.i, r.n, r.year, r.family, p.event_id
        FROM refs AS r JOIN event_participants AS p ON p.person_id = r.slug
        WHERE r.kind = 'person'
    ), matching AS (
        SELECT event_id, min(family) AS family, min(n) AS n, min(year) AS year, count(*) AS shared
        FROM shared GROUP BY i, event_id HAVING count(*) >= 2
    ), found AS (
        SELECT m.event_id AS id FROM matching AS m JOIN events AS e ON e.id = m.event_id
        WHERE {family} = m.family
          AND (m.year IS NULL OR e.occurred_on IS NULL OR abs(extract(year FROM e.occurred_on) - m.year) <= 1)
          AND m.shared = least(m.n, (SELECT count(*) FROM event_participants AS p WHERE p.event_id = e.id))
        UNION
        SELECT e.id
        FROM {singles}
        JOIN events AS e ON e.occurred_on = s.occurred_on AND e.type = s.type
        JOIN event_participants AS p ON p.event_id = e.id AND p.kind = s.kind
             AND coalesce(p.organisation_id, p.person_id) = s.slug
        UNION
        SELECT id FROM events WHERE cluster_key = ANY({keys})
    )
    SELECT e.id, e.cluster_key, e.type, e.title, e.summary, e.status, e.occurred_on, e.date_precision,
           e.date_text, e.reported_on, e.conflicts,
           ARRAY(SELECT p.kind || ':' || coalesce(p.organisation_id, p.person_id)
                 FROM event_participants AS p WHERE p.event_id = e.id) AS refs
    FROM found JOIN events AS e USING (id)
    """  # noqa: S608 - constant fragments and $n placeholders only
    return sql


_CANDIDATES = _candidates_sql()


def _contribute_sql() -> _Sql:
    """The citations, the change log, the document's fact counts and what its rivalry counts
    depend on (:func:`recount_rivalries`), in one statement.

    Returns every claim of the cited events, the document's own included (the rows the insert
    returns: its sibling CTEs cannot see them), in the order conflicts are built from.
    """
    sql = _Sql()
    citations = sql.rows("citations", _CITATION)
    events = sql.value("event_ids", "text[]")
    changes = sql.rows("changes", "kind text, entity_id text, op text")
    counts = sql.value("fact_counts", "text::jsonb")
    document = sql.value("document_id", "text")
    recounts = sql.rows("recounts", "kind text, id text", "q")
    columns = _names(_CITATION)
    sql.text = f"""
    WITH cited AS (
        INSERT INTO citations ({columns}) SELECT * FROM {citations}
        ON CONFLICT DO NOTHING
        RETURNING {columns}
    ), logged AS (
        INSERT INTO changes (kind, entity_id, op) SELECT * FROM {changes}
    ), counted AS (
        UPDATE documents SET fact_counts = {counts} WHERE id = {document}
    ), queued AS (
        INSERT INTO rivalry_recounts (kind, id) SELECT * FROM {recounts} ON CONFLICT DO NOTHING
    )
    SELECT * FROM (
        SELECT {columns} FROM citations WHERE fact_kind = 'event' AND fact_id = ANY({events}) AND field IS NOT NULL
        UNION ALL
        SELECT {columns} FROM cited WHERE fact_kind = 'event' AND field IS NOT NULL
    ) AS claims
    ORDER BY fact_id, field, document_id, start
    """  # noqa: S608 - constant fragments and $n placeholders only
    return sql


_CONTRIBUTE = _contribute_sql()
_SET_CONFLICTS = _Sql()
_SET_CONFLICTS.text = f"""
    UPDATE events AS e SET conflicts = v.conflicts::jsonb
    FROM {_SET_CONFLICTS.rows("events", "id text, conflicts text")}
    WHERE e.id = v.id
"""  # noqa: S608 - constant fragments and $n placeholders only


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
        )

    def merge(self, event: EventFact) -> None:
        """Fold in a later report of this event.

        It fills what the first left unknown and never overwrites it, with two exceptions: a more
        specific type of the same family (a "partnership" later reported as an "acquisition") and a
        status further along (talks "paused", a bid "rejected") win.
        """
        mine, theirs = position(TYPE_ORDER, event.type), position(TYPE_ORDER, self.type)
        if mine is not None and theirs is not None and mine < theirs:
            self.type = event.type
        mine, theirs = position(STATUS_ORDER, event.status), position(STATUS_ORDER, self.status)
        if mine is not None and theirs is not None and mine > theirs:
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
        names = ("id", "type", "status", "occurred_on", "date_precision", "date_text", "summary", "reported_on")
        return {name: getattr(self, name) for name in names}


class _DocumentLoader:
    """Writes one extraction with a constant number of statements, whatever its size.

    The rows of every table are built in Python first (events clustered against one query's worth
    of candidates), then written by :data:`_WRITE_FACTS` and :data:`_CONTRIBUTE`.
    """

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
        keys = [key for *_, key in reported]
        found = await self.db.fetch(
            _CANDIDATES.text, *_CANDIDATES.args({"refs": refs_rows, "singles": singles, "keys": keys})
        )
        clusters = {
            r["cluster_key"]: _Cluster(**{k: v for k, v in r.items() if k != "refs"}, refs=set(r["refs"]), stored=True)
            for r in found
        }
        # The extraction already merged this document's own repeated reports (cluster stage): its
        # events are matched against those other documents reported, not against each other.
        stored = [(c, c.refs, c.id) for c in clusters.values()]
        for event, participants, event_refs, key in reported:
            mine = {f"{kind}:{slug}" for kind, slug in event_refs}
            match = best_match(event, mine, stored)
            if match is not None:
                cluster, created = match, False
                cluster.merge(event)
            elif key in clusters and clusters[key].stored:
                # The key is taken by an event the rules kept apart: it is cited, not merged.
                cluster, created = clusters[key], False
            else:
                # Two events of this document the cluster stage kept apart get keys of their own.
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


# Event counts and date ranges of the rivalries queued loads and retractions may have changed
# (:class:`RivalryRecount`), consuming the queue: those a document asserted, those whose two
# parties take part together in a queued event (a count changes only when an event gains both
# parties, or the date of an event both take part in changes), and those of a queued party (a
# retraction: the events it deleted are gone). Each is recounted by walking its first party's
# participations and looking the second party up in each of those events (by index), so a batch
# recounts the few rivalries its events concern, not every rivalry of every company it mentions.
# Rivalries whose counts did not change are not rewritten.
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
        SELECT r.* FROM keyed AS r
        JOIN queued AS q ON q.kind IN ('organisation', 'person') AND q.kind || ':' || q.id IN (r.a, r.b)
    ), counted AS (
        SELECT s.id, c.n, c.first, c.last
        FROM scope AS s
        CROSS JOIN LATERAL (
            SELECT count(*) AS n, min(e.occurred_on) AS first, max(e.occurred_on) AS last
            FROM (
                SELECT event_id FROM event_participants WHERE organisation_id = s.party_a_organisation_id
                UNION ALL
                SELECT event_id FROM event_participants WHERE person_id = s.party_a_person_id
            ) AS pa
            JOIN event_participants AS pb ON pb.event_id = pa.event_id
                 AND (pb.organisation_id = s.party_b_organisation_id OR pb.person_id = s.party_b_person_id)
            JOIN events AS e ON e.id = pa.event_id
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


async def _log_changes(conn: AsyncConnection, touched: _Touched) -> None:
    rows = [{"kind": kind, "entity_id": fact_id, "op": op} for kind, fact_id, op in _changes(touched)]
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
        queued = [{"kind": kind, "id": entity_id} for kind, entity_id in participants]
        if queued:
            await conn.execute(pg_insert(RivalryRecount).values(queued).on_conflict_do_nothing())
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
                " entity_redirects, rivalry_recounts"
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
    " organisations, organisation_aliases, people, person_aliases, person_roles, changes"
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
    "LoadOutcome",
    "analyze",
    "document_count",
    "document_id",
    "load_document",
    "load_document_in",
    "reset_all",
    "retract_document",
]
