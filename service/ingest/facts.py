"""What extraction produces for one document, before it is loaded: plain structs, no database."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

EntityKind = Literal["organisation", "person"]


class Span(msgspec.Struct, frozen=True):
    """A citation before it is stored: ``text[start:end]`` is the quote."""

    start: int
    end: int
    extractor: str
    confidence: float
    field: str | None = None
    value: str | None = None


class EntityRef(msgspec.Struct, frozen=True):
    kind: EntityKind
    slug: str


class RoleFact(msgspec.Struct, frozen=True):
    organisation: str | None
    title: str


class EntityFact(msgspec.Struct):
    kind: EntityKind
    slug: str
    name: str
    aliases: list[str]
    org_kind: str | None
    country: str | None
    description: str | None
    in_gazetteer: bool
    roles: list[RoleFact]
    spans: list[Span]


class Participant(msgspec.Struct, frozen=True):
    ref: EntityRef
    role: str


class EventFact(msgspec.Struct):
    type: str
    title: str
    summary: str | None
    status: str
    occurred_on: dt.date | None
    date_precision: str | None
    date_text: str | None
    reported_on: dt.date | None
    participants: list[Participant]
    spans: list[Span]
    # Claims other documents may contradict: field -> (value, span).
    claims: dict[str, tuple[str, Span]] = msgspec.field(default_factory=dict)


class Equivalent(msgspec.Struct, frozen=True):
    amount: float | None
    currency: str


class FundingFact(msgspec.Struct):
    kind: str
    amount: float | None
    currency: str | None
    qualifier: str
    amount_usd: float | None
    fx_rate_on: dt.date | None
    equivalents: list[Equivalent]
    amount_text: str
    payers: list[EntityRef]
    recipient: EntityRef | None
    event_index: int | None
    occurred_on: dt.date | None
    date_precision: str | None
    status: str
    spans: list[Span]


class RivalryFact(msgspec.Struct):
    parties: tuple[EntityRef, EntityRef]
    spans: list[Span]


class RelationshipFact(msgspec.Struct):
    type: str
    organisation: str
    other_organisation: str
    spans: list[Span]


class SegmentFact(msgspec.Struct, frozen=True):
    start: int
    end: int
    kind: str


class Extraction(msgspec.Struct):
    title: str | None
    publisher: str | None
    author: str | None
    url: str | None
    language: str
    published_on: dt.date | None
    segments: list[SegmentFact]
    entities: list[EntityFact]
    events: list[EventFact]
    funding: list[FundingFact]
    rivalries: list[RivalryFact]
    relationships: list[RelationshipFact]
