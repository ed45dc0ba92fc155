"""Each participant row carries its event's type and date, so one organisation's or person's
events are read from one index in page order.

``GET /events?organisation=openai&type=investment&from=2020-01-01`` walked investments since
2020 in date order and probed, for each, whether OpenAI took part: at 1M events, 339 probes and
1,703 buffers for 51 rows, a third of the speed of an unfiltered page. With ``event_type`` and
``event_occurred_on`` copied into ``event_participants``, the same page is a range scan of
``(organisation_id, event_type, coalesce(event_occurred_on, 'infinity'), event_id)`` that stops
after 51 entries, then 51 event look-ups by id. The same holds without a type (the
``/organisations/{id}/events`` sub-resource) and newest first.

The copies are kept by triggers: a participant row takes its event's values when it is written
without them (``BEFORE INSERT OR UPDATE OF event_id``), and an event whose type or date changes
passes them on (``AFTER UPDATE OF type, occurred_on``). That second write must not recompute the event's
list item again (it shows neither column), so ``rivalry_participants_changed`` now ignores
updates that change nothing the item shows.

Each order has its index, with and without the type: a page is read through them for any
entity, without knowing at planning time how many rows it has (see ``service/events/sql.py``),
and only an index that gives the order makes the plan safe for an entity in 17 % of the events.
The eight indexes are partial (``WHERE organisation_id IS NOT NULL`` / ``person_id``): a row is
either an organisation's or a person's, so it enters four of them, two more index entries per row
than the two ``(entity, event_id)`` indexes they replace. Looking a participant up by entity
(renames, deletes cascading from an organisation) uses their first column.

The backfill rewrites every participant row (2.4M at 1M events) with the old indexes dropped and
the statement trigger disabled, then builds the new indexes once.

Revision ID: e5b7c1d94a28
Revises: d81f5b3c9e47
Create Date: 2026-11-23 05:00:00
"""

# ruff: noqa: S608 - every SQL fragment here is a constant of this module, no input reaches it
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e5b7c1d94a28"
down_revision: str | None = "d81f5b3c9e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFERS = "coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on'"

ASC = "coalesce(event_occurred_on, 'infinity'::date)"
DESC = "coalesce(event_occurred_on, '-infinity'::date) DESC"
INDEXES = {
    f"ix_event_participants_{entity}_{name}": (
        f"event_participants ({entity}_id, {columns}, event_id) WHERE {entity}_id IS NOT NULL"
    )
    for entity in ("organisation", "person")
    for name, columns in (
        ("occurred_on_key", ASC),
        ("occurred_on_desc_key", DESC),
        ("type_occurred_on_key", f"event_type, {ASC}"),
        ("type_occurred_on_desc_key", f"event_type, {DESC}"),
    )
}
OLD_INDEXES = {
    "ix_event_participants_organisation_id_event_id": "event_participants (organisation_id, event_id)",
    "ix_event_participants_person_id_event_id": "event_participants (person_id, event_id)",
}

# What a participant row shows in its event's list item; the event's copied columns are not.
SHOWN = "(n.event_id, n.kind, n.organisation_id, n.person_id, n.role)"
CHANGED_ONLY = (
    "SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
    f" WHERE {SHOWN} IS DISTINCT FROM {SHOWN.replace('n.', 'o.')}"
    " UNION SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
    f" WHERE {SHOWN} IS DISTINCT FROM {SHOWN.replace('n.', 'o.')}"
)
ANY_UPDATE = "SELECT event_id FROM new_rows UNION SELECT event_id FROM old_rows"


def _participants_changed(on_update: str) -> str:
    """The statement trigger function of migration d81f5b3c9e47 for participants, with the events
    an update touches selected by ``on_update``."""
    branches = []
    for operation, ids in (
        ("INSERT", "SELECT event_id FROM new_rows"),
        ("DELETE", "SELECT event_id FROM old_rows"),
        ("UPDATE", on_update),
    ):
        branches.append(
            f"{'IF' if not branches else 'ELSIF'} TG_OP = '{operation}' THEN"
            " IF deferred THEN"
            f" INSERT INTO list_item_queue (kind, id) SELECT 'event', x.id FROM ({ids}) AS x(id)"
            " WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;"
            f" ELSE UPDATE events SET list_item = NULL WHERE id IN ({ids}); END IF;"
        )
    return (
        "CREATE OR REPLACE FUNCTION rivalry_participants_changed() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" DECLARE deferred boolean := {DEFERS}; BEGIN {' '.join(branches)} END IF; RETURN NULL; END $$"
    )


# A participant row written without its event's values, or moved to another event, takes them
# from the event (NULL for a missing event: the foreign key then rejects the row at the end of the
# statement, with its usual error). A writer may give them itself: the loader does, because its
# events and their participants are written by one statement, whose triggers see the events as
# they were before it.
TAKE_FROM_EVENT = """
CREATE FUNCTION rivalry_participant_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR NEW.event_type IS NULL THEN
        SELECT e.type, e.occurred_on INTO NEW.event_type, NEW.event_occurred_on FROM events e WHERE e.id = NEW.event_id;
    END IF;
    RETURN NEW;
END $$
"""

# Row triggers AFTER an update run at the end of the statement and see everything it wrote,
# participant rows inserted by the same statement included.
FOLLOW_EVENT = """
CREATE FUNCTION rivalry_event_participants_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_participants SET event_type = NEW.type, event_occurred_on = NEW.occurred_on
    WHERE event_id = NEW.id AND (event_type, event_occurred_on) IS DISTINCT FROM (NEW.type, NEW.occurred_on);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute("ALTER TABLE event_participants ADD COLUMN event_type varchar(16), ADD COLUMN event_occurred_on date")
    for name in OLD_INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute(_participants_changed(CHANGED_ONLY))
    # The backfill changes nothing a list item shows: no statement trigger needs to see it.
    op.execute("ALTER TABLE event_participants DISABLE TRIGGER participants_changed_update")
    op.execute(
        "UPDATE event_participants p SET event_type = e.type, event_occurred_on = e.occurred_on"
        " FROM events e WHERE e.id = p.event_id"
    )
    op.execute("ALTER TABLE event_participants ENABLE TRIGGER participants_changed_update")
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {definition}")
    op.execute(TAKE_FROM_EVENT)
    op.execute(
        "CREATE TRIGGER participant_event BEFORE INSERT OR UPDATE OF event_id ON event_participants"
        " FOR EACH ROW EXECUTE FUNCTION rivalry_participant_event()"
    )
    op.execute(FOLLOW_EVENT)
    op.execute(
        "CREATE TRIGGER event_participants_follow AFTER UPDATE OF type, occurred_on ON events FOR EACH ROW"
        " WHEN (OLD.type IS DISTINCT FROM NEW.type OR OLD.occurred_on IS DISTINCT FROM NEW.occurred_on)"
        " EXECUTE FUNCTION rivalry_event_participants_follow()"
    )
    op.execute("ANALYZE event_participants")


def downgrade() -> None:
    op.execute("DROP TRIGGER event_participants_follow ON events")
    op.execute("DROP FUNCTION rivalry_event_participants_follow()")
    op.execute("DROP TRIGGER participant_event ON event_participants")
    op.execute("DROP FUNCTION rivalry_participant_event()")
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute(_participants_changed(ANY_UPDATE))
    op.execute("ALTER TABLE event_participants DROP COLUMN event_type, DROP COLUMN event_occurred_on")
    for name, definition in OLD_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {definition}")
