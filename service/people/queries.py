"""Named read queries for people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.facts import citations_for, name_match
from service.http.pagination import SortKey, keyset_rows
from service.models import Person, PersonAlias, PersonRole
from service.organisations.schemas import EntitySort
from service.people.schemas import PersonRead, RoleRead

SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "name": (SortKey(Person.name), SortKey(Person.id)),
    "-mention_count": (SortKey(Person.mention_count, type="int", descending=True), SortKey(Person.id)),
}
_COLUMNS: tuple[Any, ...] = (Person.id, Person.name, Person.mention_count, Person.source_count)


class PeopleFilters(msgspec.Struct, frozen=True):
    q: str | None = None
    organisations: tuple[str, ...] | None = None


def filtered(filters: PeopleFilters) -> Select[Any]:
    stmt = select(*_COLUMNS)
    if filters.q:
        stmt = stmt.where(name_match("person", filters.q, Person.id))
    if filters.organisations is not None:
        stmt = stmt.where(
            exists().where(PersonRole.person_id == Person.id, PersonRole.organisation_id.in_(filters.organisations))
        )
    return stmt


async def list_people(
    session: AsyncSession, filters: PeopleFilters, sort: EntitySort, limit: int, after: Sequence[Any] | None
) -> tuple[list[PersonRead], list[Any] | None]:
    rows, last = await keyset_rows(session, filtered(filters), SORT_KEYS[sort], limit, after)
    return await hydrate(session, rows, first_citation_only=True), last


async def count_people(session: AsyncSession, filters: PeopleFilters) -> int:
    return int(await session.scalar(select(func.count()).select_from(filtered(filters).subquery())) or 0)


async def get_person(session: AsyncSession, person_id: str) -> PersonRead | None:
    row = (await session.execute(select(*_COLUMNS).where(Person.id == person_id))).first()
    if row is None:
        return None
    return (await hydrate(session, [row], first_citation_only=False))[0]


async def hydrate(session: AsyncSession, rows: Sequence[Any], *, first_citation_only: bool) -> list[PersonRead]:
    ids = [r.id for r in rows]
    aliases: dict[str, list[str]] = defaultdict(list)
    roles: dict[str, list[RoleRead]] = defaultdict(list)
    if ids:
        for a in await session.execute(
            select(PersonAlias.person_id, PersonAlias.alias)
            .where(PersonAlias.person_id.in_(ids), PersonAlias.is_name.is_(False))
            .order_by(PersonAlias.person_id, PersonAlias.alias)
        ):
            aliases[a.person_id].append(a.alias)
        for r in await session.execute(
            select(PersonRole.person_id, PersonRole.organisation_id, PersonRole.title)
            .where(PersonRole.person_id.in_(ids))
            .order_by(PersonRole.person_id, PersonRole.id)
        ):
            roles[r.person_id].append(RoleRead(organisation_id=r.organisation_id, title=r.title))
    cites = await citations_for(session, "person", ids, first_only=first_citation_only)
    return [
        PersonRead(
            id=r.id,
            name=r.name,
            aliases=aliases.get(r.id, []),
            roles=roles.get(r.id, []),
            mention_count=r.mention_count,
            source_count=r.source_count,
            citations=cites.get(r.id, []),
        )
        for r in rows
    ]
