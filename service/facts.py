"""What every fact resource shares: citation and entity-reference shapes, their batch loading,
id resolution (slug or id, ``308`` for merged ids) and the ``q`` name-match condition."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import msgspec
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, union
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from service.http.problems import ProblemError
from service.models import Citation, EntityRedirect, Organisation, OrganisationAlias, Person, PersonAlias

EntityKind = Literal["organisation", "person"]
FactKind = Literal["organisation", "person", "event", "funding", "rivalry", "relationship"]
# Name search: trigram similarity above this counts as a match ("altmann" → Sam Altman).
NAME_SIMILARITY = 0.3


class CitationRead(msgspec.Struct):
    document_id: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    extractor: str
    confidence: float


class EntityRef(msgspec.Struct):
    entity_kind: EntityKind
    id: str
    name: str


class Moved(ProblemError):
    """A merged or renamed id: answered with ``308`` and the canonical location."""

    status = 308
    slug = "moved-permanently"
    title = "Permanent redirect"


def citation(row: Any) -> CitationRead:
    return CitationRead(
        document_id=row.document_id,
        start=row.start,
        end=row.end,
        quote=row.quote,
        prefix=row.prefix,
        suffix=row.suffix,
        extractor=row.extractor,
        confidence=row.confidence,
    )


_CITATION_COLUMNS = (
    Citation.fact_id,
    Citation.document_id,
    Citation.start,
    Citation.end,
    Citation.quote,
    Citation.prefix,
    Citation.suffix,
    Citation.extractor,
    Citation.confidence,
)


async def citations_for(
    session: AsyncSession, kind: FactKind, ids: Sequence[str], *, first_only: bool
) -> dict[str, list[CitationRead]]:
    """Citations of these facts in reading order; with ``first_only`` one per fact (for lists)."""
    if not ids:
        return {}
    stmt = select(*_CITATION_COLUMNS).where(Citation.fact_kind == kind, Citation.fact_id.in_(ids))
    if kind == "event":
        # Claims (field/value citations) are shown under `conflicts`, not as the event's sources.
        stmt = stmt.where(Citation.field.is_(None))
    if first_only:
        stmt = stmt.ext(distinct_on(Citation.fact_id)).order_by(Citation.fact_id, Citation.id)
    else:
        stmt = stmt.order_by(Citation.fact_id, Citation.id)
    out: dict[str, list[CitationRead]] = defaultdict(list)
    for row in await session.execute(stmt):
        out[row.fact_id].append(citation(row))
    return out


async def entity_names(session: AsyncSession, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Display names for (kind, id) pairs."""
    orgs = {i for k, i in refs if k == "organisation"}
    people = {i for k, i in refs if k == "person"}
    names: dict[tuple[str, str], str] = {}
    if orgs:
        for row in await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(orgs))):
            names[("organisation", row.id)] = row.name
    if people:
        for row in await session.execute(select(Person.id, Person.name).where(Person.id.in_(people))):
            names[("person", row.id)] = row.name
    return names


async def redirect_target(session: AsyncSession, kind: str, old_id: str) -> str | None:
    return await session.scalar(
        select(EntityRedirect.new_id).where(EntityRedirect.kind == kind, EntityRedirect.old_id == old_id)
    )


async def resolve_entity_ids(session: AsyncSession, kind: EntityKind, values: Sequence[str]) -> list[str]:
    """Ids for filter values that may be ids, former (merged) ids or exact names/aliases."""
    if not values:
        return []
    table: Any = Organisation if kind == "organisation" else Person
    alias_table: Any = OrganisationAlias if kind == "organisation" else PersonAlias
    owner = alias_table.organisation_id if kind == "organisation" else alias_table.person_id
    folded = [v.strip().lower() for v in values]
    found: set[str] = set(await session.scalars(select(table.id).where(table.id.in_([v.strip() for v in values]))))
    found |= set(
        await session.scalars(
            select(owner).where(alias_table.alias_folded.in_([func.lower(func.rivalry_unaccent(v)) for v in folded]))
        )
    )
    found |= set(
        await session.scalars(
            select(EntityRedirect.new_id).where(EntityRedirect.kind == kind, EntityRedirect.old_id.in_(values))
        )
    )
    return sorted(found)


def resolved_select(kind: EntityKind, values: Sequence[str]) -> Any:
    """The ids filter values name, as a subquery (the ORM twin of :func:`service.reads.resolved_ids_sql`)."""
    table: Any = Organisation if kind == "organisation" else Person
    alias_table: Any = OrganisationAlias if kind == "organisation" else PersonAlias
    owner = alias_table.organisation_id if kind == "organisation" else alias_table.person_id
    folded = [func.lower(func.rivalry_unaccent(v.strip().lower())) for v in values]
    return union(
        select(table.id).where(table.id.in_([v.strip() for v in values])),
        select(owner).where(alias_table.alias_folded.in_(folded)),
        select(EntityRedirect.new_id).where(EntityRedirect.kind == kind, EntityRedirect.old_id.in_(values)),
    )


def name_match(kind: EntityKind, q: str, id_column: Any) -> ColumnElement[bool]:
    """Entities whose name or an alias matches ``q``: accent-insensitive substring or trigram-close."""
    alias_table: Any = OrganisationAlias if kind == "organisation" else PersonAlias
    owner = alias_table.organisation_id if kind == "organisation" else alias_table.person_id
    folded = func.lower(func.rivalry_unaccent(q))
    pattern = func.concat("%", func.replace(func.replace(folded, "%", r"\%"), "_", r"\_"), "%")
    grams = func.rivalry_trigrams(q)
    return exists(
        select(1).where(
            owner == id_column,
            or_(
                alias_table.alias_folded.like(pattern),
                and_(
                    alias_table.trigrams.op("&&")(grams),
                    func.rivalry_similarity(alias_table.trigrams, grams) >= NAME_SIMILARITY,
                ),
            ),
        )
    )


def apply_ids_filter(stmt: Select[Any], column: Any, ids: Sequence[str] | None) -> Select[Any]:
    return stmt if ids is None else stmt.where(column.in_(ids))


async def missing(session: AsyncSession, kind: str, collection: str, fact_id: str, suffix: str = "") -> ProblemError:
    """The error for an unknown id: ``308`` to the canonical id when it was merged, else ``404``."""
    from service.http.problems import NotFound

    target = await redirect_target(session, kind, fact_id)
    if target is not None:
        location = f"/api/v1/{collection}/{target}{suffix}"
        return Moved(f"{fact_id!r} is now {target!r}.", headers={"Location": location})
    return NotFound(f"No {kind} with id {fact_id!r}.")
