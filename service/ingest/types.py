"""Plain value types passed between ingestion stages.

Every stage is a pure function over the verbatim article text; offsets are Python string
indices (Unicode code points) into that text, so ``text[start:end]`` is always the quote.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

SegmentKind = Literal["body", "title", "duplicate", "boilerplate", "teaser", "byline"]
EntityKind = Literal["organisation", "person"]
DatePrecision = Literal["day", "month", "year"]
Qualifier = Literal["exact", "about", "up_to", "more_than", "less_than"]


class Segment(msgspec.Struct, frozen=True):
    """A contiguous block of the article (usually a line or paragraph) and what it is."""

    start: int
    end: int
    kind: SegmentKind


class Sentence(msgspec.Struct, frozen=True):
    """A sentence of a fact-bearing (body or title) segment."""

    start: int
    end: int
    text: str


class Equivalent(msgspec.Struct, frozen=True):
    amount: float | None
    currency: str
    start: int
    end: int


class MoneyMention(msgspec.Struct, frozen=True):
    """One amount of money as written, with its qualifier and any parenthesised conversion."""

    start: int
    end: int
    text: str
    amount: float | None
    currency: str | None
    qualifier: Qualifier
    equivalents: tuple[Equivalent, ...] = ()


class DateMention(msgspec.Struct, frozen=True):
    start: int
    end: int
    text: str
    value: dt.date | None
    precision: DatePrecision | None
    relative: bool = False


class EntityMention(msgspec.Struct, frozen=True):
    """A mention of an organisation or person, resolved to a stable slug."""

    start: int
    end: int
    text: str
    kind: EntityKind
    slug: str
    name: str
    source: Literal["gazetteer", "ner"]
    confidence: float
