"""Named read queries for events: one keyset-paginated select, then batch loads of related rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.schemas import Conflict, EventRead, EventSort, ParticipantRead
from service.facts import citations_for, entity_names, resolved_select
from service.http.pagination import SortKey, keyset_rows
from service.models import Event, EventParticipant, Funding, Rivalry
from service.search_sql import french_query

SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "occurred_on": (SortKey(Event.occurred_on, type="date", nullable=True), SortKey(Event.id)),
    "-occurred_on": (SortKey(Event.occurred_on, type="date", descending=True, nullable=True), SortKey(Event.id)),
    "-source_count": (SortKey(Event.source_count, type="int", descending=True), SortKey(Event.id)),
}

_COLUMNS = tuple(getattr(Event, c) for c in (
    "id", "type", "title", "summary", "status", "occurred_on", "date_precision", "date_text", "reported_on",
    "source_count", "first_reported_on", "last_reported_on", "conflicts",
))  # fmt: skip


class EventFilters(msgspec.Struct, frozen=True):
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    # As given (ids, names, aliases or former ids), resolved inside the query; None = no filter.
    organisations: tuple[str, ...] | None = None
    people: tuple[str, ...] | None = None
    rivalry: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None
    min_sources: int | None = None
    # Entities that must take part (sub-resources: /organisations/{id}/events, /people/{id}/events).
    participant: tuple[str, str] | None = None


def filtered(filters: EventFilters) -> Select[Any]:
    stmt = select(*_COLUMNS)
    if filters.types:
        stmt = stmt.where(Event.type.in_(filters.types))
    if filters.statuses:
        stmt = stmt.where(Event.status.in_(filters.statuses))
    if filters.organisations is not None:
        stmt = stmt.where(
            exists().where(
                EventParticipant.event_id == Event.id,
                EventParticipant.organisation_id.in_(resolved_select("organisation", filters.organisations)),
            )
        )
    if filters.people is not None:
        stmt = stmt.where(
            exists().where(
                EventParticipant.event_id == Event.id,
                EventParticipant.person_id.in_(resolved_select("person", filters.people)),
            )
        )
    if filters.participant is not None:
        kind, entity_id = filters.participant
        column = EventParticipant.organisation_id if kind == "organisation" else EventParticipant.person_id
        stmt = stmt.where(exists().where(EventParticipant.event_id == Event.id, column == entity_id))
    if filters.rivalry is not None:
        rivalry = select(*Rivalry.__table__.columns).where(Rivalry.id == filters.rivalry).subquery()
        stmt = stmt.where(Event.id.in_(_rivalry_events(rivalry)))
    if filters.date_from is not None:
        stmt = stmt.where(Event.occurred_on >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Event.occurred_on <= filters.date_to)
    if filters.q:
        stmt = stmt.where(Event.search_vector.op("@@")(french_query(filters.q)))
    if filters.min_sources is not None:
        stmt = stmt.where(Event.source_count >= filters.min_sources)
    return stmt


def _rivalry_events(rivalry: Any) -> Any:
    """Events in which both parties of the rivalry take part."""
    side_a = select(EventParticipant.event_id).where(
        func.coalesce(EventParticipant.organisation_id, EventParticipant.person_id)
        == select(func.coalesce(rivalry.c.party_a_organisation_id, rivalry.c.party_a_person_id)).scalar_subquery()
    )
    side_b = select(EventParticipant.event_id).where(
        func.coalesce(EventParticipant.organisation_id, EventParticipant.person_id)
        == select(func.coalesce(rivalry.c.party_b_organisation_id, rivalry.c.party_b_person_id)).scalar_subquery()
    )
    return side_a.intersect(side_b)


async def list_events(
    session: AsyncSession, filters: EventFilters, sort: EventSort, limit: int, after: Sequence[Any] | None
) -> tuple[list[EventRead], list[Any] | None]:
    rows, last = await keyset_rows(session, filtered(filters), SORT_KEYS[sort], limit, after)
    return await hydrate(session, rows, first_citation_only=True), last


async def count_events(session: AsyncSession, filters: EventFilters) -> int:
    return int(await session.scalar(select(func.count()).select_from(filtered(filters).subquery())) or 0)


async def get_event(session: AsyncSession, event_id: str) -> EventRead | None:
    row = (await session.execute(select(*_COLUMNS).where(Event.id == event_id))).first()
    if row is None:
        return None
    return (await hydrate(session, [row], first_citation_only=False))[0]


async def hydrate(session: AsyncSession, rows: Sequence[Any], *, first_citation_only: bool) -> list[EventRead]:
    """Attach participants, funding ids and citations to event rows (three batched queries)."""
    ids = [r.id for r in rows]
    participants: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    funding: dict[str, list[str]] = defaultdict(list)
    if ids:
        part_rows = await session.execute(
            select(
                EventParticipant.event_id,
                EventParticipant.kind,
                func.coalesce(EventParticipant.organisation_id, EventParticipant.person_id).label("entity_id"),
                EventParticipant.role,
            )
            .where(EventParticipant.event_id.in_(ids))
            .order_by(EventParticipant.event_id, EventParticipant.id)
        )
        for p in part_rows:
            participants[p.event_id].append((p.kind, p.entity_id, p.role))
        for f in await session.execute(
            select(Funding.event_id, Funding.id).where(Funding.event_id.in_(ids)).order_by(Funding.id)
        ):
            funding[f.event_id].append(f.id)
    names = await entity_names(session, [(k, i) for ps in participants.values() for k, i, _ in ps])
    cites = await citations_for(session, "event", ids, first_only=first_citation_only)
    return [
        EventRead(
            id=r.id,
            type=r.type,
            title=r.title,
            summary=r.summary,
            status=r.status,
            occurred_on=r.occurred_on,
            date_precision=r.date_precision,
            date_text=r.date_text,
            reported_on=r.reported_on,
            participants=[
                ParticipantRead(entity_kind=k, id=i, name=names.get((k, i), i), role=role)  # type: ignore[arg-type]
                for k, i, role in participants.get(r.id, [])
            ],
            funding_ids=funding.get(r.id, []),
            source_count=r.source_count,
            first_reported_on=r.first_reported_on,
            last_reported_on=r.last_reported_on,
            conflicts=msgspec.convert(r.conflicts or [], list[Conflict]),
            citations=cites.get(r.id, []),
        )
        for r in rows
    ]
