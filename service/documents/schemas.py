"""Wire shapes of the document resource (field names fixed by the API contract)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

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


# What the ingestion refuses in a text (service.documents.ingest.check_text), said to the document's
# readers: a NUL character anywhere, and in `text`, nothing visible. Visible is a letter, number,
# punctuation mark or symbol (Unicode categories L, N, P, S), save the Hangul fillers and the blank
# Braille pattern, which draw nothing.
_NO_NUL = r"^[^\x00]*$"
_VISIBLE = r"^[^\x00]*(?![\u115f\u1160\u3164\uffa0\u2800])[\p{L}\p{N}\p{P}\p{S}][^\x00]*$"


def _refusing(pattern: str) -> dict[str, dict[str, str]]:
    """A pattern for the OpenAPI document only: the server checks it in code, with a message that
    says what is wrong rather than quoting a regular expression."""
    return {"extra": {"pattern": pattern}}


class DocumentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An article to ingest; the same text twice is the same document."""

    text: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            description="The article text, stored verbatim; it must show something (a letter, digit,"
            " punctuation mark or symbol), and hold no NUL character.",
            extra_json_schema=_refusing(_VISIBLE),
        ),
    ]
    title: Annotated[str, msgspec.Meta(max_length=1000, extra_json_schema=_refusing(_NO_NUL))] | None = None
    publisher: Annotated[str, msgspec.Meta(max_length=300, extra_json_schema=_refusing(_NO_NUL))] | None = None
    author: Annotated[str, msgspec.Meta(max_length=300, extra_json_schema=_refusing(_NO_NUL))] | None = None
    url: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=2000, pattern=r"^https?://\S+$", extra_json_schema=_refusing(r"^https?://[^\s\x00]+$")
            ),
        ]
        | None
    ) = None
    published_on: dt.date | None = None
    language: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")] | None = None


class FactIds(msgspec.Struct):
    organisations: list[str] = msgspec.field(default_factory=list)
    people: list[str] = msgspec.field(default_factory=list)
    events: list[str] = msgspec.field(default_factory=list)
    funding: list[str] = msgspec.field(default_factory=list)
    rivalries: list[str] = msgspec.field(default_factory=list)
    relationships: list[str] = msgspec.field(default_factory=list)


class IngestResult(msgspec.Struct):
    """What ``POST /documents`` did: the document, and the facts it created or corroborated."""

    document: DocumentRead
    created: FactIds
    corroborated: FactIds
