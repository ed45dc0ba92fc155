"""Wire shapes of search results."""

from __future__ import annotations

from typing import Literal

import msgspec

SearchType = Literal["documents", "organisations", "people", "events"]
HitType = Literal["document", "organisation", "person", "event"]


class SearchHit(msgspec.Struct):
    """One ranked result; ``snippet`` shows the matching words between « and »."""

    type: HitType
    id: str
    title: str
    snippet: str
    score: float
