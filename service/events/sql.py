"""The events list and detail as single SQL statements that return finished JSON.

One statement per request (see :mod:`service.reads`): the keyset page is chosen on an index
whose first column never is NULL (``coalesce(occurred_on, 'infinity')``), so a page 100,000 rows
deep is one index range scan like the first page, and it reads each event's stored list item.
PostgreSQL writes the JSON (``rivalry_event_json``, migration 8d4f2a6c1e93): the list items when
an event or what it shows changes, the detail when asked.
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
    resolve_names,
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


def where(filters: EventFilters, args: SqlArgs) -> list[str]:
    """The filters as SQL conditions on ``events e`` (after :func:`resolve`)."""
    conditions: list[str] = []
    if len(filters.types) == 1:
        # Equality (not `= ANY`) lets the (type, date, id) index also give the page its order.
        conditions.append(f"e.type = {args.add(filters.types[0], 'text')}")
    elif filters.types:
        conditions.append(f"e.type = ANY({args.add(list(filters.types), 'text[]')})")
    if filters.statuses:
        conditions.append(f"e.status = ANY({args.add(list(filters.statuses), 'text[]')})")
    # Organisation and person filters hold ids here: see resolve() (names are resolved first).
    if filters.organisations is not None:
        ids = args.add(list(filters.organisations), "text[]")
        conditions.append(
            f"EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.organisation_id = ANY({ids}))"
        )
    if filters.people is not None:
        ids = args.add(list(filters.people), "text[]")
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
        rivalry = args.add(filters.rivalry, "text")
        party = "coalesce(pa.organisation_id, pa.person_id)"
        conditions.append(
            "e.id IN ("
            f"SELECT pa.event_id FROM event_participants pa, rivalries r WHERE r.id = {rivalry}"
            f" AND {party} = coalesce(r.party_a_organisation_id, r.party_a_person_id)"
            " INTERSECT "
            f"SELECT pa.event_id FROM event_participants pa, rivalries r WHERE r.id = {rivalry}"
            f" AND {party} = coalesce(r.party_b_organisation_id, r.party_b_person_id))"
        )
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


def page_sql(filters: EventFilters, sort: str, limit: int, after: Sequence[Any] | None) -> tuple[str, list[Any]]:
    """One page after the cursor values ``after`` (as decoded from a cursor; checked and typed here)."""
    if after is not None:
        after = [key.parse(value) for key, value in zip(SORT_KEYS[sort], after, strict=True)]
    args = SqlArgs()
    ordering = ORDERINGS[sort]
    conditions = where(filters, args)
    if ordering.column == "e.occurred_on":
        conditions += date_range_on_key(ordering, args, filters.date_from, filters.date_to)
    return keyset_page_sql("events", conditions, ordering, args, limit, after), args.values


def count_sql(filters: EventFilters) -> tuple[str, list[Any]]:
    args = SqlArgs()
    return counting("events", "e", where(filters, args)), args.values


def detail_sql(event_id: str) -> tuple[str, list[Any]]:
    """The ``EventRead`` of one event, every citation included (the shape: migration 8d4f2a6c1e93)."""
    return f"SELECT {as_utf8('rivalry_event_json(e, false)')} AS data FROM events e WHERE e.id = $1", [event_id]
