"""Events and funding keep their list item, as JSON, in a column maintained by triggers.

A page of ``GET /api/v1/events`` used to build each item when read: a correlated subquery for the
participants and their names, one for the funding ids, one for the first citation. PostgreSQL
spent ≈ 2 ms of CPU on a 50-item page, and the API could not serve more pages than that allowed
(pgbench: 469 pages/s on two cores at 100k events). Items change far less often than they are
read, so each row now stores its item (``list_item``) and a page is an index range read of 50
stored values (5,571 pages/s, same machine).

The JSON shape lives here, once, in two SQL functions (``rivalry_event_json``,
``rivalry_funding_json``; their second argument asks for the first citation only, as lists show,
or all of them, as the detail routes do). Triggers keep ``list_item`` true whatever writes:

- a row's own insert or update recomputes its item (``BEFORE`` row trigger);
- what an item shows from other tables — participants and payers, their names, an event's funding
  ids, the first citation — marks the owning rows for recomputation (``AFTER`` statement
  triggers over the transition tables: one ``UPDATE`` per statement, however many rows it wrote).

Revision ID: 8d4f2a6c1e93
Revises: 5c1d7e9a2b40
Create Date: 2026-11-22 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "8d4f2a6c1e93"
down_revision: str | None = "5c1d7e9a2b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _changed(name: str, targets: list[tuple[str, str]], on_update: str | None = None) -> str:
    """A statement trigger function marking the rows of each ``(table, ids query)`` target whose
    ids the query selects from the written rows (``{rows}``: ``new_rows``, ``old_rows`` or both).

    A transition table exists only for the operations that have it (no ``old_rows`` on ``INSERT``),
    and PL/pgSQL plans a statement when it first runs it, so each operation gets its own branch.
    """

    branches = []
    for operation, rows in (("INSERT", ["new_rows"]), ("DELETE", ["old_rows"]), ("UPDATE", ["new_rows", "old_rows"])):
        statements = []
        for table, query in targets:
            if operation == "UPDATE" and on_update is not None:
                ids = on_update
            else:
                ids = " UNION ".join(query.format(rows=r) for r in rows)
            statements.append(f"UPDATE {table} SET list_item = NULL WHERE id IN ({ids});")  # noqa: S608 - names of this module
        branches.append(f"{'IF' if not branches else 'ELSIF'} TG_OP = '{operation}' THEN {' '.join(statements)}")
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" {' '.join(branches)} END IF; RETURN NULL; END $$"
    )


# JSON shapes: CitationRead, EntityRef, EventRead, FundingRead (service/*/schemas.py), field for field.
# PL/pgSQL, not SQL: a SQL function with subqueries is never inlined, and is planned again on
# every statement that calls it (0.6 ms for an event's detail); PL/pgSQL keeps its plans for the
# connection's lifetime.
FUNCTIONS = [
    """
    CREATE FUNCTION rivalry_citations_json(kind text, fact text, lead_only boolean, claims boolean) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$ BEGIN
        RETURN (SELECT coalesce(json_agg(json_build_object('document_id', c.document_id, 'start', c.start, 'end', c."end",
                   'quote', c.quote, 'prefix', c.prefix, 'suffix', c.suffix, 'extractor', c.extractor,
                   'confidence', c.confidence) ORDER BY c.id), '[]'::json)
        FROM (SELECT * FROM citations c WHERE c.fact_kind = kind AND c.fact_id = fact AND (claims OR c.field IS NULL)
              ORDER BY c.id LIMIT CASE WHEN lead_only THEN 1 END) c);
    END $$
    """,
    """
    CREATE FUNCTION rivalry_entity_json(kind text, organisation text, person text) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$ BEGIN
        RETURN (SELECT json_build_object('entity_kind', kind, 'id', coalesce(organisation, person),
            'name', coalesce((SELECT o.name FROM organisations o WHERE o.id = organisation),
                             (SELECT p.name FROM people p WHERE p.id = person), organisation, person)));
    END $$
    """,
    # An event's claims (field/value citations) are shown under `conflicts`, not `citations`.
    """
    CREATE FUNCTION rivalry_event_json(e events, lead_only boolean) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$ BEGIN
        RETURN (SELECT json_build_object('id', e.id, 'type', e.type, 'title', e.title, 'summary', e.summary,
            'status', e.status, 'occurred_on', e.occurred_on, 'date_precision', e.date_precision,
            'date_text', e.date_text, 'reported_on', e.reported_on,
            'participants', coalesce((SELECT json_agg(json_build_object('entity_kind', p.kind,
                    'id', coalesce(p.organisation_id, p.person_id),
                    'name', coalesce(o.name, pp.name, p.organisation_id, p.person_id), 'role', p.role) ORDER BY p.id)
                FROM event_participants p LEFT JOIN organisations o ON o.id = p.organisation_id
                LEFT JOIN people pp ON pp.id = p.person_id WHERE p.event_id = e.id), '[]'::json),
            'funding_ids', coalesce((SELECT json_agg(f.id ORDER BY f.id) FROM funding f WHERE f.event_id = e.id),
                '[]'::json),
            'source_count', e.source_count, 'first_reported_on', e.first_reported_on,
            'last_reported_on', e.last_reported_on, 'conflicts', e.conflicts,
            'citations', rivalry_citations_json('event', e.id, lead_only, false)));
    END $$
    """,
    """
    CREATE FUNCTION rivalry_funding_json(f funding, lead_only boolean) RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$ BEGIN
        RETURN (SELECT json_build_object('id', f.id, 'kind', f.kind, 'amount', f.amount::float8, 'currency', f.currency,
            'qualifier', f.qualifier, 'amount_usd', f.amount_usd::float8, 'equivalents', f.equivalents,
            'amount_text', f.amount_text,
            'payers', coalesce((SELECT json_agg(rivalry_entity_json(p.kind, p.organisation_id, p.person_id)
                ORDER BY p.id) FROM funding_payers p WHERE p.funding_id = f.id), '[]'::json),
            'recipient', CASE WHEN f.recipient_kind IS NULL THEN NULL
                ELSE rivalry_entity_json(f.recipient_kind, f.recipient_organisation_id, f.recipient_person_id) END,
            'event_id', f.event_id, 'occurred_on', f.occurred_on, 'date_precision', f.date_precision,
            'status', f.status, 'source_count', f.source_count,
            'citations', rivalry_citations_json('funding', f.id, lead_only, true)));
    END $$
    """,
    # A row's own writes: its item from its new values.
    """
    CREATE FUNCTION rivalry_event_item() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.list_item := rivalry_event_json(NEW, true);
        RETURN NEW;
    END $$
    """,
    """
    CREATE FUNCTION rivalry_funding_item() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.list_item := rivalry_funding_json(NEW, true);
        RETURN NEW;
    END $$
    """,
    # Writes elsewhere: the rows whose items show what changed are updated, which recomputes them
    # (the BEFORE trigger above). `list_item = NULL` is only the update's pretext.
    _changed("rivalry_participants_changed", [("events", "SELECT event_id FROM {rows}")]),
    _changed("rivalry_payers_changed", [("funding", "SELECT funding_id FROM {rows}")]),
    _changed(
        "rivalry_citations_changed",
        [
            ("events", "SELECT fact_id FROM {rows} WHERE fact_kind = 'event' AND field IS NULL"),
            ("funding", "SELECT fact_id FROM {rows} WHERE fact_kind = 'funding'"),
        ],
    ),
    # An event lists its funding ids: funding added, removed or moved to another event (updates
    # that leave `event_id` alone, the most common by far, touch no event).
    _changed(
        "rivalry_funding_changed",
        [("events", "SELECT event_id FROM {rows}")],
        on_update=(
            "SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.event_id IS DISTINCT FROM n.event_id"
            " UNION SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
            " WHERE o.event_id IS DISTINCT FROM n.event_id"
        ),
    ),
    # Items show participants' names: a renamed organisation or person (id changes cascade to
    # the participant and payer rows, whose own triggers then fire).
    """
    CREATE FUNCTION rivalry_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        renamed text[];
    BEGIN
        SELECT array_agg(n.id) INTO renamed FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.name IS DISTINCT FROM o.name;
        IF renamed IS NULL THEN
            RETURN NULL;
        END IF;
        IF TG_TABLE_NAME = 'organisations' THEN
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT event_id FROM event_participants WHERE organisation_id = ANY(renamed));
            UPDATE funding SET list_item = NULL WHERE recipient_organisation_id = ANY(renamed) OR id IN (
                SELECT funding_id FROM funding_payers WHERE organisation_id = ANY(renamed));
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT event_id FROM event_participants WHERE person_id = ANY(renamed));
            UPDATE funding SET list_item = NULL WHERE recipient_person_id = ANY(renamed) OR id IN (
                SELECT funding_id FROM funding_payers WHERE person_id = ANY(renamed));
        END IF;
        RETURN NULL;
    END $$
    """,
]

# (table, trigger, events, function): statement triggers see the rows written as transition tables.
_CHANGES = [
    ("event_participants", "participants_changed", "rivalry_participants_changed"),
    ("funding_payers", "payers_changed", "rivalry_payers_changed"),
    ("funding", "funding_changed", "rivalry_funding_changed"),
    ("citations", "citations_changed", "rivalry_citations_changed"),
]


def _statement_triggers() -> list[str]:
    """One trigger per operation, each naming the transition tables that operation has (``INSERT``
    has no old rows, ``DELETE`` no new ones), so a trigger's name says what it reacts to."""
    statements = []
    for table, name, function in _CHANGES:
        statements += [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table}"
            " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    for table in ("organisations", "people"):
        statements.append(
            f"CREATE TRIGGER {table}_renamed AFTER UPDATE ON {table}"
            " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION rivalry_names_changed()"
        )
    return statements


