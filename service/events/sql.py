"""The events list and detail as single SQL statements that return finished JSON.

One statement per request (see :mod:`service.reads`): the keyset page is chosen on an index
whose first column never is NULL (``coalesce(occurred_on, 'infinity')``), so a page 100,000 rows
deep is one index range scan like the first page, and it reads each event's stored list item.
PostgreSQL writes the JSON (``rivalry_event_json``, migration 8d4f2a6c1e93): the list items when
an event or what it shows changes, the detail when asked. A page of one organisation's or
person's events is read through their participant rows instead (:func:`reads_through`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from service.events.queries import SORT_KEYS, EventFilters
from service.reads import (
    Ordering,
    Reader,
    SqlArgs,
    as_utf8,
    date_range_on_key,
    keyset_page_sql,
    merged,
    page_limit,
    resolve_names,
    resolved_ids_sql,
)
from service.reads import count_sql as counting

ORDERINGS: dict[str, Ordering] = {
    "occurred_on": Ordering(
        "coalesce(e.occurred_on, 'infinity'::date)", "e.occurred_on", "date", "'infinity'::date", False
    ),
    "-occurred_on": Ordering(
        "coalesce(e.occurred_on, '-infinity'::date)", "e.occurred_on", "date", "'-infinity'::date", True
    ),
    "-source_count": Ordering("e.source_count", "e.source_count", "int", "0", True),
}

# The same date orderings on a participant row's copy of its event's date (migration
# e5b7c1d94a28): one organisation's or person's events, read in page order from
# `(entity, [type,] date key, event_id)`. Without them PostgreSQL walks every event in date order
# and asks of each whether the entity took part: 339 probes for a page of OpenAI's investments
# at 1M events, against 51 index entries.
THROUGH_PARTICIPANT: dict[str, Ordering] = {
    "occurred_on": Ordering(
        "coalesce(ep.event_occurred_on, 'infinity'::date)", "e.occurred_on", "date", "'infinity'::date", False,
        id_column="ep.event_id",
    ),
    "-occurred_on": Ordering(
        "coalesce(ep.event_occurred_on, '-infinity'::date)", "e.occurred_on", "date", "'-infinity'::date", True,
        id_column="ep.event_id",
    ),
}  # fmt: skip


def reads_through(filters: EventFilters, sort: str) -> bool:
    """Whether a page is read through participant rows (:func:`_page_through`): sorted by date, one
    kind of entity to match (a sub-resource's own, or organisations, or people), and nothing else
    but what their index holds (a type, dates).

    Only then is the plan safe without knowing the entities: each one's rows are a range of an
    index in page order, which PostgreSQL walks whatever it guesses. Any other condition would
    make it guess how far (it guesses as for an average entity, and sorted all 18,727 of OpenAI's
    investments and bids to return 51, 204 ms at 1M events): those pages resolve names first and
    are planned for the ids, as every filtered page was.
    """
    entities = (filters.participant, filters.organisations, filters.people)
    return (
        sort in THROUGH_PARTICIPANT
        and sum(entity is not None for entity in entities) == 1
        and len(filters.types) <= 1
        and not filters.statuses
        and filters.rivalry is None
        and not filters.q
        and filters.min_sources is None
    )


def _ids(kind: str, values: Sequence[str], args: SqlArgs, names: bool) -> str:
    """The ids of an organisation or person filter as a SQL array: resolved from ``values`` inside
    the statement when they are ``names`` as given, else ``values`` themselves (ids already)."""
    return resolved_ids_sql(kind, args, list(values)) if names else args.add(list(values), "text[]")


def _through(filters: EventFilters, args: SqlArgs, names: bool) -> tuple[str, str]:
    """The participant column and the SQL array of ids of the entity filter (see :func:`reads_through`)."""
    if filters.participant is not None:
        kind, entity_id = filters.participant
        return ("organisation_id" if kind == "organisation" else "person_id"), f"ARRAY[{args.add(entity_id, 'text')}]"
    if filters.organisations is not None:
        return "organisation_id", _ids("organisation", filters.organisations, args, names)
    assert filters.people is not None
    return "person_id", _ids("person", filters.people, args, names)


def _on_participant(filters: EventFilters, args: SqlArgs) -> list[str]:
    """The type and date filters as conditions on the participant row ``ep``'s copies."""
    conditions = []
    if filters.types:
        conditions.append(f"ep.event_type = {args.add(filters.types[0], 'text')}")
    if filters.date_from is not None:
        conditions.append(f"ep.event_occurred_on >= {args.add(filters.date_from, 'date')}")
    if filters.date_to is not None:
        conditions.append(f"ep.event_occurred_on <= {args.add(filters.date_to, 'date')}")
    return conditions


def where(filters: EventFilters, args: SqlArgs, *, names: bool = False) -> list[str]:
    """The filters as SQL conditions on ``events e``: organisation and person filters hold ids
    (after :func:`resolve`), or ``names`` resolved in the statement."""
    conditions: list[str] = []
    if len(filters.types) == 1:
        # Equality (not `= ANY`) lets the (type, date, id) index also give the page its order.
        conditions.append(f"e.type = {args.add(filters.types[0], 'text')}")
    elif filters.types:
        conditions.append(f"e.type = ANY({args.add(list(filters.types), 'text[]')})")
    if filters.statuses:
        conditions.append(f"e.status = ANY({args.add(list(filters.statuses), 'text[]')})")
    if filters.organisations is not None:
        ids = _ids("organisation", filters.organisations, args, names)
        conditions.append(
            f"EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.organisation_id = ANY({ids}))"
        )
    if filters.people is not None:
        ids = _ids("person", filters.people, args, names)
        conditions.append(
            f"EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.person_id = ANY({ids}))"
        )
    if filters.participant is not None:
        kind, entity_id = filters.participant
        column = "organisation_id" if kind == "organisation" else "person_id"
        entity = args.add(entity_id, "text")
        conditions.append(
            f"EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.{column} = {entity})"
        )
    if filters.rivalry is not None:
        # The two sides (or an organisation a side runs) on opposite sides of the event
        # (migration a7d3e9f1b2c4 holds the one definition).
        conditions.append(f"e.id IN (SELECT rivalry_event_ids({args.add(filters.rivalry, 'text')}))")
    if filters.date_from is not None:
        conditions.append(f"e.occurred_on >= {args.add(filters.date_from, 'date')}")
    if filters.date_to is not None:
        conditions.append(f"e.occurred_on <= {args.add(filters.date_to, 'date')}")
    if filters.q:
        query = f"websearch_to_tsquery('french', rivalry_unaccent({args.add(filters.q, 'text')}))"
        conditions.append(f"e.search_vector @@ {query}")
    if filters.min_sources is not None:
        conditions.append(f"e.source_count >= {args.add(filters.min_sources, 'int')}")
    return conditions


async def resolve(reader: Reader, filters: EventFilters) -> EventFilters:
    """The filters with organisation/person names replaced by the ids they name (one statement)."""
    wanted: dict[str, tuple[tuple[str, ...], Sequence[str]]] = {}
    if filters.organisations is not None:
        wanted["organisations"] = (("organisation",), filters.organisations)
    if filters.people is not None:
        wanted["people"] = (("person",), filters.people)
    if not wanted:
        return filters
    ids = await resolve_names(reader, wanted)
    replaced: EventFilters = msgspec.structs.replace(filters, **{k: tuple(v) for k, v in ids.items()})
    return replaced


def page_sql(
    filters: EventFilters, sort: str, limit: int, after: Sequence[Any] | None, *, names: bool = False
) -> tuple[str, list[Any]]:
    """One page after the cursor values ``after`` (as decoded from a cursor; checked and typed here).
    ``names``: the organisation and person filters are names as given, resolved in the statement."""
    if after is not None:
        after = [key.parse(value) for key, value in zip(SORT_KEYS[sort], after, strict=True)]
    args = SqlArgs()
    if reads_through(filters, sort):
        return _page_through(filters, sort, limit, after, args, names), args.values
    ordering = ORDERINGS[sort]
    conditions = where(filters, args, names=names)
    if ordering.column == "e.occurred_on":
        conditions += date_range_on_key(ordering, args, filters.date_from, filters.date_to)
    return keyset_page_sql("events", conditions, ordering, args, limit, after), args.values


def _page_through(
    filters: EventFilters, sort: str, limit: int, after: Sequence[Any] | None, args: SqlArgs, names: bool
) -> str:
    """A page of the events one of some entities took part in, read through their participant rows.

    For each id, its first ``limit + 1`` rows after the cursor are a range of one index
    (``(entity, [type,] date key, event_id)``, migration e5b7c1d94a28); the page is the first
    ``limit + 1`` distinct events among those (an event two of the entities took part in comes
    once per entity). The plan is the same for an entity in 17 % of the events or in 3 of them,
    so the names are resolved in the same statement: one round trip.
    """
    ordering = THROUGH_PARTICIPANT[sort]
    column, ids = _through(filters, args, names)
    conditions = [f"ep.{column} = i.id", *_on_participant(filters, args)]
    conditions += date_range_on_key(ordering, args, filters.date_from, filters.date_to)
    ranges = [conditions] if after is None else [[*conditions, r] for r in ordering.after(args, after)]
    fetch = page_limit(limit)
    direction = " DESC" if ordering.descending else ""
    branches = [
        f"SELECT e.list_item, e.list_hash, e.occurred_on, e.id, {ordering.key} AS key FROM event_participants ep"
        f" JOIN events e ON e.id = ep.event_id WHERE {' AND '.join(range_)}"
        f" ORDER BY {ordering.order_by()} LIMIT {fetch}"
        for range_ in ranges
    ]
    # After a cursor on a descending page, two index ranges per entity (Ordering.after), merged.
    per_entity = branches[0] if len(branches) == 1 else f"SELECT * FROM {merged(branches, ordering, 'u', fetch)}"
    return (
        f"SELECT DISTINCT ON (x.key, x.id) {as_utf8('x.list_item')} AS item, x.occurred_on AS sort_value, x.id,"
        f" x.list_hash FROM unnest({ids}) AS i(id) CROSS JOIN LATERAL ({per_entity}) x"
        f" ORDER BY x.key{direction}, x.id LIMIT {fetch}"
    )


def count_sql(filters: EventFilters, *, names: bool = False) -> tuple[str, list[Any]]:
    """How many events match; read through participant rows, a count of one index's entries."""
    args = SqlArgs()
    if not reads_through(filters, "occurred_on"):
        return counting("events", "e", where(filters, args, names=names)), args.values
    column, ids = _through(filters, args, names)
    conditions = [f"ep.{column} = ANY({ids})", *_on_participant(filters, args)]
    return (
        f"SELECT count(DISTINCT ep.event_id) AS total FROM event_participants ep WHERE {' AND '.join(conditions)}",
        args.values,
    )


def detail_sql(event_id: str) -> tuple[str, list[Any]]:
    """The ``EventRead`` of one event, every citation included (the shape: migration 8d4f2a6c1e93)."""
    return f"SELECT {as_utf8('rivalry_event_json(e, false)')} AS data FROM events e WHERE e.id = $1", [event_id]
