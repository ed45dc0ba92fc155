"""Wire shapes of the event resource (field names fixed by the API contract)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from service.facts import CitationRead, EntityKind

EventType = Literal[
    "investment",
    "acquisition",
    "bid",
    "funding_round",
    "joint_venture",
    "partnership",
    "commitment",
    "contract",
    "lawsuit",
    "product_launch",
    "founding",
    "statement",
    "other",
]
EventStatus = Literal["rumoured", "reported", "announced", "pending", "completed", "paused", "rejected", "cancelled"]
DatePrecision = Literal["day", "month", "year"]
ParticipantRole = Literal[
    "actor",
    "investor",
    "target",
    "acquirer",
    "bidder",
    "partner",
    "plaintiff",
    "defendant",
    "founder",
    "speaker",
    "subject",
]
EventSort = Literal["occurred_on", "-occurred_on", "-source_count"]


class ParticipantRead(msgspec.Struct):
    entity_kind: EntityKind
    id: str
    name: str
    role: ParticipantRole


class ConflictValue(msgspec.Struct):
    value: str
    citations: list[CitationRead]


class Conflict(msgspec.Struct):
    """Sources disagree on ``field``: every value is kept, each with the sentences that state it."""

    field: str
    values: list[ConflictValue]


class EventRead(msgspec.Struct):
    id: str
    type: EventType
    title: str
    summary: str | None
    status: EventStatus
    occurred_on: dt.date | None
    date_precision: DatePrecision | None
    date_text: str | None
    reported_on: dt.date | None
    participants: list[ParticipantRead]
    funding_ids: list[str]
    source_count: int
    first_reported_on: dt.date | None
    last_reported_on: dt.date | None
    conflicts: list[Conflict]
    citations: list[CitationRead]
