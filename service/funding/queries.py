"""Named read queries for funding (money facts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import Select, exists, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from service.facts import EntityRef, citations_for, entity_names, resolved_select
from service.funding.schemas import Equivalent, FundingRead, FundingSort
from service.http.pagination import SortKey, keyset_rows
from service.models import Funding, FundingPayer

SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "-amount_usd": (SortKey(Funding.amount_usd, type="float", descending=True, nullable=True), SortKey(Funding.id)),
    "amount_usd": (SortKey(Funding.amount_usd, type="float", nullable=True), SortKey(Funding.id)),
    "occurred_on": (SortKey(Funding.occurred_on, type="date", nullable=True), SortKey(Funding.id)),
    "-occurred_on": (SortKey(Funding.occurred_on, type="date", descending=True, nullable=True), SortKey(Funding.id)),
}

_COLUMNS = tuple(getattr(Funding, c) for c in (
    "id", "kind", "amount", "currency", "qualifier", "amount_usd", "equivalents", "amount_text", "recipient_kind",
    "recipient_organisation_id", "recipient_person_id", "event_id", "occurred_on", "date_precision", "status",
    "source_count",
))  # fmt: skip


class FundingFilters(msgspec.Struct, frozen=True):
    kinds: tuple[str, ...] = ()
    # As given (ids, names, aliases or former ids), resolved inside the query; None = no filter.
    organisations: tuple[str, ...] | None = None  # payer or recipient
    payers: tuple[str, ...] | None = None
    recipients: tuple[str, ...] | None = None
    currencies: tuple[str, ...] = ()
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_ids: tuple[str, ...] | None = None
    # An entity that must pay or receive (the sub-resource /organisations/{id}/funding).
    participant: str | None = None


def _named(values: Sequence[str]) -> Any:
    """Ids of the organisations and people filter values name (resolved inside the query)."""
    return union(resolved_select("organisation", values), resolved_select("person", values))


def _paid_by(ids: Any) -> Any:
    return exists().where(
        FundingPayer.funding_id == Funding.id,
        or_(FundingPayer.organisation_id.in_(ids), FundingPayer.person_id.in_(ids)),
    )


def _received_by(ids: Any) -> Any:
    return or_(Funding.recipient_organisation_id.in_(ids), Funding.recipient_person_id.in_(ids))


def filtered(filters: FundingFilters) -> Select[Any]:
    stmt = select(*_COLUMNS)
    if filters.kinds:
        stmt = stmt.where(Funding.kind.in_(filters.kinds))
    if filters.organisations is not None:
        named = _named(filters.organisations).subquery()
        stmt = stmt.where(or_(_paid_by(select(named)), _received_by(select(named))))
    if filters.participant is not None:
        stmt = stmt.where(or_(_paid_by([filters.participant]), _received_by([filters.participant])))
    if filters.payers is not None:
        stmt = stmt.where(_paid_by(_named(filters.payers)))
    if filters.recipients is not None:
        stmt = stmt.where(_received_by(_named(filters.recipients)))
    if filters.currencies:
        stmt = stmt.where(Funding.currency.in_(filters.currencies))
    if filters.min_usd is not None:
        stmt = stmt.where(Funding.amount_usd >= filters.min_usd)
    if filters.max_usd is not None:
        stmt = stmt.where(Funding.amount_usd <= filters.max_usd)
    if filters.date_from is not None:
        stmt = stmt.where(Funding.occurred_on >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Funding.occurred_on <= filters.date_to)
    if filters.event_ids is not None:
        stmt = stmt.where(Funding.event_id.in_(filters.event_ids))
    return stmt


async def list_funding(
    session: AsyncSession, filters: FundingFilters, sort: FundingSort, limit: int, after: Sequence[Any] | None
) -> tuple[list[FundingRead], list[Any] | None]:
    rows, last = await keyset_rows(session, filtered(filters), SORT_KEYS[sort], limit, after)
    return await hydrate(session, rows, first_citation_only=True), last


async def count_funding(session: AsyncSession, filters: FundingFilters) -> int:
    return int(await session.scalar(select(func.count()).select_from(filtered(filters).subquery())) or 0)


async def get_funding(session: AsyncSession, funding_id: str) -> FundingRead | None:
    row = (await session.execute(select(*_COLUMNS).where(Funding.id == funding_id))).first()
    if row is None:
        return None
    return (await hydrate(session, [row], first_citation_only=False))[0]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def hydrate(session: AsyncSession, rows: Sequence[Any], *, first_citation_only: bool) -> list[FundingRead]:
    ids = [r.id for r in rows]
    payers: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if ids:
        for p in await session.execute(
            select(
                FundingPayer.funding_id,
                FundingPayer.kind,
                func.coalesce(FundingPayer.organisation_id, FundingPayer.person_id).label("entity_id"),
            )
            .where(FundingPayer.funding_id.in_(ids))
            .order_by(FundingPayer.funding_id, FundingPayer.id)
        ):
            payers[p.funding_id].append((p.kind, p.entity_id))
    recipients = {
        r.id: (r.recipient_kind, r.recipient_organisation_id or r.recipient_person_id) for r in rows if r.recipient_kind
    }
    refs = [ref for ps in payers.values() for ref in ps] + list(recipients.values())
    names = await entity_names(session, refs)
    cites = await citations_for(session, "funding", ids, first_only=first_citation_only)

    def ref(kind: str, entity_id: str) -> EntityRef:
        return EntityRef(entity_kind=kind, id=entity_id, name=names.get((kind, entity_id), entity_id))  # type: ignore[arg-type]

    return [
        FundingRead(
            id=r.id,
            kind=r.kind,
            amount=_number(r.amount),
            currency=r.currency,
            qualifier=r.qualifier,
            amount_usd=_number(r.amount_usd),
            equivalents=msgspec.convert(r.equivalents or [], list[Equivalent]),
            amount_text=r.amount_text,
            payers=[ref(k, i) for k, i in payers.get(r.id, [])],
            recipient=ref(*recipients[r.id]) if r.id in recipients else None,
            event_id=r.event_id,
            occurred_on=r.occurred_on,
            date_precision=r.date_precision,
            status=r.status,
            source_count=r.source_count,
            citations=cites.get(r.id, []),
        )
        for r in rows
    ]
