"""A document's load recomputes each stored list item once, not once per statement.

The triggers of migration 8d4f2a6c1e93 recompute an item as soon as a statement writes what it
shows. One document's load writes an event, then its participants, its funding and its
citations: each of those statements updated the event again, 11 row versions per document
on average (21,276 updates of 1,851 events over 2,000 articles), each inserting into the ten
indexes of ``events`` and recomputing its ``search_vector``. The seed fell from 62.6 to 44.0
articles/s (``bench/RESULTS.md``).

A writer that sets ``rivalry.defer_list_items`` to ``on`` for its transaction now has the
triggers queue what they would recompute (``list_item_queue``), and calls
``rivalry_flush_list_items()`` when its writes are done: each queued event and funding row is
then updated once. A transaction that defers and never flushes is flushed at commit by a deferred
constraint trigger, so no committed item is ever stale. Every other writer (the API, direct SQL)
keeps the immediate behaviour.

Revision ID: d81f5b3c9e47
Revises: c4a8e2f71b36
Create Date: 2026-11-23 04:00:00
"""

# ruff: noqa: S608 - every SQL fragment here is a constant of this module, no input reaches it
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "d81f5b3c9e47"
down_revision: str | None = "c4a8e2f71b36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFERS = "coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on'"


def _changed(name: str, targets: list[tuple[str, str, str]], on_update: str | None = None, *, defer: bool) -> str:
    """A statement trigger function for the rows of each ``(table, kind, ids query)`` target whose
    ids the query selects from the written rows (``{rows}``): queued when the transaction defers
    (``defer``), else updated, which recomputes their items. One branch per operation, as each
    has its own transition tables."""
    branches = []
    for operation, rows in (("INSERT", ["new_rows"]), ("DELETE", ["old_rows"]), ("UPDATE", ["new_rows", "old_rows"])):
        statements = []
        for table, kind, query in targets:
            if operation == "UPDATE" and on_update is not None:
                ids = on_update
            else:
                ids = " UNION ".join(query.format(rows=r) for r in rows)
            if defer:
                statements.append(
                    "IF deferred THEN"
                    f" INSERT INTO list_item_queue (kind, id) SELECT '{kind}', x.id FROM ({ids}) AS x(id)"
                    " WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;"
                    f" ELSE UPDATE {table} SET list_item = NULL WHERE id IN ({ids}); END IF;"
                )
            else:
                statements.append(f"UPDATE {table} SET list_item = NULL WHERE id IN ({ids});")
        branches.append(f"{'IF' if not branches else 'ELSIF'} TG_OP = '{operation}' THEN {' '.join(statements)}")
    declare = f"DECLARE deferred boolean := {DEFERS}; " if defer else ""
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {declare}BEGIN"
        f" {' '.join(branches)} END IF; RETURN NULL; END $$"
    )


