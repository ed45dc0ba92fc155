"""Named read queries for documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.documents.schemas import Annotation, DocumentDetail, DocumentRead, DocumentSort, FactCounts
from service.http.pagination import SortKey, keyset_rows
from service.models import Citation, Document, Organisation, Person
from service.search_sql import french_query

SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "-ingested_at": (
        SortKey(Document.ingested_at, type="datetime", descending=True),
        SortKey(Document.id, descending=True),
    ),
    "published_on": (
        SortKey(Document.published_on, type="date", nullable=True),
        SortKey(Document.id),
    ),
}

_LIST_COLUMNS = (
    Document.id,
    Document.file,
    Document.title,
    Document.publisher,
    Document.author,
    Document.url,
    Document.language,
    Document.published_on,
    Document.sha256,
    Document.char_count,
    Document.ingested_at,
    Document.fact_counts,
)


class DocumentFilters(msgspec.Struct, frozen=True):
    publisher: str | None = None
    language: str | None = None
    q: str | None = None


def _filtered(filters: DocumentFilters) -> Select[Any]:
    stmt = select(*_LIST_COLUMNS)
    if filters.publisher:
        stmt = stmt.where(func.lower(Document.publisher) == filters.publisher.lower())
    if filters.language:
        stmt = stmt.where(Document.language == filters.language.lower())
    if filters.q:
        stmt = stmt.where(Document.search_vector.op("@@")(french_query(filters.q)))
    return stmt


def _read(row: Any) -> DocumentRead:
    return DocumentRead(
        id=row.id,
        file=row.file,
        title=row.title,
        publisher=row.publisher,
        author=row.author,
        url=row.url,
        language=row.language,
        published_on=row.published_on,
        sha256=row.sha256,
        char_count=row.char_count,
        ingested_at=row.ingested_at,
        fact_counts=msgspec.convert(row.fact_counts, FactCounts),
    )


async def list_documents(
    session: AsyncSession,
    filters: DocumentFilters,
    sort: DocumentSort,
    limit: int,
    after: Sequence[Any] | None,
) -> tuple[list[DocumentRead], list[Any] | None]:
    """One page of documents and the sort key of its last row when another page follows."""
    rows, last = await keyset_rows(session, _filtered(filters), SORT_KEYS[sort], limit, after)
    return [_read(row) for row in rows], last


async def count_documents(session: AsyncSession, filters: DocumentFilters) -> int:
    stmt = select(func.count()).select_from(_filtered(filters).subquery())
    return int((await session.execute(stmt)).scalar_one())


async def get_document(session: AsyncSession, document_id: str) -> DocumentDetail | None:
    row = (await session.execute(select(*_LIST_COLUMNS, Document.text).where(Document.id == document_id))).first()
    if row is None:
        return None
    org_spans = (
        select(
            Citation.start,
            Citation.end,
            Organisation.name.label("label"),
            Citation.fact_kind,
            Citation.fact_id,
        )
        .join(Organisation, Organisation.id == Citation.fact_id)
        .where(Citation.document_id == document_id, Citation.fact_kind == "organisation")
    )
    person_spans = (
        select(Citation.start, Citation.end, Person.name.label("label"), Citation.fact_kind, Citation.fact_id)
        .join(Person, Person.id == Citation.fact_id)
        .where(Citation.document_id == document_id, Citation.fact_kind == "person")
    )
    spans = (await session.execute(org_spans.union_all(person_spans).order_by("start", "end"))).all()
    base = _read(row)
    return DocumentDetail(
        **{f: getattr(base, f) for f in DocumentRead.__struct_fields__},
        text=row.text,
        annotations=[
            Annotation(start=s.start, end=s.end, label=s.label, entity_kind=s.fact_kind, entity_id=s.fact_id)
            for s in spans
        ],
    )
