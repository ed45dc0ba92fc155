"""Named read queries for rivalries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.facts import EntityRef, citations_for, entity_names
from service.http.pagination import SortKey, keyset_rows
from service.models import Rivalry
from service.rivalries.schemas import RivalryRead, RivalrySort

SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "-event_count": (SortKey(Rivalry.event_count, type="int", descending=True), SortKey(Rivalry.id)),
}
_COLUMNS: tuple[Any, ...] = tuple(Rivalry.__table__.columns)


class RivalryFilters(msgspec.Struct, frozen=True):
    parties: tuple[str, ...] | None = None


def filtered(filters: RivalryFilters) -> Select[Any]:
    stmt = select(*_COLUMNS)
    if filters.parties is not None:
        ids = filters.parties
        stmt = stmt.where(
            or_(
                Rivalry.party_a_organisation_id.in_(ids),
                Rivalry.party_a_person_id.in_(ids),
                Rivalry.party_b_organisation_id.in_(ids),
                Rivalry.party_b_person_id.in_(ids),
            )
        )
    return stmt


async def list_rivalries(
    session: AsyncSession, filters: RivalryFilters, sort: RivalrySort, limit: int, after: Sequence[Any] | None
) -> tuple[list[RivalryRead], list[Any] | None]:
    rows, last = await keyset_rows(session, filtered(filters), SORT_KEYS[sort], limit, after)
    return await hydrate(session, rows, first_citation_only=True), last


async def count_rivalries(session: AsyncSession, filters: RivalryFilters) -> int:
    return int(await session.scalar(select(func.count()).select_from(filtered(filters).subquery())) or 0)


async def get_rivalry(session: AsyncSession, rivalry_id: str) -> RivalryRead | None:
    row = (await session.execute(select(*_COLUMNS).where(Rivalry.id == rivalry_id))).first()
    if row is None:
        return None
    return (await hydrate(session, [row], first_citation_only=False))[0]


def _sides(row: Any) -> list[tuple[str, str]]:
    return [
        (row.party_a_kind, row.party_a_organisation_id or row.party_a_person_id),
        (row.party_b_kind, row.party_b_organisation_id or row.party_b_person_id),
    ]


async def hydrate(session: AsyncSession, rows: Sequence[Any], *, first_citation_only: bool) -> list[RivalryRead]:
    names = await entity_names(session, [side for r in rows for side in _sides(r)])
    cites = await citations_for(session, "rivalry", [r.id for r in rows], first_only=first_citation_only)
    return [
        RivalryRead(
            id=r.id,
            parties=[
                EntityRef(entity_kind=kind, id=entity_id, name=names.get((kind, entity_id), entity_id))  # type: ignore[arg-type]
                for kind, entity_id in _sides(r)
            ],
            summary=r.summary,
            event_count=r.event_count,
            source_count=r.source_count,
            first_event_on=r.first_event_on,
            last_event_on=r.last_event_on,
            citations=cites.get(r.id, []),
        )
        for r in rows
    ]
