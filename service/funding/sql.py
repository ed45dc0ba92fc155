"""The funding list and detail as single SQL statements that return finished JSON (see
:mod:`service.reads`). Sorts by amount or date use indexes on ``coalesce(column, ±infinity)``, so
unknown amounts and dates sort last and a deep cursor is one index range scan; a page reads the
rows' stored list items and a detail is written by ``rivalry_funding_json`` (migration 8d4f2a6c1e93)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from service.funding.queries import SORT_KEYS, FundingFilters
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
    "-amount_usd": Ordering(
        "coalesce(f.amount_usd, '-Infinity'::numeric)", "f.amount_usd", "numeric", "'-Infinity'::numeric", True, "f"
    ),
    "amount_usd": Ordering(
        "coalesce(f.amount_usd, 'Infinity'::numeric)", "f.amount_usd", "numeric", "'Infinity'::numeric", False, "f"
    ),
    "occurred_on": Ordering(
        "coalesce(f.occurred_on, 'infinity'::date)", "f.occurred_on", "date", "'infinity'::date", False, "f"
    ),
    "-occurred_on": Ordering(
        "coalesce(f.occurred_on, '-infinity'::date)", "f.occurred_on", "date", "'-infinity'::date", True, "f"
    ),
}


def _any_entity(args: SqlArgs, ids: Sequence[str]) -> str:
    """Resolved ids (see :func:`resolve`) as an array parameter."""
    return args.add(list(ids), "text[]")


async def resolve(reader: Reader, filters: FundingFilters) -> FundingFilters:
    """The filters with organisation/person names replaced by the ids they name (one statement)."""
    both = ("organisation", "person")
    wanted: dict[str, tuple[tuple[str, ...], Sequence[str]]] = {}
    for key in ("organisations", "payers", "recipients"):
        values = getattr(filters, key)
        if values is not None:
            wanted[key] = (both, values)
    if not wanted:
        return filters
    ids = await resolve_names(reader, wanted)
    replaced: FundingFilters = msgspec.structs.replace(filters, **{k: tuple(v) for k, v in ids.items()})
    return replaced


def _paid_by(ids: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM funding_payers p WHERE p.funding_id = f.id"
        f" AND (p.organisation_id = ANY({ids}) OR p.person_id = ANY({ids})))"
    )


def _received_by(ids: str) -> str:
    return f"(f.recipient_organisation_id = ANY({ids}) OR f.recipient_person_id = ANY({ids}))"


def where(filters: FundingFilters, args: SqlArgs) -> list[str]:
    conditions: list[str] = []
    if filters.kinds:
        conditions.append(f"f.kind = ANY({args.add(list(filters.kinds), 'text[]')})")
    if filters.organisations is not None:
        ids = _any_entity(args, filters.organisations)
        conditions.append(f"({_paid_by(ids)} OR {_received_by(ids)})")
    if filters.participant is not None:
        ids = f"ARRAY[{args.add(filters.participant, 'text')}]"
        conditions.append(f"({_paid_by(ids)} OR {_received_by(ids)})")
    if filters.payers is not None:
        conditions.append(_paid_by(_any_entity(args, filters.payers)))
    if filters.recipients is not None:
        conditions.append(_received_by(_any_entity(args, filters.recipients)))
    if filters.currencies:
        conditions.append(f"f.currency = ANY({args.add(list(filters.currencies), 'text[]')})")
    if filters.min_usd is not None:
        conditions.append(f"f.amount_usd >= {args.add(filters.min_usd, 'numeric')}")
    if filters.max_usd is not None:
        conditions.append(f"f.amount_usd <= {args.add(filters.max_usd, 'numeric')}")
    if filters.date_from is not None:
        conditions.append(f"f.occurred_on >= {args.add(filters.date_from, 'date')}")
    if filters.date_to is not None:
        conditions.append(f"f.occurred_on <= {args.add(filters.date_to, 'date')}")
    if filters.event_ids is not None:
        conditions.append(f"f.event_id = ANY({args.add(list(filters.event_ids), 'text[]')})")
    return conditions


def page_sql(filters: FundingFilters, sort: str, limit: int, after: Sequence[Any] | None) -> tuple[str, list[Any]]:
    """One page after the cursor values ``after`` (as decoded from a cursor; checked and typed here)."""
    if after is not None:
        after = [key.parse(value) for key, value in zip(SORT_KEYS[sort], after, strict=True)]
    args = SqlArgs()
    ordering = ORDERINGS[sort]
    conditions = where(filters, args)
    if ordering.column == "f.occurred_on":
        conditions += date_range_on_key(ordering, args, filters.date_from, filters.date_to)
    return keyset_page_sql("funding", conditions, ordering, args, limit, after), args.values


def count_sql(filters: FundingFilters) -> tuple[str, list[Any]]:
    args = SqlArgs()
    return counting("funding", "f", where(filters, args)), args.values


def detail_sql(funding_id: str) -> tuple[str, list[Any]]:
    """The ``FundingRead`` of one funding row, every citation included (shape: migration 8d4f2a6c1e93)."""
    return f"SELECT {as_utf8('rivalry_funding_json(f, false)')} AS data FROM funding f WHERE f.id = $1", [funding_id]
