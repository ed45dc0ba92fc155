"""Wire shapes of the funding resource (money facts)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from service.events.schemas import DatePrecision, EventStatus
from service.facts import CitationRead, EntityRef

FundingKind = Literal[
    "investment", "funding_round", "acquisition", "bid", "commitment", "contract", "valuation", "revenue", "other"
]
Qualifier = Literal["exact", "about", "up_to", "more_than", "less_than"]
FundingSort = Literal["-amount_usd", "amount_usd", "occurred_on", "-occurred_on"]


class Equivalent(msgspec.Struct):
    """The same amount as the article converts it, e.g. the euros given in parentheses."""

    amount: float | None
    currency: str


class FundingRead(msgspec.Struct):
    id: str
    kind: FundingKind
    amount: float | None
    currency: str | None
    qualifier: Qualifier
    amount_usd: float | None
    equivalents: list[Equivalent]
    amount_text: str
    payers: list[EntityRef]
    recipient: EntityRef | None
    event_id: str | None
    occurred_on: dt.date | None
    date_precision: DatePrecision | None
    status: EventStatus
    source_count: int
    citations: list[CitationRead]
