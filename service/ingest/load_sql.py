"""The loader's hand-written SQL, and the asyncpg connection it runs on.

Loading is the hot path of ``rivalry seed``, so a document costs a constant handful of statements
whatever it holds. They run on the asyncpg connection under SQLAlchemy's, in the same transaction
(:class:`_Raw`): asyncpg prepares each text once per connection, where SQLAlchemy's compilation
and execution of ~40 statements per document used to cost the seed more CPU than extracting the
document. Each set of rows travels as one JSON parameter and is written with ``INSERT … SELECT …
FROM json_to_recordset(…)`` (:class:`_Sql`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from service.ingest.cluster import TYPE_FAMILIES

# Every load and retraction takes this lock: clustering reads then writes shared facts.
LOAD_LOCK_ID = 0x52495642


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
    "id text, type text, title text, status text, occurred_on date, date_precision text, date_text text, summary text,"
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
    roles_said = sql.rows("roles_said", _PARTICIPANT, "s")
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
        SET type = u.type, title = u.title, status = u.status, occurred_on = u.occurred_on,
            date_precision = u.date_precision, date_text = u.date_text, summary = u.summary,
            reported_on = u.reported_on,
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
    ), participant_roles AS (
        -- A report at least as specific as the stored event's type gives its participants their
        -- roles (the rows other documents stored; this statement's own inserts are not visible).
        UPDATE event_participants AS p SET role = s.role
        FROM {roles_said}
        WHERE p.event_id = s.event_id AND p.kind = s.kind AND p.role <> s.role
          AND p.organisation_id IS NOT DISTINCT FROM s.organisation_id AND p.person_id IS NOT DISTINCT FROM s.person_id
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
                 FROM event_participants AS p WHERE p.event_id = e.id) AS refs,
           ARRAY(SELECT p.kind || ':' || coalesce(p.organisation_id, p.person_id)
                 FROM event_participants AS p WHERE p.event_id = e.id AND p.role = 'speaker') AS speakers
    FROM found JOIN events AS e USING (id)
    """  # noqa: S608 - constant fragments and $n placeholders only
    return sql


_CANDIDATES = _candidates_sql()


def _identities_sql() -> _Sql:
    """Which ids a document must not write under, in one statement.

    ``redirect`` rows: an entity the document names was merged into another (``entity_redirects``),
    whose id and name it takes. ``provisional`` rows: the ``candidates`` stored as made from text
    alone (``in_gazetteer`` false), each to be merged into the entity it names; a candidate is the
    id text alone gave a name the gazetteer now gives one of the document's entities (``named``).
    """
    sql = _Sql()
    named = sql.rows("named", "kind text, id text", "n")
    candidates = sql.rows("candidates", "kind text, id text, named text", "c")
    sql.text = f"""
    SELECT 'redirect' AS why, n.kind, n.id, r.new_id AS target, coalesce(o.name, p.name) AS target_name
    FROM {named}
    JOIN entity_redirects AS r ON r.kind = n.kind AND r.old_id = n.id
    LEFT JOIN organisations AS o ON n.kind = 'organisation' AND o.id = r.new_id
    LEFT JOIN people AS p ON n.kind = 'person' AND p.id = r.new_id
    UNION ALL
    SELECT 'provisional', c.kind, c.id, c.named, NULL
    FROM {candidates}
    WHERE (c.kind = 'organisation' AND EXISTS (SELECT FROM organisations AS o WHERE o.id = c.id AND NOT o.in_gazetteer))
       OR (c.kind = 'person' AND EXISTS (SELECT FROM people AS p WHERE p.id = c.id AND NOT p.in_gazetteer))
    """  # noqa: S608 - constant fragments and $n placeholders only
    return sql


_IDENTITIES = _identities_sql()


# (party table, the table of the documents that named each party, its reference to the party, the
# fact the party takes part in): a retraction deletes the parties only the retracted document named.
PARTY_SOURCES = (
    ("event_participants", "event_participant_sources", "participant_id", "event_id"),
    ("funding_payers", "funding_payer_sources", "payer_id", "funding_id"),
)


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
    # The parties this document named, stored or not before it (:data:`_WRITE_FACTS` wrote them).
    party_sources = "), ".join(
        f"""{sources}_insert AS (
        INSERT INTO {sources} ({column}, document_id)
        SELECT p.id, {document} FROM {sql.rows(rows, columns)}
        JOIN {parties} AS p ON p.{fact} = v.{fact}
             AND p.organisation_id IS NOT DISTINCT FROM v.organisation_id
             AND p.person_id IS NOT DISTINCT FROM v.person_id
        ON CONFLICT DO NOTHING"""  # noqa: S608 - constant names and $n placeholders only
        for (parties, sources, column, fact), (rows, columns) in zip(
            PARTY_SOURCES, (("participants", _PARTICIPANT), ("payers", _PAYER)), strict=True
        )
    )
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
    ), {party_sources}
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