def upgrade() -> None:
    op.execute("ALTER TABLE events ADD COLUMN list_item json")
    op.execute("ALTER TABLE funding ADD COLUMN list_item json")
    for statement in FUNCTIONS:
        op.execute(statement)
    # Existing rows, before the triggers exist (each row computed once).
    op.execute("UPDATE events e SET list_item = rivalry_event_json(e, true)")
    op.execute("UPDATE funding f SET list_item = rivalry_funding_json(f, true)")
    op.execute(
        "CREATE TRIGGER list_item BEFORE INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION rivalry_event_item()"
    )
    op.execute(
        "CREATE TRIGGER list_item BEFORE INSERT OR UPDATE ON funding"
        " FOR EACH ROW EXECUTE FUNCTION rivalry_funding_item()"
    )
    for statement in _statement_triggers():
        op.execute(statement)


def downgrade() -> None:
    for table, name, _ in _CHANGES:
        for operation in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {name}_{operation} ON {table}")
    for table in ("organisations", "people"):
        op.execute(f"DROP TRIGGER {table}_renamed ON {table}")
    op.execute("DROP TRIGGER list_item ON events")
    op.execute("DROP TRIGGER list_item ON funding")
    for function in (
        "rivalry_names_changed()",
        "rivalry_citations_changed()",
        "rivalry_funding_changed()",
        "rivalry_payers_changed()",
        "rivalry_participants_changed()",
        "rivalry_funding_item()",
        "rivalry_event_item()",
        "rivalry_funding_json(funding, boolean)",
        "rivalry_event_json(events, boolean)",
        "rivalry_entity_json(text, text, text)",
        "rivalry_citations_json(text, text, boolean, boolean)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    op.execute("ALTER TABLE funding DROP COLUMN list_item")
    op.execute("ALTER TABLE events DROP COLUMN list_item")
