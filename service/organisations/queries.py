"""Named read queries for organisations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.facts import citations_for, name_match
from service.http.pagination import SortKey, keyset_rows
from service.models import Organisation, OrganisationAlias, Person, PersonRole, Relationship
from service.organisations.schemas import (
    EntitySort,
    OrganisationDetail,
    OrganisationPerson,
    OrganisationRead,
    RelationshipRead,
)

SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "name": (SortKey(Organisation.name), SortKey(Organisation.id)),
    "-mention_count": (SortKey(Organisation.mention_count, type="int", descending=True), SortKey(Organisation.id)),
}
INVERSE = {
    "subsidiary_of": "parent_of",
    "founded_by_former_staff_of": "alumni_founded",
    "invested_in": "investor",
    "partner_of": "partner_of",
}
_COLUMNS = tuple(getattr(Organisation, c) for c in (
    "id", "name", "kind", "country", "description", "mention_count", "source_count", "first_seen_on", "last_seen_on",
))  # fmt: skip


class OrganisationFilters(msgspec.Struct, frozen=True):
    q: str | None = None
    kinds: tuple[str, ...] = ()


def filtered(filters: OrganisationFilters) -> Select[Any]:
    stmt = select(*_COLUMNS)
    if filters.q:
        stmt = stmt.where(name_match("organisation", filters.q, Organisation.id))
    if filters.kinds:
        stmt = stmt.where(Organisation.kind.in_(filters.kinds))
    return stmt


async def list_organisations(
    session: AsyncSession, filters: OrganisationFilters, sort: EntitySort, limit: int, after: Sequence[Any] | None
) -> tuple[list[OrganisationRead], list[Any] | None]:
    rows, last = await keyset_rows(session, filtered(filters), SORT_KEYS[sort], limit, after)
    return await hydrate(session, rows, first_citation_only=True), last


async def count_organisations(session: AsyncSession, filters: OrganisationFilters) -> int:
    return int(await session.scalar(select(func.count()).select_from(filtered(filters).subquery())) or 0)


async def hydrate(session: AsyncSession, rows: Sequence[Any], *, first_citation_only: bool) -> list[OrganisationRead]:
    ids = [r.id for r in rows]
    aliases: dict[str, list[str]] = defaultdict(list)
    if ids:
        for a in await session.execute(
            select(OrganisationAlias.organisation_id, OrganisationAlias.alias)
            .where(OrganisationAlias.organisation_id.in_(ids), OrganisationAlias.is_name.is_(False))
            .order_by(OrganisationAlias.organisation_id, OrganisationAlias.alias)
        ):
            aliases[a.organisation_id].append(a.alias)
    cites = await citations_for(session, "organisation", ids, first_only=first_citation_only)
    return [
        OrganisationRead(
            id=r.id,
            name=r.name,
            aliases=aliases.get(r.id, []),
            kind=r.kind,
            country=r.country,
            description=r.description,
            mention_count=r.mention_count,
            source_count=r.source_count,
            first_seen_on=r.first_seen_on,
            last_seen_on=r.last_seen_on,
            citations=cites.get(r.id, []),
        )
        for r in rows
    ]


async def get_organisation(session: AsyncSession, organisation_id: str) -> OrganisationDetail | None:
    row = (await session.execute(select(*_COLUMNS).where(Organisation.id == organisation_id))).first()
    if row is None:
        return None
    base = (await hydrate(session, [row], first_citation_only=False))[0]
    people = [
        OrganisationPerson(person_id=p.id, name=p.name, role=p.title)
        for p in await session.execute(
            select(Person.id, Person.name, PersonRole.title)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(PersonRole.organisation_id == organisation_id)
            .order_by(Person.name, PersonRole.title)
        )
    ]
    other = Organisation.__table__.alias("other")
    outgoing = (
        select(Relationship.id, Relationship.type, other.c.id.label("other_id"), other.c.name.label("other_name"))
        .join(other, other.c.id == Relationship.other_organisation_id)
        .where(Relationship.organisation_id == organisation_id)
    )
    incoming = (
        select(Relationship.id, Relationship.type, other.c.id.label("other_id"), other.c.name.label("other_name"))
        .join(other, other.c.id == Relationship.organisation_id)
        .where(Relationship.other_organisation_id == organisation_id)
    )
    rels_out = (await session.execute(outgoing)).all()
    rels_in = (await session.execute(incoming)).all()
    rel_cites = await citations_for(session, "relationship", [r.id for r in [*rels_out, *rels_in]], first_only=False)
    relationships = [
        RelationshipRead(type=r.type, organisation_id=r.other_id, name=r.other_name, citations=rel_cites.get(r.id, []))
        for r in rels_out
    ] + [
        RelationshipRead(
            type=INVERSE.get(r.type, f"inverse_{r.type}"),
            organisation_id=r.other_id,
            name=r.other_name,
            citations=rel_cites.get(r.id, []),
        )
        for r in rels_in
    ]
    return OrganisationDetail(
        **{f: getattr(base, f) for f in OrganisationRead.__struct_fields__},
        people=people,
        relationships=sorted(relationships, key=lambda r: (r.type, r.organisation_id)),
    )
