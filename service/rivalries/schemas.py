"""Wire shapes of the rivalry resource."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from service.facts import CitationRead, EntityRef

RivalrySort = Literal["-event_count"]


class RivalryRead(msgspec.Struct):
    id: str
    parties: list[EntityRef]
    summary: str | None
    event_count: int
    source_count: int
    first_event_on: dt.date | None
    last_event_on: dt.date | None
    citations: list[CitationRead]