def _functions(defer: bool) -> list[str]:
    """The trigger functions of 8d4f2a6c1e93, deferring (``defer``) or as they were."""
    queue = {
        kind: (
            f"IF {DEFERS} THEN INSERT INTO list_item_queue (kind, id) VALUES ('{kind}', NEW.id) ON CONFLICT DO NOTHING;"
            " RETURN NEW; END IF;"
            if defer
            else ""
        )
        for kind in ("event", "funding")
    }
    renamed = []
    names = {
        "organisation": (
            "SELECT event_id FROM event_participants WHERE organisation_id = ANY(renamed)",
            "SELECT id FROM funding WHERE recipient_organisation_id = ANY(renamed)"
            " UNION SELECT funding_id FROM funding_payers WHERE organisation_id = ANY(renamed)",
        ),
        "person": (
            "SELECT event_id FROM event_participants WHERE person_id = ANY(renamed)",
            "SELECT id FROM funding WHERE recipient_person_id = ANY(renamed)"
            " UNION SELECT funding_id FROM funding_payers WHERE person_id = ANY(renamed)",
        ),
    }
    for events, funding in names.values():
        if defer:
            renamed.append(
                f"IF {DEFERS} THEN"
                f" INSERT INTO list_item_queue (kind, id) SELECT 'event', x.id FROM ({events}) AS x(id) ON CONFLICT DO NOTHING;"
                f" INSERT INTO list_item_queue (kind, id) SELECT 'funding', x.id FROM ({funding}) AS x(id) ON CONFLICT DO NOTHING;"
                f" ELSE UPDATE events SET list_item = NULL WHERE id IN ({events});"
                f" UPDATE funding SET list_item = NULL WHERE id IN ({funding}); END IF;"
            )
        else:
            renamed.append(
                f"UPDATE events SET list_item = NULL WHERE id IN ({events});"
                f" UPDATE funding SET list_item = NULL WHERE id IN ({funding});"
            )
    # A row's own writes: its item from its new values, unless the transaction defers.
    own_rows = [
        f"CREATE OR REPLACE FUNCTION rivalry_{kind}_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" {queue[kind]} NEW.list_item := rivalry_{kind}_json(NEW, true); RETURN NEW; END $$"
        for kind in ("event", "funding")
    ]
    return [
        *own_rows,
        _changed("rivalry_participants_changed", [("events", "event", "SELECT event_id FROM {rows}")], defer=defer),
        _changed("rivalry_payers_changed", [("funding", "funding", "SELECT funding_id FROM {rows}")], defer=defer),
        _changed(
            "rivalry_citations_changed",
            [
                ("events", "event", "SELECT fact_id FROM {rows} WHERE fact_kind = 'event' AND field IS NULL"),
                ("funding", "funding", "SELECT fact_id FROM {rows} WHERE fact_kind = 'funding'"),
            ],
            defer=defer,
        ),
        _changed(
            "rivalry_funding_changed",
            [("events", "event", "SELECT event_id FROM {rows}")],
            on_update=(
                "SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
                " WHERE o.event_id IS DISTINCT FROM n.event_id"
                " UNION SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
                " WHERE o.event_id IS DISTINCT FROM n.event_id"
            ),
            defer=defer,
        ),
        f"""
        CREATE OR REPLACE FUNCTION rivalry_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            renamed text[];
        BEGIN
            SELECT array_agg(n.id) INTO renamed FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.name IS DISTINCT FROM o.name;
            IF renamed IS NULL THEN
                RETURN NULL;
            END IF;
            IF TG_TABLE_NAME = 'organisations' THEN
                {renamed[0]}
            ELSE
                {renamed[1]}
            END IF;
            RETURN NULL;
        END $$
        """,
    ]


# Each transaction reads and empties only its own rows, found by the first column of the primary
# key. Rows are deleted by the transaction that queued them, so the table holds nothing but dead
# rows between transactions; without VACUUM (autovacuum may be off) a scan of the whole queue, or
# of all its events, walked every row ever queued: the seed slowed down round after round.
FLUSH = """
CREATE FUNCTION rivalry_flush_list_items() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('rivalry.defer_list_items', 'off', true);
    WITH queued AS (DELETE FROM list_item_queue WHERE xact = pg_current_xact_id() AND kind = 'event' RETURNING id)
    UPDATE events SET list_item = NULL WHERE id IN (SELECT id FROM queued);
    WITH queued AS (DELETE FROM list_item_queue WHERE xact = pg_current_xact_id() AND kind = 'funding' RETURNING id)
    UPDATE funding SET list_item = NULL WHERE id IN (SELECT id FROM queued);
END $$
"""

AT_COMMIT = f"""
CREATE FUNCTION rivalry_list_items_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {DEFERS} THEN
        PERFORM rivalry_flush_list_items();
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(
        "CREATE TABLE list_item_queue (xact xid8 NOT NULL DEFAULT pg_current_xact_id(),"
        " kind varchar(8) NOT NULL, id varchar(250) NOT NULL, CONSTRAINT pk_list_item_queue PRIMARY KEY (xact, kind, id))"
    )
    for statement in _functions(defer=True):
        op.execute(statement)
    op.execute(FLUSH)
    op.execute(AT_COMMIT)
    op.execute(
        "CREATE CONSTRAINT TRIGGER list_item_queue_at_commit AFTER INSERT ON list_item_queue"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rivalry_list_items_at_commit()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER list_item_queue_at_commit ON list_item_queue")
    op.execute("DROP FUNCTION rivalry_list_items_at_commit()")
    op.execute("DROP FUNCTION rivalry_flush_list_items()")
    for statement in _functions(defer=False):
        op.execute(statement)
    op.execute("DROP TABLE list_item_queue")
