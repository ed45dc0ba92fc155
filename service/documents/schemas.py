"""Wire shapes of the document resource (field names fixed by the API contract)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

DocumentSort = Literal["-ingested_at", "published_on"]


class FactCounts(msgspec.Struct):
    organisations: int = 0
    people: int = 0
    events: int = 0
    funding: int = 0


class DocumentRead(msgspec.Struct):
    id: str
    file: str | None
    title: str | None
    publisher: str | None
    author: str | None
    url: str | None
    language: str
    published_on: dt.date | None
    sha256: str
    char_count: int
    ingested_at: dt.datetime
    fact_counts: FactCounts


class Annotation(msgspec.Struct):
    """A span of ``text`` that names an entity, for a frontend to highlight."""

    start: int
    end: int
    label: str
    entity_kind: Literal["organisation", "person"]
    entity_id: str


class DocumentDetail(DocumentRead):
    text: str
    annotations: list[Annotation]
